/**
 * One supergraph snapshot per request: the access decision reads the catalogue of the schema the request was
 * validated against (AccessRequest.catalogue, which useAccess takes from the snapshots by the request's schema), not
 * the one the gateway started with; each schema served is one snapshot, a rollback to the same SDL reuses its catalogue.
 */
import type { AccessPolicy } from "@ndx/policy";
import { readSupergraph } from "@ndx/schema";
import { buildSchema, getOperationAST, parse } from "graphql";
import { beforeAll, describe, expect, it } from "vitest";
import type { ConsentCheck } from "../src/access/consentCheck.ts";
import { createDecide, type AccessDecision } from "../src/access/decide.ts";
import { buildFieldCatalogue } from "../src/access/fieldCatalogue.ts";
import { createSupergraphSnapshots, supergraphHash } from "../src/supergraphSnapshots.ts";
import { registerPolicy } from "./harness.ts";

const started = readSupergraph();
const anchor = 'profession: String @join__field(graph: DRP) @classified(as: "PERSONAL")';
const sensitive = started.replace(anchor, 'profession: String @join__field(graph: DRP) @classified(as: "SENSITIVE")');
let policy: AccessPolicy;
beforeAll(async () => {
  policy = await registerPolicy();
});

const consent: ConsentCheck = {
  stats: { hits: 0, misses: 0 },
  cached: () => undefined,
  check: async () => ({ covered: true, consentIds: ["cns_1"], missing: [] }),
  openRequest: async () => ({ consentRequestId: "cns_new", consentUrl: "http://portal.test/consent/cns_new", missing: [] }),
  ready: async () => undefined,
  close: () => undefined,
};

const fieldsOf = (d: AccessDecision) => (d.kind === "refused" || d.kind === "permitted" ? d.record.fields : []);

describe("supergraph snapshots", () => {
  it("decide a request with the catalogue of the schema it was validated against", async () => {
    expect(sensitive).not.toBe(started);
    const decide = createDecide({
      authenticator: { authenticate: async () => ({ kind: "consumer", id: "passport-app", roles: [], scopes: [] }) },
      catalogue: buildFieldCatalogue(started),
      policy: { current: policy },
      consent,
      evidence: { healthy: true },
    });
    const document = parse('query P { person(nic: "199012345678") { profession } }');
    const operation = getOperationAST(document);
    if (operation === null || operation === undefined) throw new Error("no operation");
    const request = { document, operation, variables: {}, traceId: "t", request: new Request("http://gw.test/graphql", { headers: { authorization: "Bearer t", "x-purpose": "passport-application" } }) };
    const profession = (d: AccessDecision) => fieldsOf(d).find((f) => f.field === "Person.profession")?.classification;
    expect(profession(await decide(request))).toBe("PERSONAL");
    expect(profession(await decide({ ...request, catalogue: buildFieldCatalogue(sensitive) }))).toBe("SENSITIVE");
  });

  it("keeps one snapshot per schema served, with the hash of its SDL", () => {
    const snapshots = createSupergraphSnapshots();
    const first = buildSchema("type Query { a: String }");
    const second = buildSchema("type Query { a: String }");
    const a = snapshots.add(first, started);
    expect(a.hash).toBe(supergraphHash(started));
    expect(snapshots.catalogueOf(first)).toBe(a.catalogue);
    const b = snapshots.add(second, sensitive);
    expect(snapshots.of(second)?.hash).toBe(supergraphHash(sensitive));
    expect(snapshots.of(first)).toBe(a);
    expect(b.catalogue.field("Person", "profession")?.classification).toBe("SENSITIVE");
    // A rollback to the SDL just served reuses its catalogue.
    const third = buildSchema("type Query { a: String }");
    expect(snapshots.add(third, sensitive).catalogue).toBe(b.catalogue);
  });
});
