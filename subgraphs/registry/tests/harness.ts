/** A registry on a test backend, called as the gateway calls it: with a caller assertion signed by the gateway's key. */
import { randomBytes } from "node:crypto";
import { generateCitizens, loadFarajaland } from "@ndx/fixtures";
import {
  createCallerAssertionSigner,
  createLogger,
  defaultFixturesFile,
  generateGatewaySigningKey,
  migrate,
  readMigrations,
  type Db,
  type ForwardedCaller,
} from "@ndx/platform";
import type { Backend } from "@ndx/platform/testing";
import {
  createRegistry,
  defaultRegistersDir,
  envKeyEncryptionKey,
  loadRegisters,
  migrationsDir,
  seedRegistry,
  type KeyEncryptionKeyProvider,
  type RegisterCatalogue,
  type RegistryYoga,
} from "../src/index.ts";

const farajaland = loadFarajaland(defaultFixturesFile);
/** The test gateway: its key signs the assertions; the registry is given its public keys. */
const gatewaySigner = createCallerAssertionSigner({ key: generateGatewaySigningKey() });
const gatewayTrust = { jwks: gatewaySigner.jwks };
/** What the gateway sends the registry for `caller`. */
export const gatewayHeaders = async (caller: ForwardedCaller | undefined): Promise<Record<string, string>> => ({
  authorization: `Bearer ${await gatewaySigner.sign("registry", caller)}`,
});
export const eventsToken = "test-events-token";

export const maker: ForwardedCaller = { kind: "staff", id: "registrar.maker", roles: ["registrar"], traceId: undefined };
export const checker: ForwardedCaller = { kind: "staff", id: "registrar.checker", roles: ["registrar", "approver"], traceId: undefined };
export const checker2: ForwardedCaller = { kind: "staff", id: "registrar.checker2", roles: ["approver"], traceId: undefined };
export const passportApp: ForwardedCaller = { kind: "consumer", id: "passport-app", roles: [], traceId: undefined };

export interface Body {
  data?: Record<string, unknown> | null;
  errors?: { message: string; extensions?: Record<string, unknown> }[];
}

export type Gql = (caller: ForwardedCaller | undefined, query: string, variables?: Record<string, unknown>) => Promise<Body>;

export interface TestRegistry {
  readonly db: Db;
  readonly yoga: RegistryYoga;
  readonly kek: KeyEncryptionKeyProvider;
  readonly gql: Gql;
  /** Another registry instance on the same database (e.g. with other metadata or another KEK). */
  start(options?: { registers?: RegisterCatalogue; kek?: KeyEncryptionKeyProvider }): Promise<{ yoga: RegistryYoga; gql: Gql }>;
  close(): Promise<void>;
}

function gqlFor(yoga: RegistryYoga): Gql {
  return async (caller, query, variables) => {
    const response = await yoga.fetch("http://registry.test/graphql", {
      method: "POST",
      headers: { "content-type": "application/json", ...(await gatewayHeaders(caller)) },
      body: JSON.stringify({ query, variables }),
    });
    return (await response.json()) as Body;
  };
}

export async function startTestRegistry(backend: Backend, options: { generated?: number } = {}): Promise<TestRegistry> {
  const db = await backend.open("registry");
  await migrate(db, readMigrations(migrationsDir), "ndx:registry");
  const generated = generateCitizens({ count: options.generated ?? 40, reserved: farajaland.citizens });
  await seedRegistry(db, [...farajaland.citizens, ...generated]);
  const kek = envKeyEncryptionKey(randomBytes(32));
  const logger = createLogger("test", "silent");
  const start: TestRegistry["start"] = async (o = {}) => {
    const yoga = await createRegistry({
      db,
      logger,
      registers: o.registers ?? loadRegisters(defaultRegistersDir),
      keyEncryptionKey: o.kek ?? kek,
      gatewayTrust,
      eventsToken,
    });
    return { yoga, gql: gqlFor(yoga) };
  };
  const first = await start();
  return { db, kek, yoga: first.yoga, gql: first.gql, start, close: () => db.close() };
}

/** The GraphQL error codes of a response, in order. */
export const codes = (body: Body): unknown[] => (body.errors ?? []).map((e) => e.extensions?.["code"]);

const changeRequestFields = `id register recordId operation baseVersion payload reason idempotencyKey status
  submittedBy decidedBy decisionComment appliedVersion duplicates { recordId reasons } transitions { from to by roles comment at }`;

export const submitMutation = `mutation($input: SubmitChangeRequestInput!) { submitChangeRequest(input: $input) { ${changeRequestFields} } }`;
export const approveMutation = `mutation($id: ID!, $comment: String!) { approveChangeRequest(id: $id, comment: $comment) { ${changeRequestFields} } }`;
export const rejectMutation = `mutation($id: ID!, $comment: String!) { rejectChangeRequest(id: $id, comment: $comment) { ${changeRequestFields} } }`;
export const withdrawMutation = `mutation($id: ID!, $comment: String) { withdrawChangeRequest(id: $id, comment: $comment) { ${changeRequestFields} } }`;

export interface ChangeRequestJson {
  id: string;
  status: string;
  recordId: string;
  appliedVersion: number | null;
  payload: Record<string, unknown> | null;
  duplicates: { recordId: string; reasons: string[] }[];
  transitions: { from: string | null; to: string; by: string; roles: string[]; comment: string | null; at: string }[];
  [field: string]: unknown;
}

let keyCounter = 0;
/** A fresh idempotency key. */
export const newKey = (): string => `test-key-${(keyCounter += 1)}-${randomBytes(6).toString("hex")}`;
