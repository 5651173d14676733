/**
 * The consent requests this application has sent citizens to answer, by the `state` it gave the portal: a random,
 * single-use value, also set as a cookie in the citizen's browser, so that only the browser that was sent can come
 * back with it, once, for the applicant it was sent for, and not after `ttlMs`. Held in memory: enough for one process
 * of an example; an application with several instances keeps them in its session store.
 */
import { randomBytes, timingSafeEqual } from "node:crypto";

export interface Pending {
  readonly nic: string;
  readonly consentRequestId: string;
}

export interface PendingConsents {
  /** Remembers a request the citizen is sent to answer; returns its state. */
  open(pending: Pending): string;
  /**
   * The request a callback answers, taken (a second callback with the same state finds nothing): undefined unless the
   * state is known, unexpired, the cookie's, and the consent id the request's.
   */
  take(state: string, cookieState: string | undefined, consentId: string): Pending | undefined;
}

export interface PendingConsentsOptions {
  /** @default 15 minutes */
  readonly ttlMs?: number;
  /** Most requests held; the oldest go first. @default 10000 */
  readonly max?: number;
  /** @default Date.now */
  readonly now?: () => number;
}

const same = (a: string, b: string): boolean => a.length === b.length && timingSafeEqual(Buffer.from(a), Buffer.from(b));

export function createPendingConsents(options: PendingConsentsOptions = {}): PendingConsents {
  const { ttlMs = 15 * 60_000, max = 10_000 } = options;
  const now = options.now ?? Date.now;
  const held = new Map<string, Pending & { readonly until: number }>();
  return {
    open(pending) {
      for (const [state, entry] of held) if (entry.until <= now() || held.size >= max) held.delete(state);
      const state = randomBytes(24).toString("base64url");
      held.set(state, { ...pending, until: now() + ttlMs });
      return state;
    },
    take(state, cookieState, consentId) {
      const entry = held.get(state);
      if (entry === undefined || cookieState === undefined || !same(state, cookieState)) return undefined;
      held.delete(state);
      if (entry.until <= now() || entry.consentRequestId !== consentId) return undefined;
      return { nic: entry.nic, consentRequestId: entry.consentRequestId };
    },
  };
}
