/**
 * Test helpers: the storage backends every storage test runs on. PGlite always; a real PostgreSQL server too when
 * TEST_DATABASE_URL is set (CI sets it), each test getting a database of its own that is dropped afterwards.
 */
import { randomBytes } from "node:crypto";
import pg from "pg";
import { openDb, type Db } from "./db.ts";

export { createTestGateway, type TestGateway } from "./testGateway.ts";
export { registerStandInToken, startRegisterStandIn, type RegisterStandIn, type RegisterStandInOptions } from "./registerStandIn.ts";

/**
 * An endpoint's answer as `{status, code, cache}`, to compare whole: an error (endpointErrors.ts) names its code and is
 * never cached; anything else has no code.
 */
export async function endpointAnswer(response: Response): Promise<{ status: number; code: string | undefined; cache: string | null }> {
  const body: unknown = await response.json().catch(() => undefined);
  const error = typeof body === "object" && body !== null ? (body as { error?: unknown }).error : undefined;
  const code = typeof error === "object" && error !== null ? (error as { code?: unknown }).code : undefined;
  return { status: response.status, code: typeof code === "string" ? code : undefined, cache: response.headers.get("cache-control") };
}

export interface Backend {
  readonly name: "pglite" | "postgres";
  /** Opens a fresh, empty database in the given schema. */
  open(schema: string): Promise<Db & { readonly url: string | undefined }>;
}

export function testBackends(env: Readonly<Record<string, string | undefined>> = process.env): Backend[] {
  const backends: Backend[] = [
    {
      name: "pglite",
      async open(schema) {
        return Object.assign(await openDb({ schema }), { url: undefined });
      },
    },
  ];
  const adminUrl = env["TEST_DATABASE_URL"];
  if (adminUrl !== undefined && adminUrl !== "") {
    backends.push({
      name: "postgres",
      async open(schema) {
        const name = `ndx_test_${randomBytes(6).toString("hex")}`;
        const admin = new pg.Client({ connectionString: adminUrl });
        await admin.connect();
        await admin.query(`CREATE DATABASE ${name}`);
        await admin.end();
        const url = new URL(adminUrl);
        url.pathname = `/${name}`;
        const db = await openDb({ url: url.toString(), schema, poolSize: 4 });
        return Object.assign({}, db, {
          url: url.toString(),
          async close() {
            await db.close();
            const cleanup = new pg.Client({ connectionString: adminUrl });
            await cleanup.connect();
            await cleanup.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
            await cleanup.end();
          },
        });
      },
    });
  }
  return backends;
}

/**
 * Reads Prometheus text (GET /metrics): the sum of the samples of `name` whose labels include every one of `labels`,
 * or undefined when there is none.
 */
export function metricValue(text: string, name: string, labels: Readonly<Record<string, string>> = {}): number | undefined {
  let sum: number | undefined;
  for (const line of text.split("\n")) {
    const match = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (match?.[1] !== name) continue;
    const found = new Map<string, string>();
    for (const [, key, value] of (match[2] ?? "").matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)) found.set(key ?? "", value ?? "");
    if (Object.entries(labels).every(([k, v]) => found.get(k) === v)) sum = (sum ?? 0) + Number(match[3]);
  }
  return sum;
}
