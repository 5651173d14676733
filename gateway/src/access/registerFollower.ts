/**
 * Follows the exchange's register (packages/contracts/src/exchangeRegister.ts): its revision stream (Server-Sent
 * Events) on `<EXCHANGE_URL>/v1/register/stream`, and the whole register from `<EXCHANGE_URL>/v1/register` whenever a
 * revision newer than the one applied is heard; each register is checked against its contract and handed to
 * `onRegister` (which sets the policy's data). Lost or silent streams are reopened with backoff.
 *
 * Fail closed: what the follower holds is *current* only while, less than `staleAfterMs` ago (the stream's own
 * deadline; checked at use time on a monotonic clock, so a stalled stream or a paused process counts), the stream
 * named a revision it had applied. A revision heard but not yet fetched does not count: until the fetch succeeds the
 * follower is behind. Consumers' requests are refused while it is not current (decide.ts).
 */
import { exchangeRegister, registerRevision, type ExchangeRegister } from "@ndx/contracts";
import type { Logger } from "@ndx/platform";
import { readServerSentEvents, type ServerSentEvent } from "./serverSentEvents.ts";

export interface RegisterFollowerOptions {
  /** The exchange's base URL (EXCHANGE_URL). */
  readonly url: string;
  readonly serviceToken: string;
  readonly logger: Logger;
  /** A register newer than the one applied, checked against its contract. */
  readonly onRegister: (register: ExchangeRegister) => void;
  /** Timeout of a register fetch, and the longest a new stream may take to send its first event. @default 3000 */
  readonly timeoutMs?: number;
  /** The deadline until the stream names its own. @default 1000 */
  readonly staleAfterMs?: number;
  /** A monotonic clock in ms (tests move it). @default performance.now */
  readonly now?: () => number;
}

export interface RegisterFollower {
  /** The register revision applied; -1 before any. */
  readonly revision: number;
  /** Whether the register applied is known to be current (see above). */
  current(): boolean;
  /** Milliseconds since the register applied was last known to be current; Infinity before that ever happened. */
  staleForMs(): number;
  /** Resolves once a first register has been applied. */
  ready(): Promise<void>;
  close(): void;
}

const followed = new Set(["revision", "heartbeat"]);

class MalformedEvent extends Error {
  override name = "MalformedEvent";
}

export function createRegisterFollower(options: RegisterFollowerOptions): RegisterFollower {
  const { logger, serviceToken, onRegister } = options;
  const base = options.url.replace(/\/+$/, "");
  const timeoutMs = options.timeoutMs ?? 3000;
  const now = options.now ?? (() => performance.now());
  const authorization = `Bearer ${serviceToken}`;
  let staleAfterMs = options.staleAfterMs ?? 1000;
  let applied = -1;
  let confirmedAt = Number.NEGATIVE_INFINITY;
  let closed = false;
  let connection: AbortController | undefined;
  let onReady: (() => void) | undefined;
  const ready = new Promise<void>((resolve) => (onReady = resolve));

  // Register fetches one at a time; the newest revision heard meanwhile is fetched next.
  let heard: { revision: number; at: number } | undefined;
  let fetching = false;
  // A failing fetch is retried at every heartbeat: logged when it starts failing and when it recovers, not each time.
  let fetchFailing = false;
  const fetchFailed = (line: Record<string, unknown>, message: string): undefined => {
    if (!fetchFailing) logger.warn(line, message);
    fetchFailing = true;
    return undefined;
  };
  const fetchRegister = async (): Promise<ExchangeRegister | undefined> => {
    try {
      const response = await fetch(`${base}/v1/register`, { headers: { authorization }, signal: AbortSignal.timeout(timeoutMs) });
      if (!response.ok) {
        await response.body?.cancel();
        return fetchFailed({ status: response.status }, "the exchange's register could not be fetched; consumers are refused once it is stale");
      }
      const parsed = exchangeRegister.parse(await response.json());
      if (!parsed.ok) return fetchFailed({ problem: parsed.problem }, "the exchange sent a malformed register; the previous one stays until it is stale");
      if (fetchFailing) logger.info({ revision: parsed.value.revision }, "the exchange's register can be fetched again");
      fetchFailing = false;
      return parsed.value;
    } catch (error) {
      return fetchFailed({ cause: error instanceof Error ? error.message : String(error) }, "the exchange's register could not be fetched; consumers are refused once it is stale");
    }
  };
  const catchUp = async (): Promise<void> => {
    fetching = true;
    while (!closed && heard !== undefined && heard.revision > applied) {
      const wanted = heard;
      const register = await fetchRegister();
      // A failed fetch is tried again when the stream next names the revision (every heartbeat).
      if (register === undefined || closed) break;
      if (register.revision > applied) {
        onRegister(register);
        applied = register.revision;
        onReady?.();
      }
      // An exchange replica behind the one that streamed: asked again at the next heartbeat.
      if (register.revision < wanted.revision) break;
      // Current as of when the revision was heard (what was fetched is at least that revision).
      confirmedAt = Math.max(confirmedAt, wanted.at);
    }
    fetching = false;
  };

  const receive = ({ name, data }: ServerSentEvent): void => {
    if (data === undefined || !followed.has(name)) return;
    let json: unknown;
    try {
      json = JSON.parse(data);
    } catch {
      throw new MalformedEvent(`a ${name} event that is not JSON`);
    }
    const event = registerRevision.parse(json);
    if (!event.ok) throw new MalformedEvent(`a ${name} event: ${event.problem}`);
    if (event.value.staleAfterMs !== undefined) staleAfterMs = event.value.staleAfterMs;
    const at = now();
    if (event.value.revision <= applied) {
      confirmedAt = at;
      return;
    }
    if (heard === undefined || event.value.revision >= heard.revision) heard = { revision: event.value.revision, at };
    if (!fetching) void catchUp();
  };

  const follow = async (): Promise<void> => {
    let delay = 250;
    while (!closed) {
      const current = new AbortController();
      connection = current;
      let lastHeard = now();
      let firstEvent = false;
      let watchdog: NodeJS.Timeout | undefined;
      // Before the first event the fetch timeout stands in for the stream's deadline.
      const watch = () => {
        const left = lastHeard + (firstEvent ? staleAfterMs : timeoutMs) - now();
        if (left <= 0) return current.abort();
        watchdog = setTimeout(watch, Math.ceil(left));
        watchdog.unref();
      };
      watch();
      try {
        const response = await fetch(`${base}/v1/register/stream`, {
          headers: { authorization, accept: "text/event-stream" },
          signal: current.signal,
        });
        if (!response.ok || response.body === null) throw new Error(`HTTP ${response.status}`);
        await readServerSentEvents(
          response.body,
          (event) => {
            receive(event);
            if (!firstEvent) {
              firstEvent = true;
              delay = 250;
              logger.info({ revision: applied, staleAfterMs }, "following the exchange's register");
            }
          },
          () => {
            lastHeard = now();
          },
        );
        throw new Error("stream ended");
      } catch (error) {
        if (closed) return;
        const cause = error instanceof MalformedEvent ? error.message : error instanceof Error ? error.message : String(error);
        logger.warn({ cause, revision: applied }, "the exchange's register stream was lost; reconnecting");
      } finally {
        clearTimeout(watchdog);
        current.abort();
      }
      await new Promise((resolve) => setTimeout(resolve, delay).unref());
      delay = Math.min(delay * 2, 5000);
    }
  };
  void follow();

  return {
    get revision() {
      return applied;
    },
    current: () => applied >= 0 && now() - confirmedAt < staleAfterMs,
    staleForMs: () => now() - confirmedAt,
    ready: () => ready,
    close() {
      closed = true;
      connection?.abort();
    },
  };
}
