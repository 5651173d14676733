/**
 * Subgraphs trust only the gateway. The gateway calls them with a service credential
 * (`Authorization: Bearer <SUBGRAPH_TOKEN>`) and states who the caller is in `x-ndx-caller-*` headers; a subgraph
 * accepts those headers only on a request that carries the credential, and refuses GraphQL requests without it.
 */
import { createHash, timingSafeEqual } from "node:crypto";
import { ndxError } from "./errors.ts";

export const callerHeaders = {
  kind: "x-ndx-caller-kind",
  id: "x-ndx-caller-id",
  roles: "x-ndx-caller-roles",
  trace: "x-ndx-trace-id",
} as const;

export interface ForwardedCaller {
  readonly kind: "consumer" | "staff" | "citizen";
  readonly id: string;
  readonly roles: readonly string[];
  readonly traceId: string | undefined;
}

/** What the gateway adds to each subgraph request. */
export function gatewayHeaders(token: string, caller: ForwardedCaller | undefined): Record<string, string> {
  const headers: Record<string, string> = { authorization: `Bearer ${token}` };
  if (caller !== undefined) {
    headers[callerHeaders.kind] = caller.kind;
    headers[callerHeaders.id] = encodeURIComponent(caller.id);
    headers[callerHeaders.roles] = caller.roles.map(encodeURIComponent).join(",");
    if (caller.traceId !== undefined) headers[callerHeaders.trace] = caller.traceId;
  }
  return headers;
}

/** The caller the gateway vouched for, read from a trusted request (undefined when none was forwarded). */
export function forwardedCaller(request: Request): ForwardedCaller | undefined {
  const kind = request.headers.get(callerHeaders.kind);
  const id = request.headers.get(callerHeaders.id);
  if ((kind !== "consumer" && kind !== "staff" && kind !== "citizen") || id === null) return undefined;
  const roles = (request.headers.get(callerHeaders.roles) ?? "").split(",").filter(Boolean).map(decodeURIComponent);
  return { kind, id: decodeURIComponent(id), roles, traceId: request.headers.get(callerHeaders.trace) ?? undefined };
}

const digest = (v: string) => createHash("sha256").update(v).digest();

/** Yoga plugin for subgraphs: GraphQL requests must carry the gateway's credential. Health endpoints stay open. */
export function useGatewayTrust(token: string) {
  const expected = digest(token);
  return {
    onRequest({ request, url, endResponse }: { request: Request; url: URL; endResponse: (r: Response) => void }) {
      if (url.pathname === "/health" || url.pathname === "/ready") return;
      const given = /^Bearer\s+(\S+)$/i.exec(request.headers.get("authorization") ?? "")?.[1];
      if (given !== undefined && timingSafeEqual(digest(given), expected)) return;
      // GraphiQL pages (GET text/html) are refused too: only the gateway talks to a subgraph.
      const error = ndxError("UNAUTHENTICATED", "Subgraphs answer only the NDX gateway");
      endResponse(
        Response.json({ errors: [{ message: error.message, extensions: { code: "UNAUTHENTICATED" } }] }, { status: 401 }),
      );
    },
  };
}
