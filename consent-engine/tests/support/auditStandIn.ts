/**
 * A stand-in for the gateway's audit API (`GET /audit/citizens/{nic}/accesses?limit=&before=`, and `/evidence`
 * answering `evidenceBytes`, bearer token), on a
 * real HTTP server on a free port: it answers from the accesses recorded into it, as the gateway does (newest first
 * by time then id, `limit`, `before` = a time or `<time>~<id>`, 400 for a bad nic/limit/before, 401 without the
 * token), and keeps every request it got.
 * `mode` makes it misbehave: an error status with a body that must never reach a page, a hang, or an answer about
 * another citizen.
 */
import { createServer, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { CitizenAccess } from "../../src/index.ts";

export interface AuditRequest {
  readonly path: string;
  readonly nic: string;
  readonly limit: string | null;
  readonly before: string | null;
  readonly authorized: boolean;
}

export type AuditStandInMode = "normal" | "error" | "hang" | "wrong-citizen";

export interface AuditStandIn {
  readonly url: string;
  readonly token: string;
  readonly requests: AuditRequest[];
  mode: AuditStandInMode;
  /** Records an access about a citizen (any order; answers are sorted newest first). */
  record(citizenId: string, access: CitizenAccess): void;
  close(): Promise<void>;
}

/** What the stand-in answers as a citizen's evidence package (GET /audit/citizens/{nic}/evidence). */
export const evidenceBytes = (nic: string): Buffer => Buffer.from(`PK stand-in evidence package of ${nic}`);

/** Never to appear on a portal page. */
export const upstreamSecret = "UPSTREAM-INTERNAL-DETAIL at AuditStore.query (/srv/gateway/audit.ts:42)";

export async function startAuditStandIn(token = "test-audit-read-token-12345678"): Promise<AuditStandIn> {
  const byCitizen = new Map<string, CitizenAccess[]>();
  const requests: AuditRequest[] = [];
  const state = { mode: "normal" as AuditStandInMode };
  const json = (res: ServerResponse, status: number, body: unknown) => {
    res.writeHead(status, { "content-type": "application/json" });
    res.end(JSON.stringify(body));
  };
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://audit.test");
    const evidence = /^\/audit\/citizens\/(\d{12})\/evidence$/.exec(url.pathname)?.[1];
    if (evidence !== undefined) {
      const authorized = req.headers.authorization === `Bearer ${token}`;
      requests.push({ path: url.pathname, nic: evidence, limit: null, before: null, authorized });
      if (!authorized) return json(res, 401, { error: { code: "UNAUTHENTICATED", message: "A valid service token is required" } });
      if (state.mode === "error") return void res.writeHead(500, { "content-type": "text/plain" }).end(upstreamSecret);
      res.writeHead(200, { "content-type": "application/zip" });
      return void res.end(evidenceBytes(evidence));
    }
    const match = /^\/audit\/citizens\/([^/]+)\/accesses$/.exec(url.pathname);
    if (req.method !== "GET" || match?.[1] === undefined) return json(res, 404, { error: { code: "NOT_FOUND", message: "No such audit endpoint" } });
    const nic = decodeURIComponent(match[1]);
    const authorized = req.headers.authorization === `Bearer ${token}`;
    const limitRaw = url.searchParams.get("limit");
    const before = url.searchParams.get("before");
    requests.push({ path: url.pathname, nic, limit: limitRaw, before, authorized });
    if (!authorized) return json(res, 401, { error: { code: "UNAUTHENTICATED", message: "A valid service token is required" } });
    if (state.mode === "hang") return; // never answers; the client's timeout must end it
    if (state.mode === "error") {
      res.writeHead(500, { "content-type": "text/plain" });
      res.end(upstreamSecret);
      return;
    }
    if (!/^\d{12}$/.test(nic)) return json(res, 400, { error: { code: "BAD_USER_INPUT", message: "The citizen id must be 12 digits" } });
    const limit = Number(limitRaw ?? "50");
    if (!/^\d+$/.test(limitRaw ?? "50") || limit < 1 || limit > 200) return json(res, 400, { error: { code: "BAD_USER_INPUT", message: "limit must be between 1 and 200" } });
    const [beforeAt = "", beforeId, ...extra] = (before ?? "").split("~");
    if (before !== null && (Number.isNaN(Date.parse(beforeAt)) || extra.length > 0)) {
      return json(res, 400, { error: { code: "BAD_USER_INPUT", message: "before must be an ISO 8601 time, or <time>~<event id>" } });
    }
    const newestFirst = (a: CitizenAccess, b: CitizenAccess) => Date.parse(b.at) - Date.parse(a.at) || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0);
    const after = (a: CitizenAccess) => {
      if (before === null) return true;
      const t = Date.parse(a.at) - Date.parse(beforeAt);
      return t < 0 || (t === 0 && beforeId !== undefined && a.id < beforeId);
    };
    const accesses = (byCitizen.get(nic) ?? []).filter(after).sort(newestFirst).slice(0, limit);
    json(res, 200, { citizenId: state.mode === "wrong-citizen" ? "198503150123" : nic, accesses });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    token,
    requests,
    get mode() {
      return state.mode;
    },
    set mode(mode: AuditStandInMode) {
      state.mode = mode;
    },
    record(citizenId, access) {
      byCitizen.set(citizenId, [...(byCitizen.get(citizenId) ?? []), access]);
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
