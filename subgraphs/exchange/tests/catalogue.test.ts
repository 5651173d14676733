import { describe, expect, it } from "vitest";
import { buildFieldCatalogue } from "../src/index.ts";
import { catalogue } from "./catalogue.ts";

describe("the field catalogue", () => {
  it("lists each provider's fields of the live supergraph with their data class", () => {
    expect(catalogue.providers).toEqual(["dmt", "drp", "registry"]);
    expect(catalogue.field("dmt", "Person.vehicles")).toMatchObject({ provider: "dmt", coordinate: "Person.vehicles", dataClass: "PERSONAL" });
    expect(catalogue.field("drp", "Person.registeredName")?.description).toMatch(/DRP/);
    expect(catalogue.field("registry", "Query.person")).toMatchObject({ dataClass: "PERSONAL" });
    expect(catalogue.field("registry", "Query.districts")).toMatchObject({ dataClass: "PUBLIC" });
    // A field of another provider is not the provider's.
    expect(catalogue.field("drp", "Person.vehicles")).toBeUndefined();
    // An entity key every subgraph of the type resolves belongs to each of them.
    for (const p of ["registry", "drp", "dmt"]) expect(catalogue.field(p, "Person.nic")).toBeDefined();
  });

  it("leaves out the exchange's own fields and mutations", () => {
    const all = catalogue.fields();
    expect(all.some((f) => f.provider === "exchange" || f.coordinate.startsWith("Application.") || f.coordinate === "Query.members")).toBe(false);
    expect(all.some((f) => f.coordinate.startsWith("Mutation."))).toBe(false);
    expect(catalogue.fields("dmt").every((f) => f.provider === "dmt")).toBe(true);
    expect(catalogue.fields("nobody")).toEqual([]);
  });

  it("classes an undeclared field PERSONAL", () => {
    const sdl = `
      enum join__Graph { A @join__graph(name: "a", url: "http://a") }
      directive @join__graph(name: String!, url: String!) on ENUM_VALUE
      directive @join__type(graph: join__Graph!, key: String) repeatable on OBJECT
      directive @join__field(graph: join__Graph) repeatable on FIELD_DEFINITION
      directive @classified(as: String!) on FIELD_DEFINITION
      type Query @join__type(graph: A) { thing: Thing @classified(as: "PUBLIC") }
      type Thing @join__type(graph: A) { secret: String }`;
    const small = buildFieldCatalogue(sdl);
    expect(small.providers).toEqual(["a"]);
    expect(small.field("a", "Thing.secret")).toMatchObject({ dataClass: "PERSONAL" });
    expect(small.field("a", "Query.thing")).toMatchObject({ dataClass: "PUBLIC" });
  });
});
