/** A real DMT legacy simulator on a free port and a DMT adapter in front of it, with captured logs. */
import { Writable } from "node:stream";
import { generateCitizens, loadFarajaland } from "@ndx/fixtures";
import { defaultFixturesFile } from "@ndx/platform";
import { pino } from "pino";
import { createDmtStore, startDmtLegacy, type DmtLegacy } from "@ndx/dmt-legacy";
import { createDmtAdapter, type DmtAdapter, type DmtAdapterOptions } from "../src/index.ts";

export const credentials = { username: "ndx-test", password: "dmt-test-pass-91c2" };
export const canonical = loadFarajaland(defaultFixturesFile).citizens;
export const generated = generateCitizens({ count: 300, reserved: canonical });

export function startSimulator(port = 0): Promise<DmtLegacy> {
  return startDmtLegacy({
    store: createDmtStore([...canonical, ...generated]),
    credentials,
    port,
    logger: pino({ level: "silent" }),
  });
}

export interface Harness {
  readonly adapter: DmtAdapter;
  readonly logs: string[];
}

export function startAdapter(dmt: { url: string }, options: Partial<DmtAdapterOptions> = {}): Harness {
  const logs: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      logs.push(chunk.toString("utf8"));
      done();
    },
  });
  const adapter = createDmtAdapter({
    baseUrl: dmt.url,
    credentials,
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
  data?: Record<string, unknown> | null;
  errors?: { message: string; path?: (string | number)[]; extensions?: Record<string, unknown> }[];
}

export async function query(adapter: DmtAdapter, source: string, variables: Record<string, unknown> = {}): Promise<GraphQLBody> {
  const response = await adapter.yoga.fetch("http://dmt.test/graphql", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ query: source, variables }),
  });
  return (await response.json()) as GraphQLBody;
}

const entitiesQuery = `query($r: [_Any!]!) { _entities(representations: $r) {
  ... on Person { nic vehicles { regNo make model year class { className classCode } } } } }`;

/** The gateway's `_entities` call for these NICs. */
export function vehiclesOf(adapter: DmtAdapter, nics: readonly unknown[]): Promise<GraphQLBody> {
  return query(adapter, entitiesQuery, { r: nics.map((nic) => ({ __typename: "Person", nic })) });
}

export const entitiesOf = (body: GraphQLBody) => (body.data?.["_entities"] ?? []) as ({ nic: string; vehicles: unknown[] | null } | null)[];
