/**
 * GET /operational-records?from=&to=&consumer=&provider=&limit=: a member's operational records of its own traffic.
 * Who may read them is the Rego policy's decision (operation `report` named `operationalRecords`, data.json's
 * `reports`), on a staff token verified by the gateway's authenticator. What a reader sees follows from the exchange's
 * register: an exchange administrator sees every record; a member's person sees the requests of the member's
 * consumer applications, and the requests that called a provider the member operates — of another member's request
 * only the calls to its own providers. Newest first, at most `limit` (100, at most 1000).
 */
import type { ExchangeRegister } from "@ndx/contracts";
import { endpointError, methodNotAllowed, type Queryable } from "@ndx/platform";
import type { AccessPolicy } from "@ndx/policy";
import { createReportAccess } from "../access/reportAccess.ts";
import type { Authenticator } from "../access/consumerAuth.ts";
import type { OperationalRecord, ProviderCall } from "./operationalRecord.ts";

const operationalRecordsReport = "operationalRecords";

export interface OperationalQueryOptions {
  readonly db: Queryable;
  readonly authenticator: Authenticator;
  readonly policy: { readonly current: AccessPolicy };
  /** The register in force: members, their people and providers, and whose consumer applications are whose. */
  readonly register: () => ExchangeRegister | undefined;
  /** @default "UTC" */
  readonly timezone?: string;
  readonly now?: () => Date;
}

/** Whose traffic a reader sees: all of it, or that of its members' consumers and providers. */
export interface RecordsScope {
  readonly all: boolean;
  readonly members: readonly string[];
  readonly consumers: readonly string[];
  readonly providers: readonly string[];
}

function scopeOf(register: ExchangeRegister | undefined, username: string, roles: readonly string[]): RecordsScope {
  if (roles.includes("exchange_admin")) return { all: true, members: [], consumers: [], providers: [] };
  const members = (register?.members ?? []).filter((m) => m.people.some((p) => p.username === username));
  const codes = members.map((m) => m.code);
  return {
    all: false,
    members: codes,
    consumers: (register?.applications ?? []).filter((a) => codes.includes(a.member.code)).map((a) => a.id),
    providers: [...new Set(members.flatMap((m) => m.providers))],
  };
}

interface Row {
  at: Date | string;
  replica: string;
  trace_id: string | null;
  caller: OperationalRecord["caller"];
  consumer: string | null;
  purpose: string | null;
  operation_name: string | null;
  decision: string | null;
  providers: ProviderCall[] | string;
  request_bytes: number;
  response_bytes: number | null;
  duration_ms: number;
  status: number;
}

const time = (raw: string | null, fallback: Date): Date | undefined => {
  if (raw === null) return fallback;
  const t = Date.parse(raw);
  return Number.isNaN(t) ? undefined : new Date(t);
};

export function createOperationalQuery(options: OperationalQueryOptions): (request: Request) => Promise<Response | undefined> {
  const now = options.now ?? (() => new Date());
  const authorize = createReportAccess(options);
  return async (request) => {
    const url = new URL(request.url);
    if (url.pathname !== "/operational-records") return undefined;
    if (request.method !== "GET") return methodNotAllowed("GET");
    const access = await authorize(request, operationalRecordsReport, "operational records are not for this caller");
    if ("refused" in access) return access.refused;
    const { caller } = access;
    const scope = scopeOf(options.register(), caller.id, caller.roles);
    if (!scope.all && scope.members.length === 0) return endpointError("FORBIDDEN", "operational records are not for this caller: it is no person of a member of the exchange");
    const params = url.searchParams;
    const to = time(params.get("to"), now());
    const from = time(params.get("from"), new Date(now().getTime() - 3_600_000));
    const limitRaw = params.get("limit") ?? "100";
    const limit = Number(limitRaw);
    if (from === undefined || to === undefined) return endpointError("BAD_USER_INPUT", "from and to must be ISO 8601 times");
    if (!/^\d{1,4}$/.test(limitRaw) || limit < 1 || limit > 1000) return endpointError("BAD_USER_INPUT", "limit must be a whole number from 1 to 1000");
    const rows = await options.db.query<Row>(
      `SELECT at, replica, trace_id, caller, consumer, purpose, operation_name, decision, providers, request_bytes, response_bytes, duration_ms, status
         FROM operational_record
        WHERE at >= $1 AND at <= $2
          AND ($3::boolean OR consumer = ANY($4::text[]) OR provider_names && $5::text[])
          AND ($6::text IS NULL OR consumer = $6) AND ($7::text IS NULL OR provider_names @> ARRAY[$7]::text[])
        ORDER BY at DESC LIMIT $8`,
      [from.toISOString(), to.toISOString(), scope.all, scope.consumers, scope.providers, params.get("consumer"), params.get("provider"), limit],
    );
    const records: OperationalRecord[] = rows.rows.map((r) => {
      const calls = typeof r.providers === "string" ? (JSON.parse(r.providers) as ProviderCall[]) : r.providers;
      const own = scope.all || (r.consumer !== null && scope.consumers.includes(r.consumer));
      return {
        at: new Date(r.at).toISOString(),
        replica: r.replica,
        traceId: r.trace_id,
        caller: r.caller,
        consumer: r.consumer,
        purpose: r.purpose,
        operationName: r.operation_name,
        decision: r.decision,
        providers: own ? calls : calls.filter((c) => scope.providers.includes(c.provider)),
        requestBytes: r.request_bytes,
        responseBytes: r.response_bytes,
        durationMs: r.duration_ms,
        status: r.status,
      };
    });
    return Response.json({ from: from.toISOString(), to: to.toISOString(), scope, records }, { headers: { "cache-control": "no-store" } });
  };
}

/** The handler as a yoga plugin (list it before useAuditApi, like the audit summary). */
export function useOperationalQuery(options: OperationalQueryOptions) {
  const handle = createOperationalQuery(options);
  return {
    onRequest({ request, endResponse }: { request: Request; endResponse: (r: Response) => void }): Promise<void> | undefined {
      if (!request.url.includes("/operational-records")) return undefined;
      return handle(request).then((response) => {
        if (response !== undefined) endResponse(response);
      });
    },
  };
}
