/** The two read scenarios, as each target is asked them. */
export type Target = "direct" | "plain" | "ndx" | "hive" | "hive-rust" | "hive-router";

export interface Scenario {
  readonly name: "person" | "people";
  readonly title: string;
  /** What the gateways (plain, NDX, Hive) are sent. */
  readonly query: string;
  /** What the registry subgraph is sent directly: the part of the query it resolves itself (the floor). */
  readonly directQuery: string;
  /**
   * The variables of the requests, taken in turn: the same query about different citizens (or districts), as real
   * traffic is. Identical concurrent requests would let a gateway that merges identical in-flight subgraph calls
   * (Hive Gateway does by default) skip work that real traffic needs.
   */
  variables(registry: RegistryClient): Promise<Record<string, unknown>[]>;
  /** The variable that names the citizen (consent is granted for each before the run), if any. */
  readonly subjectVariable?: string;
}

export type RegistryClient = (query: string) => Promise<unknown>;

/** A canonical Farajaland citizen with records in all three providers (registry, DRP, DMT): the micro-benchmark's. */
export const benchCitizen = "198503150123";

/** How many people the list scenario asks for per request (each one a DMT vehicle lookup). */
export const listPageSize = 50;

/** How many different citizens the single-person scenario asks about in turn. */
const personVariants = 64;

export const scenarios: readonly Scenario[] = [
  {
    name: "person",
    title: "one person across the three providers",
    query: `query Person($nic: String!) {
  person(nic: $nic) {
    fullName dateOfBirth district
    registeredName permanentAddress profession
    vehicles { regNo make model year }
  }
}`,
    directQuery: `query Person($nic: String!) { person(nic: $nic) { fullName dateOfBirth district } }`,
    async variables(registry) {
      // The first citizens of the register by NIC (canonical and generated; the simulators hold the same people).
      const data = (await registry(`{ people(first: ${personVariants}) { edges { node { nic } } } }`)) as {
        people: { edges: { node: { nic: string } }[] };
      };
      return data.people.edges.map((e) => ({ nic: e.node.nic }));
    },
    subjectVariable: "nic",
  },
  {
    name: "people",
    title: "50 people with their vehicles (entity batching)",
    query: `query People($district: String!) {
  people(first: ${listPageSize}, filter: { district: $district }) {
    edges { node { fullName vehicles { regNo } } }
  }
}`,
    directQuery: `query People($district: String!) { people(first: ${listPageSize}, filter: { district: $district }) { edges { node { fullName } } } }`,
    async variables(registry) {
      // Every district of Farajaland (16), about 600 people each.
      const data = (await registry("{ districts }")) as { districts: string[] };
      return data.districts.map((district) => ({ district }));
    },
  },
];

export function requestBody(query: string, variables: Record<string, unknown>): string {
  return JSON.stringify({ query, variables });
}
