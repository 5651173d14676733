/**
 * The real registry subgraph (`@ndx/registry`) on a free port and a fresh PGlite database, seeded as in development
 * (the canonical citizens, the demo households and their minor), serving its guardianship route over HTTP for the
 * consent engine. It can be made slow (answers held back) or stopped, and changed through approved change requests
 * as the gateway calls it (caller assertions signed by a test gateway's key).
 */
import { randomBytes } from "node:crypto";
import { loadHouseholds } from "@ndx/fixtures";
import { createCallerAssertionSigner, createLogger, generateGatewaySigningKey, listen, migrate, openDb, readMigrations, type ForwardedCaller } from "@ndx/platform";
import { createRegistry, envKeyEncryptionKey, migrationsDir, seedRegistry } from "@ndx/registry";
import { createGuardianshipClient, type GuardianshipSource } from "../../src/guardianship/guardianshipClient.ts";
import { fixtures } from "./system.ts";

export const households = loadHouseholds();
const guardianshipToken = "test-guardianship-token-0123456789";

export interface RealRegistry {
  readonly url: string;
  /** A client of its guardianship route, as the engine makes one. */
  client(options?: { timeoutMs?: number; token?: string }): GuardianshipSource;
  /** Holds every answer back this long (0: answers at once). */
  slow(ms: number): void;
  /** Submits and approves a change request (maker, then checker), as registry staff do through the gateway. */
  change(input: Record<string, unknown>): Promise<void>;
  close(): Promise<void>;
}

const staff = (id: string, roles: string[]): ForwardedCaller => ({ kind: "staff", id, roles, traceId: undefined });

export async function startRealRegistry(): Promise<RealRegistry> {
  const db = await openDb({ schema: "registry" });
  await migrate(db, readMigrations(migrationsDir), "ndx:registry");
  await seedRegistry(db, [...fixtures.citizens, ...households.citizens]);
  const signer = createCallerAssertionSigner({ key: generateGatewaySigningKey() });
  const yoga = await createRegistry({
    db,
    logger: createLogger("registry", "silent"),
    keyEncryptionKey: envKeyEncryptionKey(randomBytes(32)),
    gatewayTrust: { jwks: signer.jwks },
    guardianshipToken,
    seedRecords: [{ register: "households", records: households.households }],
  });
  let delayMs = 0;
  const http = await listen((req, res) => {
    if (delayMs === 0) return void yoga(req, res);
    const timer = setTimeout(() => void yoga(req, res), delayMs);
    res.on("close", () => clearTimeout(timer));
  }, 0);
  const url = `http://127.0.0.1:${http.port}`;

  async function gql(caller: ForwardedCaller, query: string, variables: Record<string, unknown>): Promise<Record<string, unknown>> {
    const response = await fetch(`${url}/graphql`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${await signer.sign("registry", caller)}` },
      body: JSON.stringify({ query, variables }),
    });
    const body = (await response.json()) as { data?: Record<string, unknown>; errors?: { message: string }[] };
    if (body.errors !== undefined) throw new Error(body.errors.map((e) => e.message).join("; "));
    return body.data ?? {};
  }

  return {
    url,
    client: (o = {}) => createGuardianshipClient({ registryUrl: url, token: o.token ?? guardianshipToken, ...(o.timeoutMs === undefined ? {} : { timeoutMs: o.timeoutMs }) }),
    slow(ms) {
      delayMs = ms;
    },
    async change(input) {
      const submitted = await gql(staff("registrar.maker", ["registrar"]), "mutation($input: SubmitChangeRequestInput!) { submitChangeRequest(input: $input) { id } }", {
        input: { idempotencyKey: `test-${randomBytes(8).toString("hex")}`, reason: "test", ...input },
      });
      const id = (submitted["submitChangeRequest"] as { id: string }).id;
      await gql(staff("registrar.checker", ["registrar", "approver"]), "mutation($id: ID!) { approveChangeRequest(id: $id, comment: \"checked\") { id } }", { id });
    },
    async close() {
      await http.close();
      await db.close();
    },
  };
}
