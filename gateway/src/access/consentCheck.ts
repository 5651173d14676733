/**
 * The gateway's side of the consent engine: checks whether a citizen's consents cover a scope, and opens a consent
 * request for what is missing. A "covered" answer is cached; the cache is emptied by every revision the engine
 * announces on its event stream (a grant, revocation or expiry anywhere), is bypassed whenever that stream is down,
 * and never outlives the answer's own `validUntil` or `maxAgeMs`. Each applied revision is acknowledged, and the
 * engine answers a revocation only once every gateway following it has acknowledged: so the very next query after a
 * revocation never meets a cached "yes".
 */
import { ndxError, type Logger, type Tracing } from "@ndx/platform";
import { rememberFrozen, type FieldAccess } from "@ndx/policy";

export interface ConsentCheckOptions {
  /** The consent engine's base URL, e.g. http://localhost:8081. */
  readonly url: string;
  /** Service credential for its API. */
  readonly serviceToken: string;
  readonly logger: Logger;
  /** Longest a cached "covered" is trusted even with the stream up. @default 30000 */
  readonly maxAgeMs?: number;
  /** Per-call timeout. @default 3000 */
  readonly timeoutMs?: number;
  /** Cached answers kept at most. @default 50000 */
  readonly cacheSize?: number;
  /** Told of every check, answered from the cache or not (metrics). */
  readonly onCheck?: (cached: boolean) => void;
  /** A CLIENT span per call to the engine, its traceparent sent along. @default undefined: off */
  readonly tracing?: Tracing | undefined;
}

export interface ConsentAnswer {
  readonly covered: boolean;
  readonly consentIds: readonly string[];
  readonly missing: readonly { provider: string; field: string }[];
}

export interface OpenedRequest {
  readonly consentRequestId: string;
  readonly consentUrl: string;
  readonly missing: readonly { provider: string; field: string }[];
}

export interface ConsentCheck {
  check(consumerId: string, citizenId: string, purpose: string, fields: readonly FieldAccess[]): Promise<ConsentAnswer>;
  /** The cached answer, if one is held and still trusted (counted as a hit); never asks the engine. */
  cached(consumerId: string, citizenId: string, purpose: string, fields: readonly FieldAccess[]): ConsentAnswer | undefined;
  openRequest(consumerId: string, citizenId: string, purpose: string, fields: readonly FieldAccess[]): Promise<OpenedRequest>;
  /** Counters for tests and metrics. */
  readonly stats: { hits: number; misses: number };
  /** Resolves once the revision stream is connected (tests, start-up). */
  ready(): Promise<void>;
  close(): void;
}

interface CheckResponse {
  status: "covered" | "partial" | "missing";
  revision: number;
  covered: { provider: string; field: string; consentIds: string[] }[];
  missing: { provider: string; field: string }[];
  validUntil: string | null;
  request?: { consentRequestId: string; consentUrl: string };
}

export function createConsentCheck(options: ConsentCheckOptions): ConsentCheck {
  const { url, serviceToken, logger, maxAgeMs = 30_000, timeoutMs = 3000, cacheSize = 50_000 } = options;
  const cache = new Map<string, { answer: ConsentAnswer; until: number }>();
  const stats = { hits: 0, misses: 0 };
  let streamUp = false;
  let revision = -1;
  let closed = false;
  let onConnected: (() => void) | undefined;
  const connected = new Promise<void>((r) => (onConnected = r));
  const abort = new AbortController();

  const checkUrl = new URL("/v1/consents/check", url);
  const call = async (body: unknown): Promise<CheckResponse> => {
    const span = options.tracing?.startClientSpan("POST", {
      "http.request.method": "POST",
      "server.address": checkUrl.hostname,
      "url.path": checkUrl.pathname,
      "ndx.provider": "consent-engine",
    });
    let response: Response;
    try {
      response = await fetch(checkUrl, {
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Bearer ${serviceToken}`, ...span?.headers },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(timeoutMs),
      });
      span?.end({ status: response.status });
    } catch (error) {
      span?.end({ error });
      const timeout = error instanceof Error && error.name === "TimeoutError";
      throw ndxError(timeout ? "UPSTREAM_TIMEOUT" : "UPSTREAM_UNAVAILABLE", "The consent engine cannot be reached", {
        details: { provider: "consent-engine" },
      });
    }
    if (!response.ok) {
      await response.body?.cancel();
      logger.error({ status: response.status }, "consent engine refused a check");
      throw ndxError("UPSTREAM_UNAVAILABLE", "The consent engine could not answer", { details: { provider: "consent-engine" } });
    }
    const answer = (await response.json()) as CheckResponse;
    if (answer.revision > revision) {
      // An answer computed at a newer revision than we have heard of: older cached answers may be stale.
      if (revision >= 0) cache.clear();
      revision = answer.revision;
    }
    return answer;
  };

  const scopeBody = (consumerId: string, citizenId: string, purpose: string, fields: readonly FieldAccess[]) => ({
    consumerId,
    citizenId,
    purpose,
    fields: fields.map((f) => ({ provider: f.provider, field: f.field })),
  });

  let subscriber: string | undefined;
  const acknowledge = async (id: string, applied: number): Promise<void> => {
    try {
      const response = await fetch(new URL("/v1/revision/ack", url), {
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Bearer ${serviceToken}` },
        body: JSON.stringify({ subscriber: id, revision: applied }),
        signal: AbortSignal.timeout(timeoutMs),
      });
      await response.body?.cancel();
    } catch {
      // The engine stops waiting after its own timeout; nothing to undo here.
    }
  };

  // The revision stream: Server-Sent Events, reconnected with backoff for as long as the gateway runs.
  const follow = async (): Promise<void> => {
    let delay = 250;
    while (!closed) {
      try {
        const response = await fetch(new URL("/v1/revision/stream", url), {
          headers: { authorization: `Bearer ${serviceToken}`, accept: "text/event-stream" },
          signal: abort.signal,
        });
        if (!response.ok || response.body === null) throw new Error(`HTTP ${response.status}`);
        const decoder = new TextDecoder();
        let buffer = "";
        const reader = response.body.getReader();
        for (;;) {
          const { value: chunk, done } = await reader.read();
          if (done) break;
          buffer += decoder.decode(chunk, { stream: true });
          let end: number;
          while ((end = buffer.indexOf("\n\n")) >= 0) {
            const block = buffer.slice(0, end);
            buffer = buffer.slice(end + 2);
            const data = block.split("\n").find((l) => l.startsWith("data:"));
            if (data === undefined) continue;
            const event = JSON.parse(data.slice(5)) as { revision: number; subscriber?: string };
            if (event.subscriber !== undefined) subscriber = event.subscriber;
            if (event.revision !== revision) cache.clear();
            revision = Math.max(revision, event.revision);
            // Tell the engine this replica no longer holds anything older: a revocation waits for this.
            if (subscriber !== undefined) void acknowledge(subscriber, revision);
            if (!streamUp) {
              streamUp = true;
              delay = 250;
              onConnected?.();
              logger.info({ revision }, "following consent revisions");
            }
          }
        }
        throw new Error("stream ended");
      } catch (error) {
        if (closed) return;
        if (streamUp) logger.warn({ cause: error instanceof Error ? error.message : String(error) }, "consent revision stream lost");
        streamUp = false;
        subscriber = undefined;
        cache.clear();
        await new Promise((r) => setTimeout(r, delay));
        delay = Math.min(delay * 2, 5000);
      }
    }
  };
  void follow();

  // A scope's field lists are frozen and shared by the requests of one shape: their part of the key is made once.
  const fieldsKey = rememberFrozen((fields: readonly FieldAccess[]) =>
    fields.map((f) => `${f.provider}:${f.field}`).sort().join(","),
  );
  const keyOf = (consumerId: string, citizenId: string, purpose: string, fields: readonly FieldAccess[]) =>
    `${consumerId}\u0000${citizenId}\u0000${purpose}\u0000${fieldsKey(fields)}`;
  const fromCache = (key: string): ConsentAnswer | undefined => {
    const held = streamUp ? cache.get(key) : undefined;
    if (held === undefined || held.until <= Date.now()) return undefined;
    stats.hits += 1;
    options.onCheck?.(true);
    return held.answer;
  };

  return {
    stats,
    cached: (consumerId, citizenId, purpose, fields) => fromCache(keyOf(consumerId, citizenId, purpose, fields)),
    async check(consumerId, citizenId, purpose, fields) {
      const key = keyOf(consumerId, citizenId, purpose, fields);
      const cached = fromCache(key);
      if (cached !== undefined) return cached;
      stats.misses += 1;
      options.onCheck?.(false);
      const result = await call(scopeBody(consumerId, citizenId, purpose, fields));
      const answer: ConsentAnswer = {
        covered: result.status === "covered",
        consentIds: [...new Set(result.covered.flatMap((c) => c.consentIds))].sort(),
        missing: result.missing,
      };
      if (answer.covered && streamUp) {
        const validUntil = result.validUntil === null ? Number.POSITIVE_INFINITY : Date.parse(result.validUntil);
        if (cache.size >= cacheSize) cache.delete(cache.keys().next().value ?? "");
        cache.set(key, { answer, until: Math.min(Date.now() + maxAgeMs, validUntil) });
      }
      return answer;
    },
    async openRequest(consumerId, citizenId, purpose, fields) {
      const result = await call({ ...scopeBody(consumerId, citizenId, purpose, fields), openRequest: true });
      if (result.request === undefined) {
        throw ndxError("INTERNAL_SERVER_ERROR", "The consent engine opened no request");
      }
      return { ...result.request, missing: result.missing };
    },
    ready: () => connected,
    close() {
      closed = true;
      abort.abort();
    },
  };
}
