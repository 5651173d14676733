import { composeServices } from "@apollo/composition";
import { subgraphSdl } from "@ndx/schema";
import { getOperationAST, parse } from "graphql";
import { describe, expect, it } from "vitest";
import { buildFieldCatalogue } from "../src/access/fieldCatalogue.ts";
import { computeScope, createScopes, type Scope } from "../src/access/scope.ts";

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

  it("makes a named citizen a subject whatever is selected: asking only whether they exist reads their identity", () => {
    const scope = scopeOf(`{ p0: person(nic: "199012345678") { __typename } p1: person(nic: "198503150123") { __typename } }`);
    expect([...scope.subjects.keys()].sort()).toEqual(["198503150123", "199012345678"]);
    for (const fields of scope.subjects.values()) expect(pairs(fields)).toEqual(["registry:Person.nic"]);
    expect(scope.fields).toEqual([{ provider: "registry", field: "Person.nic", classification: "PERSONAL" }]);
  });

  it("does the same when the only selection is excluded by a variable", () => {
    const scope = scopeOf(`query($x: Boolean!) { person(nic: "199012345678") { fullName @include(if: $x) } }`, { x: false });
    expect(pairs(scope.subjects.get("199012345678") ?? [])).toEqual(["registry:Person.nic"]);
  });

  it("adds no identity when personal data about the citizen is read anyway", () => {
    const scope = scopeOf(`{ person(nic: "199012345678") { __typename vehicles { regNo } } }`);
    expect(pairs(scope.fields)).toEqual(["dmt:Person.vehicles", "dmt:Vehicle.regNo"]);
  });

  it("attributes an entity's key field to the subgraph that owns the entity, not to one that extends it", () => {
    const scope = scopeOf(`{ person(nic: "199012345678") { nic vehicles { regNo } } }`);
    expect(pairs(scope.fields)).toEqual(["dmt:Person.vehicles", "dmt:Vehicle.regNo", "registry:Person.nic"]);
  });
});

describe("scopes planned once per operation", () => {
  const operationOf = (document: ReturnType<typeof parse>) => {
    const operation = getOperationAST(document);
    if (operation === null || operation === undefined) throw new Error("no operation");
    return operation;
  };
  const shown = (scope: Scope) => ({
    rootFields: scope.rootFields,
    fields: scope.fields.map((f) => `${f.provider}:${f.field}:${f.classification}`),
    subjects: [...scope.subjects].map(([nic, fields]) => [nic, fields.map((f) => f.field)]),
    invalid: scope.invalidSubjects,
  });

  it("gives each request the scope its variables make, as if they were written into the query", () => {
    // Each shape written once with variables and once with the values in their place (no condition left to decide).
    type Slots = { nic: string; nic2: string; a: string; b: string };
    const shapes: ((v: Slots) => string)[] = [
      (v) => `query($nic: String!, $nic2: String!, $a: Boolean!, $b: Boolean!) {
        me: person(nic: ${v.nic}) { ...F ... on Person @include(if: ${v.a}) { profession } vehicles @skip(if: ${v.b}) { regNo } }
        other: person(nic: ${v.nic2}) @include(if: ${v.b}) { fullName vehicles { class { classCode } } }
      }
      fragment F on Person { fullName permanentAddress @skip(if: ${v.a}) }`,
      (v) => `query($nic: String!, $nic2: String!, $a: Boolean!, $b: Boolean!) {
        ...Root @skip(if: ${v.a})
        again: person(nic: ${v.nic}) { profession @include(if: ${v.b}) }
        vehicle(regNo: "FJ-4821-AB") @include(if: ${v.b}) { regNo }
      }
      fragment Root on Query { person(nic: ${v.nic2}) { fullName } districts }`,
    ];
    const scopes = createScopes(catalogue);
    for (const shape of shapes) {
      const document = parse(shape({ nic: "$nic", nic2: "$nic2", a: "$a", b: "$b" }));
      for (const nic of ["199012345678", "12-34"]) {
        for (const nic2 of ["199012345678", "198503150123"]) {
          for (const a of [true, false]) {
            for (const b of [true, false]) {
              const literal = parse(shape({ nic: JSON.stringify(nic), nic2: JSON.stringify(nic2), a: String(a), b: String(b) }));
              const expected = computeScope(catalogue, literal, operationOf(literal), {});
              expect(shown(scopes.of(document, operationOf(document), { nic, nic2, a, b }))).toEqual(shown(expected));
            }
          }
        }
      }
    }
  });

  it("shares one frozen field list among the requests of one shape, whoever they are about", () => {
    const scopes = createScopes(catalogue);
    const document = parse(`query($nic: String!) { person(nic: $nic) { fullName permanentAddress } }`);
    const first = scopes.of(document, operationOf(document), { nic: "199012345678" });
    const second = scopes.of(document, operationOf(document), { nic: "198503150123" });
    expect([...first.subjects.keys()]).toEqual(["199012345678"]);
    expect([...second.subjects.keys()]).toEqual(["198503150123"]);
    expect(second.fields).toBe(first.fields);
    expect(second.subjects.get("198503150123")).toBe(first.subjects.get("199012345678"));
    expect(Object.isFrozen(first.fields) && first.fields.every((f) => Object.isFrozen(f))).toBe(true);
    // The same text parsed again is another document, planned on its own, with the same result.
    const again = parse(`query($nic: String!) { person(nic: $nic) { fullName permanentAddress } }`);
    expect(shown(scopes.of(again, operationOf(again), { nic: "199012345678" }))).toEqual(shown(first));
  });
});
