import { composeServices } from "@apollo/composition";
import { subgraphSdl } from "@ndx/schema";
import { getOperationAST, parse } from "graphql";
import { describe, expect, it } from "vitest";
import { buildFieldCatalogue } from "../src/access/fieldCatalogue.ts";
import { computeScope } from "../src/access/scope.ts";

// The real registry contract, beside two small adapter-like subgraphs that extend Person.
const access = `@link(url: "https://specs.ndx.example/access/v1.0", import: ["@classified", "@subject"])
  @composeDirective(name: "@classified") @composeDirective(name: "@subject")`;
const header = `extend schema @link(url: "https://specs.apollo.dev/federation/v2.7", import: ["@key", "@composeDirective"]) ${access}
  directive @classified(as: String!) on FIELD_DEFINITION
  directive @subject on ARGUMENT_DEFINITION`;
const composed = composeServices([
  { name: "registry", url: "http://r/graphql", typeDefs: parse(subgraphSdl("registry")) },
  {
    name: "drp",
    url: "http://d/graphql",
    typeDefs: parse(`${header}
      type Person @key(fields: "nic") { nic: String! @classified(as: "PERSONAL")
        permanentAddress: String @classified(as: "PERSONAL") profession: String @classified(as: "PERSONAL") }`),
  },
  {
    name: "dmt",
    url: "http://m/graphql",
    typeDefs: parse(`${header}
      type Person @key(fields: "nic") { nic: String! @classified(as: "PERSONAL") vehicles: [Vehicle!] @classified(as: "PERSONAL") }
      type Vehicle { regNo: String! @classified(as: "PERSONAL") class: VehicleClass @classified(as: "PERSONAL") }
      type VehicleClass { classCode: String @classified(as: "INTERNAL") secretNote: String }
      type Query { vehicle(regNo: String!): Vehicle @classified(as: "PERSONAL") }`),
  },
]);
if (composed.errors !== undefined) throw new Error(composed.errors.map((e) => e.message).join("\n"));
const catalogue = buildFieldCatalogue(composed.supergraphSdl);

function scopeOf(query: string, variables: Record<string, unknown> = {}) {
  const document = parse(query);
  const operation = getOperationAST(document);
  if (operation === null || operation === undefined) throw new Error("no operation");
  return computeScope(catalogue, document, operation, variables);
}

const pairs = (fields: readonly { provider: string; field: string }[]) => fields.map((f) => `${f.provider}:${f.field}`).sort();

describe("scope of an operation", () => {
  it("names each field with the provider that resolves it, across nested entities", () => {
    const scope = scopeOf(`{ person(nic: "199012345678") { fullName permanentAddress vehicles { regNo class { classCode } } } }`);
    expect(pairs(scope.fields)).toEqual([
      "dmt:Person.vehicles",
      "dmt:Vehicle.class",
      "dmt:Vehicle.regNo",
      "dmt:VehicleClass.classCode",
      "drp:Person.permanentAddress",
      "registry:Person.fullName",
    ]);
    expect([...scope.subjects.keys()]).toEqual(["199012345678"]);
    expect(scope.fields.find((f) => f.field === "VehicleClass.classCode")?.classification).toBe("INTERNAL");
  });

  it("follows named and inline fragments, aliases, and honours @skip/@include with variables", () => {
    const scope = scopeOf(
      `query($nic: String!, $withJob: Boolean!, $noAddress: Boolean!) {
         me: person(nic: $nic) { ...Basics ... on Person { profession @include(if: $withJob) } }
       }
       fragment Basics on Person { n: fullName permanentAddress @skip(if: $noAddress) }`,
      { nic: "198503150123", withJob: false, noAddress: true },
    );
    expect(pairs(scope.fields)).toEqual(["registry:Person.fullName"]);
    expect(scope.subjects.get("198503150123")?.map((f) => f.field)).toEqual(["Person.fullName"]);
  });

  it("keeps each citizen's fields apart when one query names several", () => {
    const scope = scopeOf(`{ a: person(nic: "198503150123") { fullName } b: person(nic: "199012345678") { profession } }`);
    expect(scope.subjects.get("198503150123")?.map((f) => f.field)).toEqual(["Person.fullName"]);
    expect(scope.subjects.get("199012345678")?.map((f) => f.field)).toEqual(["Person.profession"]);
  });

  it("has no subject for a list or a lookup by another key, so the policy decides on bulk access", () => {
    expect(scopeOf(`{ people { edges { node { fullName } } } }`).subjects.size).toBe(0);
    expect(scopeOf(`{ vehicle(regNo: "FJ-4821-AB") { regNo } }`).subjects.size).toBe(0);
  });

  it("reports a subject argument that is not a citizen identifier", () => {
    expect(scopeOf(`query($n: String!) { person(nic: $n) { fullName } }`, { n: "12-34" }).invalidSubjects).toEqual(["12-34"]);
  });

  it("treats a field without a declared class as PERSONAL", () => {
    const scope = scopeOf(`{ vehicle(regNo: "FJ-4821-AB") { class { secretNote } } }`);
    expect(scope.fields.find((f) => f.field === "VehicleClass.secretNote")?.classification).toBe("PERSONAL");
    expect(catalogue.undeclared).toContain("VehicleClass.secretNote");
  });

  it("lists public root data, and ignores __typename", () => {
    const scope = scopeOf(`{ __typename districts }`);
    expect(scope.fields).toEqual([{ provider: "registry", field: "Query.districts", classification: "PUBLIC" }]);
  });
});
