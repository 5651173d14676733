/**
 * The DRP legacy REST service: person by NIC, batch lookup, API-key authentication, a rate limit per key, and HTTP
 * as a real service speaks it (400, 401, 404, 405, 413, 415, 429 with Retry-After, 5xx). Tests add faults through
 * `faults` (or the /__test endpoints when enabled) and read how many calls were made from `stats`.
 */
import { createHash, timingSafeEqual } from "node:crypto";
import type { Logger, Tracing } from "@ndx/platform";
import {
  createCallStats,
  createFaultInjector,
  createSimulatorMetrics,
  delay,
  startSimulatorServer,
  type CallStats,
  type FaultInjector,
  type RunningSimulator,
} from "@ndx/simulator-kit";
import { drpFaultLabel, parseDrpFault, type DrpFault, type DrpOperation } from "./drpFaults.ts";
import type { DrpStore } from "./drpStore.ts";
import { drpOpenApi } from "./openapi.ts";
import { createRateLimiter } from "./rateLimiter.ts";

export interface DrpLegacyOptions {
  readonly store: DrpStore;
  /** Accepted values of X-API-Key. */
  readonly apiKeys: readonly string[];
  /** @default 9091 */
  readonly port?: number;
  /** @default "127.0.0.1" */
  readonly host?: string;
  /** @default { ratePerSecond: 500, burst: 1000 } */
  readonly rateLimit?: { readonly ratePerSecond: number; readonly burst: number };
  /** @default 100 */
  readonly maxBatch?: number;
  /** Serve the /__test control endpoints. @default false */
  readonly testControl?: boolean;
  /** A SERVER span per request, in the adapter's trace. @default undefined: off */
  readonly tracing?: Tracing | undefined;
  readonly logger: Logger;
}

export interface DrpLegacy extends RunningSimulator {
  readonly faults: FaultInjector<DrpFault>;
  readonly stats: CallStats;
}

const nicPattern = /^\d{12}$/;
const maxRequestBytes = 64 * 1024;
const personPath = /^\/api\/v1\/persons\/([^/]+)$/;
const batchPath = "/api/v1/persons/batch-lookup";

/** What a broken legacy system might put in an error body: an adapter must never pass any of it on. */
export const leakyErrorBody = {
  error: "INTERNAL",
  message: "java.sql.SQLException: FATAL password authentication failed for user drp_admin (password=s3cr3t-db-pass)",
  stack: "at gov.drp.persons.PersonDao.find(PersonDao.java:88)\n\tat gov.drp.api.PersonResource.get(PersonResource.java:41)",
};

const json = (status: number, body: unknown, headers: Record<string, string> = {}) =>
  Response.json(body, { status, headers });
const problem = (status: number, error: string, message: string, headers: Record<string, string> = {}) =>
  json(status, { error, message }, headers);

export async function startDrpLegacy(options: DrpLegacyOptions): Promise<DrpLegacy> {
  const { store, logger, maxBatch = 100 } = options;
  const faults = createFaultInjector<DrpFault>();
  const stats = createCallStats();
  // Batch lookup before the NIC template: "batch-lookup" would otherwise read as a NIC.
  const metrics = createSimulatorMetrics("drp-legacy", ["/openapi.json", batchPath, "/api/v1/persons/:nic"]);
  const limiter = createRateLimiter(options.rateLimit ?? { ratePerSecond: 500, burst: 1000 });
  const keyDigests = options.apiKeys.map(digest);
  const openapi = JSON.stringify(drpOpenApi(maxBatch));

  const authorised = (key: string | null): boolean => {
    if (key === null || key.length > 256) return false;
    const d = digest(key);
    // Compare digests in constant time, and every one of them.
    return keyDigests.reduce((ok, k) => timingSafeEqual(k, d) || ok, false);
  };

  async function handle(request: Request, stopping: AbortSignal): Promise<Response> {
    const { pathname } = new URL(request.url);
    if (pathname === "/openapi.json") {
      if (request.method !== "GET") return problem(405, "METHOD_NOT_ALLOWED", "use GET", { allow: "GET" });
      return new Response(openapi, { headers: { "content-type": "application/json" } });
    }
    const operation: DrpOperation | undefined =
      pathname === batchPath ? "batchLookup" : personPath.test(pathname) ? "getPerson" : undefined;
    if (operation === undefined) return problem(404, "NOT_FOUND", "no such resource");
    const expected = operation === "batchLookup" ? "POST" : "GET";
    if (request.method !== expected) return problem(405, "METHOD_NOT_ALLOWED", `use ${expected}`, { allow: expected });

    const end = stats.begin(operation);
    try {
      const fault = faults.take(operation);
      metrics.served(operation, drpFaultLabel(fault));
      if (fault?.latencyMs !== undefined) await delay(fault.latencyMs, stopping);
      if (fault !== undefined) {
        const acted = actOut(fault);
        if (acted !== undefined) return acted;
      }
      const key = request.headers.get("x-api-key");
      if (!authorised(key)) {
        return problem(401, "UNAUTHORIZED", "a valid X-API-Key header is required", { "www-authenticate": 'ApiKey header="X-API-Key"' });
      }
      const wait = limiter.take(digest(key ?? "").toString("hex"));
      if (wait !== undefined) return problem(429, "RATE_LIMITED", "too many requests", { "retry-after": String(wait) });
      return operation === "getPerson" ? getPerson(pathname) : await batchLookup(request);
    } finally {
      end();
    }
  }

  function getPerson(pathname: string): Response {
    const nic = decodeURIComponent(personPath.exec(pathname)?.[1] ?? "");
    if (!nicPattern.test(nic)) return problem(400, "INVALID_NIC", "a NIC is 12 digits");
    const record = store.get(nic);
    if (record === undefined) return problem(404, "PERSON_NOT_FOUND", "no person with this NIC");
    return json(200, record);
  }

  async function batchLookup(request: Request): Promise<Response> {
    if (!/^application\/json\b/i.test(request.headers.get("content-type") ?? "")) {
      return problem(415, "UNSUPPORTED_MEDIA_TYPE", "send application/json");
    }
    const declared = Number(request.headers.get("content-length") ?? "0");
    if (declared > maxRequestBytes) return problem(413, "PAYLOAD_TOO_LARGE", `at most ${maxRequestBytes} bytes`);
    const text = await request.text();
    if (Buffer.byteLength(text) > maxRequestBytes) return problem(413, "PAYLOAD_TOO_LARGE", `at most ${maxRequestBytes} bytes`);
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      return problem(400, "INVALID_JSON", "the body is not JSON");
    }
    const nics = typeof body === "object" && body !== null ? (body as Record<string, unknown>)["nics"] : undefined;
    if (!Array.isArray(nics) || nics.length === 0) return problem(400, "INVALID_REQUEST", "nics must be a non-empty array");
    if (nics.length > maxBatch) return problem(400, "BATCH_TOO_LARGE", `at most ${maxBatch} nics per call`);
    if (!nics.every((n): n is string => typeof n === "string" && nicPattern.test(n))) {
      return problem(400, "INVALID_NIC", "every NIC is 12 digits");
    }
    const unique = [...new Set(nics)];
    const results = unique.flatMap((nic) => store.get(nic) ?? []);
    const notFound = unique.filter((nic) => !store.has(nic));
    return json(200, { results, notFound });
  }

  const server = await startSimulatorServer<DrpFault>({
    name: "drp-legacy",
    handler: handle,
    port: options.port ?? 9091,
    host: options.host ?? "127.0.0.1",
    logger,
    metrics,
    tracing: options.tracing,
    testControl: options.testControl === true ? { faults, stats, parseFault: parseDrpFault } : undefined,
  });
  return { ...server, faults, stats };
}

function actOut(fault: DrpFault): Response | undefined {
  if (fault.status !== undefined) {
    const headers: Record<string, string> = fault.retryAfterSeconds === undefined ? {} : { "retry-after": String(fault.retryAfterSeconds) };
    return json(fault.status, leakyErrorBody, headers);
  }
  switch (fault.body) {
    case "bad-json":
      return new Response('{"nic": "199012345678", "person": {"fullName": "Chik', { headers: { "content-type": "application/json" } });
    case "wrong-shape":
      return json(200, { nic: 42, person: { fullName: ["not", "a", "name"] }, results: "none" });
    case "html":
      return new Response("<html><body>Gateway error: s3cr3t-db-pass</body></html>", { headers: { "content-type": "text/html" } });
    case "oversized":
      return json(200, { padding: "x".repeat(2 * 1024 * 1024) });
    case undefined:
      return undefined;
  }
}

function digest(value: string): Buffer {
  return createHash("sha256").update(value, "utf8").digest();
}
