/** Real parts for gateway tests: the registry subgraph on a free port over real HTTP, with a request counter. */
import { generateCitizens, loadFarajaland } from "@ndx/fixtures";
import {
  createCallerAssertionSigner,
  createLogger,
  createServiceMetrics,
  defaultFixturesFile,
  generateGatewaySigningKey,
  listen,
  migrate,
  openDb,
  readMigrations,
  type Listening,
  type Logger,
  type SubgraphTrustOptions,
  type Tracing,
} from "@ndx/platform";
import { expect } from "vitest";
import type { ExchangeRegister } from "@ndx/contracts";
import { buildBundle, loadAccessPolicy, type AccessPolicy } from "@ndx/policy";
import { createRegistry, migrationsDir, seedRegistry } from "@ndx/registry";
import { readSupergraph } from "@ndx/schema";
import { policyDataOf } from "../src/access/registerData.ts";
import { seedRegister } from "../src/access/seedRegister.ts";
import { buildFieldCatalogue, createGateway, createGatewayMetrics, type Gateway, type RequestLimits } from "../src/index.ts";

export const logger = createLogger("test", "silent");
/** The test gateway's signer of caller assertions; the test subgraphs are given its public keys (`gatewayTrust`). */
export const assertions = createCallerAssertionSigner({ key: generateGatewaySigningKey() });
export const gatewayTrust = { jwks: assertions.jwks };

/**
 * The register of a fresh development exchange, from the fixture seed (passport-app and benefits-app with their
 * purposes and grants): what the tests give the access control instead of following an exchange.
 */
export function seededRegister(revision = 1): ExchangeRegister {
  return seedRegister(buildFieldCatalogue(readSupergraph()), new Date(), revision);
}

/** The real policy bundle (built when stale) with `register` (the seeded one by default) as its data. */
export async function registerPolicy(register: ExchangeRegister = seededRegister()): Promise<AccessPolicy> {
  buildBundle();
  return loadAccessPolicy(undefined, { data: policyDataOf(register, Date.now()).data });
}

export interface RunningRegistry {
  readonly http: Listening;
  readonly url: string;
  /** GraphQL requests received so far. */
  requests(): number;
  /** The Authorization header of each GraphQL request received, in order. */
  readonly authorizations: readonly (string | undefined)[];
  close(): Promise<void>;
}

export async function startRegistry(generated = 200, tracing?: Tracing, trust: SubgraphTrustOptions = gatewayTrust): Promise<RunningRegistry> {
  const db = await openDb({ schema: "registry" });
  await migrate(db, readMigrations(migrationsDir), "ndx:registry");
  const canonical = loadFarajaland(defaultFixturesFile).citizens;
  await seedRegistry(db, [...canonical, ...generateCitizens({ count: generated, reserved: canonical })]);
  const yoga = await createRegistry({ db, logger, gatewayTrust: trust, tracing });
  let count = 0;
  const authorizations: (string | undefined)[] = [];
  const http = await listen((req, res) => {
    if (req.url?.startsWith("/graphql") === true) {
      count += 1;
      authorizations.push(req.headers.authorization);
    }
    void yoga(req, res);
  }, 0);
  return {
    http,
    url: `${http.url}/graphql`,
    requests: () => count,
    authorizations,
    async close() {
      await http.close();
      await db.close();
    },
  };
}

/** A gateway without the access plugin over a real registry: for what the gateway does before and around execution. */
export async function startGateway(
  registryUrl: string,
  options: { timeoutMs?: number; limits?: RequestLimits; logger?: Logger; metrics?: boolean } = {},
): Promise<Gateway> {
  const service = options.metrics === true ? createServiceMetrics("gateway") : undefined;
  return createGateway({
    ...(options.limits === undefined ? {} : { limits: options.limits }),
    supergraphSdl: readSupergraph(),
    subgraphUrls: { registry: registryUrl },
    assertions,
    logger: options.logger ?? logger,
    ...(options.timeoutMs === undefined ? {} : { subgraphTimeoutMs: options.timeoutMs }),
    ...(service === undefined ? {} : { metrics: { service, gateway: createGatewayMetrics(service) } }),
  });
}

export interface GraphQLResponse {
  status: number;
  body: {
    data?: Record<string, unknown> | null;
    errors?: { message: string; path?: unknown[]; extensions?: Record<string, unknown> }[];
  };
}

export async function post(gateway: Gateway, body: unknown): Promise<GraphQLResponse> {
  const response = await gateway.yoga.fetch("http://gateway.test/graphql", {
    method: "POST",
    headers: { "content-type": "application/json", accept: "application/graphql-response+json, application/json" },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as GraphQLResponse["body"] };
}

/** Posts `body` to the gateway and expects a 400 BAD_USER_INPUT matching `pattern`, with no subgraph called. */
export async function expectRefusedBeforeExecution(gateway: Gateway, registry: RunningRegistry, body: unknown, pattern: RegExp): Promise<void> {
  const before = registry.requests();
  const { status, body: answer } = await post(gateway, body);
  expect(status).toBe(400);
  expect(answer.errors?.[0]?.extensions?.["code"]).toBe("BAD_USER_INPUT");
  expect(answer.errors?.[0]?.message).toMatch(pattern);
  expect(registry.requests()).toBe(before);
}
