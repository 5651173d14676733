/**
 * The registry's service endpoints, for gateways holding `Authorization: Bearer <EXCHANGE_SERVICE_TOKEN>`:
 * - `GET /v1/supergraph`: the active supergraph (`{ position, hash, versions, activatedAt, sdl }`), its hash as ETag
 *   (`If-None-Match` answers 304): gateways ask when the register stream announces a revision;
 * - `POST /v1/usage`: a batch of field usage records (`{ records: UsageRecord[] }`, at most 5000), no personal data.
 */
import { bearerRequired, endpointError, methodNotAllowed, serviceTokenCheck, type Db, type Logger } from "@ndx/platform";
import { usageStore, type UsageRecord } from "./usageStore.ts";
import { versionStore } from "./versionStore.ts";

const supergraphPath = "/v1/supergraph";
const usagePath = "/v1/usage";
const maxRecords = 5000;

const text = (v: unknown, max: number): v is string => typeof v === "string" && v.length > 0 && v.length <= max;

/** The records of a usage batch, or why it is refused. */
function usageRecords(body: unknown): UsageRecord[] | string {
  const records = typeof body === "object" && body !== null ? (body as { records?: unknown }).records : undefined;
  if (!Array.isArray(records)) return "records must be an array";
  if (records.length > maxRecords) return `at most ${maxRecords} records`;
  for (const [i, r] of records.entries()) {
    const x = r as Record<string, unknown>;
    if (typeof r !== "object" || r === null) return `records[${i}] is not an object`;
    if (!text(x["operation"], 200) || !text(x["consumer"], 200) || !text(x["provider"], 100)) return `records[${i}]: operation, consumer and provider are required`;
    if (!text(x["coordinate"], 300) || !/^[A-Za-z_][A-Za-z0-9_]*\.[A-Za-z_][A-Za-z0-9_]*$/.test(x["coordinate"])) return `records[${i}].coordinate is not Type.field`;
    if (typeof x["count"] !== "number" || !Number.isInteger(x["count"]) || x["count"] < 1) return `records[${i}].count is not a positive integer`;
    if (typeof x["lastSeen"] !== "string" || Number.isNaN(Date.parse(x["lastSeen"]))) return `records[${i}].lastSeen is not a date-time`;
  }
  return records as UsageRecord[];
}

export function createRegistryEndpoints(options: { readonly db: Db; readonly token: string; readonly logger: Logger }) {
  const { db, logger } = options;
  const holdsToken = serviceTokenCheck(options.token);
  return {
    async onRequest({ request, url, endResponse }: { request: Request; url: URL; endResponse: (r: Response) => void }) {
      if (url.pathname !== supergraphPath && url.pathname !== usagePath) return;
      const method = url.pathname === supergraphPath ? "GET" : "POST";
      if (request.method !== method) return endResponse(methodNotAllowed(method));
      if (!holdsToken(request)) {
        return endResponse(bearerRequired(`${url.pathname} needs Authorization: Bearer <EXCHANGE_SERVICE_TOKEN>`));
      }
      if (url.pathname === supergraphPath) {
        const active = await versionStore.activeSupergraph(db);
        if (active === null) return endResponse(endpointError("NOT_FOUND", "no supergraph is active yet"));
        const etag = `"${active.hash}"`;
        if (request.headers.get("if-none-match") === etag) return endResponse(new Response(null, { status: 304, headers: { etag } }));
        return endResponse(Response.json(active, { headers: { etag, "cache-control": "no-store" } }));
      }
      let body: unknown;
      try {
        body = await request.json();
      } catch {
        return endResponse(endpointError("BAD_USER_INPUT", "the body is not JSON"));
      }
      const records = usageRecords(body);
      if (typeof records === "string") return endResponse(endpointError("BAD_USER_INPUT", records));
      await usageStore.record(db, records);
      logger.debug({ records: records.length }, "usage recorded");
      endResponse(new Response(null, { status: 204 }));
    },
  };
}
