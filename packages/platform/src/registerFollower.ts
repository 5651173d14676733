/**
 * Follows the exchange's register (packages/contracts/src/exchangeRegister.ts), for every part that enforces it (the
 * gateway's policy data, the consent engine's applications): its revision stream (Server-Sent Events) on
 * `<EXCHANGE_URL>/v1/register/stream`, the whole register from `<EXCHANGE_URL>/v1/register` whenever a revision newer
 * than the one applied is heard (or an older one: a fresh exchange), each register checked against its contract and
 * handed to `onRegister`. Every event is acknowledged (`POST /v1/register/ack`) naming the revision applied; the
 * exchange *confirms* an acknowledgement naming the latest revision. Lost or silent streams are reopened with backoff.
 *
 * Fail closed: what the follower holds is *current* only while its last confirmed acknowledgement was *sent* less
 * than `staleAfterMs` ago (the stream names it; checked at use time on a monotonic clock, so a stalled stream, a lost
 * exchange or a paused process counts). That is exactly as long as the exchange waits for a follower that does not
 * acknowledge a tightening change (revisionFollowers.ts), so once the exchange has answered one, no follower decides
 * on the register before it. What each part refuses while it is not current is its own business.
 */
import { exchangeRegister, registerAckAnswer, registerRevision, type ExchangeRegister } from "@ndx/contracts";
import type { Logger } from "./logger.ts";
import { readServerSentEvents, type ServerSentEvent } from "./serverSentEvents.ts";

export interface RegisterFollowerOptions {
  /** The exchange's base URL (EXCHANGE_URL). */
  readonly url: string;
  /** Its bearer token (EXCHANGE_SERVICE_TOKEN). */
  readonly serviceToken: string;
  readonly logger: Logger;
  /** A register other than the one applied (newer, or older after the exchange started afresh), checked against its contract. */
  readonly onRegister: (register: ExchangeRegister) => void;
  /** Timeout of a fetch or an acknowledgement, and the longest a new stream may take to send its first event. @default 3000 */
  readonly timeoutMs?: number;
  /** The deadline until the stream names its own. @default 1000 */
  readonly staleAfterMs?: number;
  /** Longest wait between reconnections. @default 5000 */
  readonly maxBackoffMs?: number;
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
  /** Resolves once a first register has been applied and confirmed current. */
  ready(): Promise<void>;
  close(): void;
}

const followed = new Set(["revision", "heartbeat"]);

/** A known event that breaks its contract: the stream cannot be trusted, so it is reopened. */
class MalformedEvent extends Error {
  override name = "MalformedEvent";
}

const reason = (error: unknown) => (error instanceof Error ? error.message : String(error));

export function createRegisterFollower(options: RegisterFollowerOptions): RegisterFollower {
  const { logger, serviceToken, onRegister } = options;
  const base = options.url.replace(/\/+$/, "");
  const timeoutMs = options.timeoutMs ?? 3000;
  const maxBackoffMs = options.maxBackoffMs ?? 5000;
  const now = options.now ?? (() => performance.now());
  const authorization = `Bearer ${serviceToken}`;
  let staleAfterMs = options.staleAfterMs ?? 1000;
  let applied = -1;
  /** When the last confirmed acknowledgement was sent (this process's clock). */
  let confirmedAt = Number.NEGATIVE_INFINITY;
  let subscriber: string | undefined;
  let closed = false;
  let connection: AbortController | undefined;
  let onReady: (() => void) | undefined;
  const ready = new Promise<void>((resolve) => (onReady = resolve));
  const current = () => applied >= 0 && now() - confirmedAt < staleAfterMs;

  // The newest revision the stream named, and whether it named one older than the one applied (a fresh exchange).
  let heard = -1;
  let resync = false;

  // A failing fetch is retried at every event: logged when it starts failing and when it recovers, not each time.
  let fetchFailing = false;
  const fetchFailed = (line: Record<string, unknown>): undefined => {
    if (!fetchFailing) logger.warn(line, "the exchange's register could not be fetched; what depends on it is refused once it is stale");
    fetchFailing = true;
    return undefined;
  };
  const fetchRegister = async (): Promise<ExchangeRegister | undefined> => {
    try {
      const response = await fetch(`${base}/v1/register`, { headers: { authorization }, signal: AbortSignal.timeout(timeoutMs) });
      if (!response.ok) {
        await response.body?.cancel();
        return fetchFailed({ status: response.status });
      }
      const parsed = exchangeRegister.parse(await response.json());
      if (!parsed.ok) return fetchFailed({ problem: `a register that breaks its contract: ${parsed.problem}` });
      if (fetchFailing) logger.info({ revision: parsed.value.revision }, "the exchange's register can be fetched again");
      fetchFailing = false;
      return parsed.value;
    } catch (error) {
      return fetchFailed({ cause: reason(error) });
    }
  };

  // Acknowledgements one at a time; events that arrive meanwhile are covered by one more.
  let ackWanted = false;
  let acking = false;
  const acknowledge = async (): Promise<void> => {
    acking = true;
    while (ackWanted && !closed && subscriber !== undefined && applied >= 0 && !resync) {
      ackWanted = false;
      const sentAt = now();
      try {
        const response = await fetch(`${base}/v1/register/ack`, {
          method: "POST",
          headers: { authorization, "content-type": "application/json" },
          body: JSON.stringify({ subscriber, revision: applied }),
          signal: AbortSignal.timeout(timeoutMs),
        });
        const body: unknown = response.ok ? await response.json() : (await response.body?.cancel(), undefined);
        const answer = body === undefined ? undefined : registerAckAnswer.parse(body);
        if (answer?.ok === false) logger.warn({ problem: answer.problem }, "the exchange sent a malformed acknowledgement answer");
        if (answer?.ok === true && answer.value.confirmed) {
          confirmedAt = Math.max(confirmedAt, sentAt);
          onReady?.();
        }
      } catch {
        // Unconfirmed: what is held stops being current at the deadline unless a later acknowledgement is confirmed.
      }
    }
    acking = false;
  };
  const ack = () => {
    ackWanted = true;
    if (!acking) void acknowledge();
  };

  // Register fetches one at a time; what was heard meanwhile is fetched next.
  let fetching = false;
  const catchUp = async (): Promise<void> => {
    fetching = true;
    while (!closed && (heard > applied || resync)) {
      const wanted = heard;
      const register = await fetchRegister();
      // A failed fetch is tried again when the stream next names the revision (every heartbeat).
      if (register === undefined || closed) break;
      // An answer older than the event that asked for it (a lagging exchange): asked again at the next event.
      if (register.revision < wanted) break;
      if (register.revision !== applied) {
        onRegister(register);
        applied = register.revision;
      }
      resync = false;
    }
    fetching = false;
    ack();
  };

  /** Acts on one event; false when it is not one to act on. */
  const receive = ({ name, data }: ServerSentEvent, first: boolean): boolean => {
    // Another kind of event (a newer exchange's) is not ours to act on.
    if (data === undefined || !followed.has(name)) return false;
    let json: unknown;
    try {
      json = JSON.parse(data);
    } catch {
      throw new MalformedEvent(`a ${name} event that is not JSON`);
    }
    const event = registerRevision.parse(json);
    if (!event.ok) throw new MalformedEvent(`a ${name} event: ${event.problem}`);
    if (event.value.staleAfterMs !== undefined) staleAfterMs = event.value.staleAfterMs;
    // Without the subscriber id nothing can be acknowledged, so nothing heard on this connection could be confirmed.
    if (first && event.value.subscriber === undefined) throw new MalformedEvent(`a first ${name} event that names no subscriber`);
    if (event.value.subscriber !== undefined) subscriber = event.value.subscriber;
    heard = event.value.revision;
    if (applied >= 0 && heard < applied) resync = true;
    if (heard !== applied || resync) {
      if (!fetching) void catchUp();
    } else ack();
    return true;
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
        if (!response.ok || response.body === null) {
          await response.body?.cancel();
          throw new Error(`HTTP ${response.status}`);
        }
        subscriber = undefined;
        await readServerSentEvents(
          response.body,
          (event) => {
            if (receive(event, !firstEvent) && !firstEvent) {
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
        const cause = current.signal.aborted ? "silent" : reason(error);
        if (error instanceof MalformedEvent) logger.error({ problem: error.message }, "the exchange's register stream sent a malformed event");
        else logger.warn({ cause, revision: applied }, "the exchange's register stream was lost; reconnecting");
      } finally {
        clearTimeout(watchdog);
        current.abort();
      }
      // What was confirmed stays current until its deadline: the exchange waits that long for this follower too.
      subscriber = undefined;
      await new Promise((resolve) => setTimeout(resolve, delay).unref());
      delay = Math.min(delay * 2, maxBackoffMs);
    }
  };
  void follow();

  return {
    get revision() {
      return applied;
    },
    current,
    staleForMs: () => now() - confirmedAt,
    ready: () => ready,
    close() {
      closed = true;
      connection?.abort();
    },
  };
}
