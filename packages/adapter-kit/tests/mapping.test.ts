import { describe, expect, it } from "vitest";
import { createMapper, MappingError, parseMapping, UpstreamError, type Mapping } from "../src/index.ts";

const sdl = `
extend schema @link(url: "https://specs.apollo.dev/federation/v2.7", import: ["@key"])
type Person @key(fields: "nic") { nic: String! name: String aliases: [String!] born: Int! car: Car }
type Car { plate: String! year: Int! kind: Kind! electric: Boolean weight: Float }
enum Kind { CAR VAN }
`;

const mapping: Mapping = {
  provider: "acme",
  schemaId: "acme-v1",
  types: {
    Person: {
      key: ["nic"],
      fields: {
        name: { providerField: "who.name" },
        aliases: { providerField: "who.aliases" },
        born: { providerField: "bornYear" },
        car: { providerField: "vehicle" },
      },
    },
    Car: {
      fields: {
        plate: { providerField: "Plate" },
        year: { providerField: "Year" },
        kind: { providerField: "Kind" },
        electric: { providerField: "Electric" },
        weight: { providerField: "Weight" },
      },
    },
  },
};

describe("declarative mapping", () => {
  const mapper = createMapper(mapping, sdl);

  it("reads each field from its upstream path, coercing to the GraphQL type", () => {
    const person = mapper.map("Person", {
      who: { name: "Ada", aliases: "Countess" },
      bornYear: "1815",
      vehicle: { Plate: "FJ-1", Year: 2019, Kind: "VAN", Electric: "true", Weight: "1.5" },
      ignored: "not mapped",
    });
    expect(person).toEqual({
      name: "Ada",
      aliases: ["Countess"],
      born: 1815,
      car: { plate: "FJ-1", year: 2019, kind: "VAN", electric: true, weight: 1.5 },
    });
  });

  it("reads XML-shaped values: text beside attributes, xsi:nil, an empty element as an empty list", () => {
    const person = mapper.map("Person", {
      who: { name: { "#text": "Ada", "@_lang": "en" }, aliases: "" },
      bornYear: "1815",
      vehicle: { "@_nil": "true" },
    });
    expect(person).toEqual({ name: "Ada", aliases: [], born: 1815, car: null });
  });

  it("gives nulls for a record the upstream does not have", () => {
    expect(mapper.nulls("Person")).toEqual({ name: null, aliases: null, born: null, car: null });
  });

  it.each([
    ["a required value missing", { who: {} }, /Person.born ⇐ bornYear: required value is missing/],
    ["an Int that is not a number", { bornYear: "eighteen" }, /expected Int/],
    ["an Int out of range", { bornYear: "99999999999" }, /expected Int/],
    ["an object where a string belongs", { bornYear: 1, who: { name: { first: "A" } } }, /Person.name ⇐ who.name: expected String/],
    ["an unknown enum value", { bornYear: 1, vehicle: { Plate: "x", Year: 1, Kind: "TANK" } }, /expected one of Kind/],
    ["a list item of the wrong type", { bornYear: 1, who: { aliases: ["a", {}] } }, /aliases\[1\]: expected String/],
    ["not a record at all", "just text", /expected a record for Person/],
  ])("refuses %s as a malformed upstream answer", (_, record, message) => {
    let caught: unknown;
    try {
      mapper.map("Person", record);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(UpstreamError);
    expect(caught).toMatchObject({ kind: "malformed", provider: "acme" });
    expect((caught as Error).message).toMatch(message);
  });

  it("does not follow inherited properties", () => {
    const m = createMapper({ ...mapping, types: { ...mapping.types, Person: { ...mapping.types["Person"]!, fields: { ...mapping.types["Person"]!.fields, name: { providerField: "who.toString" } } } } }, sdl);
    expect(m.map("Person", { who: {}, bornYear: 1 })["name"]).toBeNull();
  });

  it("is checked against the SDL at start-up: unknown types and fields, unmapped fields and nested types", () => {
    const bad: Mapping = {
      provider: "acme",
      schemaId: "v1",
      types: {
        Person: { fields: { name: { providerField: "n" }, salary: { providerField: "s" }, car: { providerField: "c" } } },
        Ghost: { fields: {} },
      },
    };
    let problems: readonly string[] = [];
    try {
      createMapper(bad, sdl);
    } catch (error) {
      problems = error instanceof MappingError ? error.problems : [];
    }
    expect(problems).toEqual(
      expect.arrayContaining([
        "Person.salary is not a field of Person",
        "Person.car ⇐ c is a Car, which has no mapping",
        "Person.nic has no mapping (map it, or list it in key)",
        "Person.born has no mapping (map it, or list it in key)",
        "Ghost is not an object type of the schema",
      ]),
    );
  });

  it.each([
    [{}, /provider/],
    [{ provider: "a", schemaId: "b", types: { T: { fields: { f: { providerField: "a..b" } } } } }, /dot path/],
    [{ provider: "a", schemaId: "b", types: { T: { fields: { f: { providerField: "__proto__.x" } } } } }, /dot path/],
    [{ provider: "a", schemaId: "b", types: { T: { fields: { f: "plain" } } } }, /dot path/],
    [{ provider: "a", schemaId: "b", types: { T: {} } }, /fields must be an object/],
  ])("refuses a badly shaped mapping file %#", (value, message) => {
    expect(() => parseMapping(value)).toThrow(message);
  });
});
