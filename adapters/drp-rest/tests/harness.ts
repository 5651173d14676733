/** A real DRP legacy simulator on a free port and a DRP adapter in front of it, with captured logs. */
import { Writable } from "node:stream";
import { generateCitizens, loadFarajaland } from "@ndx/fixtures";
import { defaultFixturesFile } from "@ndx/platform";
import { pino } from "pino";
import { createDrpStore, startDrpLegacy, type DrpLegacy } from "@ndx/drp-legacy";
import { createDrpAdapter, type DrpAdapter, type DrpAdapterOptions } from "../src/index.ts";

export const apiKey = "drp-test-key-7f3a";
export const canonical = loadFarajaland(defaultFixturesFile).citizens;
export const generated = generateCitizens({ count: 300, reserved: canonical });

export function startSimulator(): Promise<DrpLegacy> {
  return startDrpLegacy({
    store: createDrpStore([...canonical, ...generated]),
    apiKeys: [apiKey],
    port: 0,
    logger: pino({ level: "silent" }),
  });
}

export interface Harness {
  readonly adapter: DrpAdapter;
  /** Every log line the adapter wrote. */
  readonly logs: string[];
}

export function startAdapter(drp: DrpLegacy, options: Partial<DrpAdapterOptions> = {}): Harness {
  const logs: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      logs.push(chunk.toString("utf8"));
      done();
    },
  });
  const adapter = createDrpAdapter({
    baseUrl: drp.url,
    apiKey,
    // Calls are expected to succeed unless a test injects a fault (tests of timeouts set their own): 5 s, where 1 s could
    // lapse on a loaded 2-core CI machine.
    timeoutMs: 5000,
    retries: 2,
    backoff: { baseMs: 5, maxMs: 20 },
    graphiql: false,
    logger: pino({ level: "debug" }, sink),
    ...options,
  });
  return { adapter, logs };
}

export interface GraphQLBody {
  data?: { _entities?: (Record<string, unknown> | null)[] } | null;
  errors?: { message: string; path?: (string | number)[]; extensions?: Record<string, unknown> }[];
}

const entitiesQuery = `query($r: [_Any!]!) { _entities(representations: $r) {
  ... on Person { nic registeredName otherNames permanentAddress profession } } }`;

/** The gateway's `_entities` call for these NICs. */
export async function entities(adapter: DrpAdapter, nics: readonly unknown[]): Promise<GraphQLBody> {
  const response = await adapter.yoga.fetch("http://drp.test/graphql", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ query: entitiesQuery, variables: { r: nics.map((nic) => ({ __typename: "Person", nic })) } }),
  });
  return (await response.json()) as GraphQLBody;
}
