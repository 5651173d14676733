/**
 * The gateway's side of the consent engine: checks whether a citizen's consents cover a scope, and opens a consent
 * request for what is missing. A "covered" answer is cached; the cache is emptied by every revision the engine
 * announces on its event stream (a grant, revocation or expiry anywhere), and is used only while that stream is
 * trusted (revisionFollower.ts: up, and its last confirmed acknowledgement younger than the engine's deadline, checked
 * at use time), never beyond the answer's own `validUntil` or `maxAgeMs`. The engine answers a revocation only once
 * every gateway following it has acknowledged it or can no longer trust its cache: so no query after a revocation's
 * answer meets a cached "yes", even through a stream that stalled without closing. A check made for a decision spends
 * a use of each consent with a frequency it relies on (in the engine's database, exact across replicas); such an
 * answer ("metered") is never cached, so only unlimited consents (most) are answered from the cache.
 */
import { consentCheckAnswer, type ConsentCheckAnswer, type ConsentTerms, type TermPeriod, type WithheldItem } from "@ndx/contracts";
import { ndxError, type Logger, type Tracing } from "@ndx/platform";
import { rememberFrozen, type FieldAccess } from "@ndx/policy";
import { createRevisionFollower } from "./revisionFollower.ts";

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
  /** A monotonic clock in ms for the revision stream's deadline (tests move it). @default performance.now */
  readonly now?: () => number;
}

export interface ConsentAnswer {
  readonly covered: boolean;
  readonly consentIds: readonly string[];
  readonly missing: readonly { provider: string; field: string }[];
  /** Fields whose consents cannot be used now (paused, not started, used up). @default none */
  readonly withheld?: readonly WithheldItem[];
  /** The shortest data life of the consents relied on (null: no longer than the consent). @default null */
  readonly dataLife?: TermPeriod | null;
  /** When the answer stops being true by itself. @default unknown */
  readonly validUntil?: string | null;
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
  /** `terms`: what the consumer proposed (X-Consent-Terms); the engine's defaults without. */
  openRequest(consumerId: string, citizenId: string, purpose: string, fields: readonly FieldAccess[], terms?: ConsentTerms): Promise<OpenedRequest>;
  /** Counters for tests and metrics. */
  readonly stats: { hits: number; misses: number };
  /** Resolves once the revision stream is connected (tests, start-up). */
  ready(): Promise<void>;
  close(): void;
}

const notJson = Symbol("not JSON");
const unanswered = () => ndxError("UPSTREAM_UNAVAILABLE", "The consent engine could not answer", { details: { provider: "consent-engine" } });

export function createConsentCheck(options: ConsentCheckOptions): ConsentCheck {
  const { url, serviceToken, logger, maxAgeMs = 30_000, timeoutMs = 3000, cacheSize = 50_000 } = options;
  const cache = new Map<string, { answer: ConsentAnswer; until: number }>();
  const stats = { hits: 0, misses: 0 };
  const follower = createRevisionFollower({
    url,
    serviceToken,
    logger,
    timeoutMs,
    onInvalidate: () => cache.clear(),
    ...(options.now === undefined ? {} : { now: options.now }),
  });

  const checkUrl = new URL("/v1/consents/check", url);
  const call = async (body: unknown): Promise<ConsentCheckAnswer> => {
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
      throw unanswered();
    }
    // Checked against the contract (one compiled validator; only cache misses get here), never cast: a malformed
    // answer is the engine failing, logged by what is wrong with it, never by its body.
    const json: unknown = await response.json().catch(() => notJson);
    const answer = json === notJson ? { ok: false as const, problem: "not JSON" } : consentCheckAnswer.parse(json);
    if (!answer.ok) {
      logger.error({ problem: answer.problem }, "consent engine sent a malformed check answer");
      throw unanswered();
    }
    follower.observe(answer.value.revision);
    return answer.value;
  };

  const scopeBody = (consumerId: string, citizenId: string, purpose: string, fields: readonly FieldAccess[]) => ({
    consumerId,
    citizenId,
    purpose,
    fields: fields.map((f) => ({ provider: f.provider, field: f.field })),
  });

  // A scope's field lists are frozen and shared by the requests of one shape: their part of the key is made once.
  const fieldsKey = rememberFrozen((fields: readonly FieldAccess[]) =>
    fields.map((f) => `${f.provider}:${f.field}`).sort().join(","),
  );
  const keyOf = (consumerId: string, citizenId: string, purpose: string, fields: readonly FieldAccess[]) =>
    `${consumerId}\u0000${citizenId}\u0000${purpose}\u0000${fieldsKey(fields)}`;
  const fromCache = (key: string): ConsentAnswer | undefined => {
    const held = follower.trusted() ? cache.get(key) : undefined;
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
      // A decision about to read: a consent with a frequency spends one use in the engine's database (exact across
      // replicas), so an answer relying on one is never cached.
      const result = await call({ ...scopeBody(consumerId, citizenId, purpose, fields), spend: true });
      const answer: ConsentAnswer = {
        covered: result.status === "covered",
        consentIds: [...new Set(result.covered.flatMap((c) => c.consentIds))].sort(),
        missing: result.missing,
        ...(result.withheld === undefined ? {} : { withheld: result.withheld }),
        dataLife: result.dataLife ?? null,
        validUntil: result.validUntil,
      };
      // Not an answer older than a revision already applied (it may predate a revocation the stream announced).
      if (answer.covered && result.metered !== true && result.revision >= follower.revision && follower.trusted()) {
        const validUntil = result.validUntil === null ? Number.POSITIVE_INFINITY : Date.parse(result.validUntil);
        if (cache.size >= cacheSize) cache.delete(cache.keys().next().value ?? "");
        cache.set(key, { answer, until: Math.min(Date.now() + maxAgeMs, validUntil) });
      }
      return answer;
    },
    async openRequest(consumerId, citizenId, purpose, fields, terms) {
      const result = await call({ ...scopeBody(consumerId, citizenId, purpose, fields), openRequest: true, ...(terms === undefined ? {} : { terms }) });
      if (result.request === undefined) {
        throw ndxError("INTERNAL_SERVER_ERROR", "The consent engine opened no request");
      }
      return { ...result.request, missing: result.missing };
    },
    ready: () => follower.ready(),
    close: () => follower.close(),
  };
}
