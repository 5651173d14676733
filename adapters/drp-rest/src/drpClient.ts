/**
 * The DRP legacy REST API as the adapter uses it: one NIC by GET /api/v1/persons/{nic} (404 is "not known"), many
 * by one POST /api/v1/persons/batch-lookup. Both are reads, so both are retried; both go through the upstream's
 * timeout and circuit breaker. Records come back raw: the mapping turns them into GraphQL objects.
 */
import { parseJsonAnswer, statusError, UpstreamError, type HttpUpstream, type Upstream } from "@ndx/adapter-kit";

export type DrpRecord = Record<string, unknown>;

export interface DrpClientOptions {
  readonly http: HttpUpstream;
  readonly upstream: Upstream;
  readonly apiKey: string;
}

export interface DrpClient {
  /** The records of `nics` (at most the DRP's batch limit) by NIC; NICs the DRP does not know are absent. */
  lookup(nics: readonly string[]): Promise<Map<string, DrpRecord>>;
}

export function createDrpClient(options: DrpClientOptions): DrpClient {
  const { http, upstream, apiKey } = options;
  const provider = upstream.provider;
  const headers = { "x-api-key": apiKey, accept: "application/json" };

  const getPerson = (nic: string) =>
    upstream.call(
      "getPerson",
      async (signal) => {
        const answer = await http.request({ method: "GET", path: `/api/v1/persons/${encodeURIComponent(nic)}`, headers, signal });
        const failure = statusError(provider, answer, "getPerson");
        if (failure?.kind === "not_found") return new Map<string, DrpRecord>();
        if (failure !== undefined) throw failure;
        const record = parseJsonAnswer(provider, answer, "getPerson");
        if (!isRecord(record) || record["nic"] !== nic) throw new UpstreamError("malformed", provider, "getPerson: not the record asked for");
        return new Map([[nic, record]]);
      },
      { idempotent: true },
    );

  const batchLookup = (nics: readonly string[]) =>
    upstream.call(
      "batchLookup",
      async (signal) => {
        const answer = await http.request({
          method: "POST",
          path: "/api/v1/persons/batch-lookup",
          headers: { ...headers, "content-type": "application/json" },
          body: JSON.stringify({ nics }),
          signal,
        });
        const failure = statusError(provider, answer, "batchLookup");
        if (failure !== undefined) throw failure;
        const body = parseJsonAnswer(provider, answer, "batchLookup");
        const results = isRecord(body) ? body["results"] : undefined;
        if (!Array.isArray(results)) throw new UpstreamError("malformed", provider, "batchLookup: results is not a list");
        const asked = new Set(nics);
        const found = new Map<string, DrpRecord>();
        for (const record of results) {
          const nic = isRecord(record) ? record["nic"] : undefined;
          if (!isRecord(record) || typeof nic !== "string" || !asked.has(nic)) {
            throw new UpstreamError("malformed", provider, "batchLookup: a result is not one of the records asked for");
          }
          found.set(nic, record);
        }
        return found;
      },
      // A lookup changes nothing on the DRP: safe to retry although it is a POST.
      { idempotent: true },
    );

  return {
    lookup: (nics) => (nics.length === 1 ? getPerson(nics[0] as string) : batchLookup(nics)),
  };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
