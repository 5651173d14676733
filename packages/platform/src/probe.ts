/**
 * A readiness check of a dependency over HTTP: a GET of an endpoint that needs no credentials and is no counted call
 * (an adapter's upstream's OpenAPI document or WSDL, a subgraph's /health). Only the status is read; the body is
 * dropped unread, so nothing the dependency says reaches /ready.
 */
import type { Check } from "./health.ts";

export interface HttpProbeOptions {
  /** Names the dependency in the failure, e.g. "DRP" → "DRP answered HTTP 503". @default undefined: "HTTP 503" */
  readonly name?: string | undefined;
  /** @default 2000 */
  readonly timeoutMs?: number;
}

export async function probeHttp(url: URL | string, options: HttpProbeOptions = {}): Promise<void> {
  const response = await fetch(url, { signal: AbortSignal.timeout(options.timeoutMs ?? 2000) });
  await response.body?.cancel();
  if (!response.ok) throw new Error(`${options.name === undefined ? "" : `${options.name} answered `}HTTP ${response.status}`);
}

/** The same as a /ready check. */
export function httpProbe(url: URL | string, options: HttpProbeOptions = {}): Check {
  return () => probeHttp(url, options);
}
