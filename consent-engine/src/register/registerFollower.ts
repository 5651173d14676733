/**
 * Follows the exchange's register (packages/contracts/src/exchangeRegister.ts): `GET /v1/register/stream` (Server-Sent
 * Events: a first `revision` event naming `heartbeatMs` and `staleAfterMs`, a `revision` event per committed change,
 * `heartbeat` events) and `GET /v1/register` whenever a revision newer than the one held is heard; every answer is
 * checked against its contract and held in memory, so no request of the engine waits for the exchange.
 *
 * Fail closed: what is held counts as current from the last moment the follower knew it was (an event naming the
 * revision held, or the sending of the fetch that brought it). Once that is `staleAfterMs` old — the stream silent,
 * stalled, or naming a revision the follower cannot fetch — `current` refuses (503). A watchdog reconnects a stream
 * silent for that long, with backoff.
 */
import { exchangeRegister, registerRevision, type ExchangeRegister, type RegisterApplication } from "@ndx/contracts";
import type { Logger } from "@ndx/platform";
import { indexApplications, registerUnavailable, type ApplicationRegister } from "./applicationRegister.ts";
import { readSseEvents } from "./sseEvents.ts";

export interface RegisterFollowerOptions {
  /** The exchange's base URL (`EXCHANGE_URL`). */
  readonly url: string;
  /** Its bearer token (`EXCHANGE_SERVICE_TOKEN`). */
  readonly serviceToken: string;
  readonly logger: Logger;
  /** Timeout of a register fetch, and the longest a new stream may take to send its first event. @default 3000 */
  readonly timeoutMs?: number;
  /** Staleness before the stream names its own `staleAfterMs`. @default 1000 */
  readonly staleAfterMs?: number;
  /** Longest wait between reconnections. @default 5000 */
  readonly maxBackoffMs?: number;
  /** A monotonic clock in ms. @default performance.now */
  readonly now?: () => number;
}

/** A stream event that breaks its contract: the stream cannot be trusted and is reopened. */
class MalformedEvent extends Error {
  override name = "MalformedEvent";
}

export function followExchangeRegister(options: RegisterFollowerOptions): ApplicationRegister {
  const { url, serviceToken, logger } = options;
  const timeoutMs = options.timeoutMs ?? 3000;
  const maxBackoffMs = options.maxBackoffMs ?? 5000;
  const now = options.now ?? (() => performance.now());
  const auth = { authorization: `Bearer ${serviceToken}` };
  let staleAfterMs = options.staleAfterMs ?? 1000;
  let held: ExchangeRegister | undefined;
  let byId: ReadonlyMap<string, RegisterApplication> = new Map();
  /** The revision the latest event named. */
  let heard = -1;
  /** When what is held was last known to be current. */
  let currentAt = Number.NEGATIVE_INFINITY;
  /** An event named an older revision than the one held (a fresh exchange, or an answer ahead of its event): fetch anew. */
  let resync = false;
  let closed = false;
  let connection: AbortController | undefined;
  let onReady: (() => void) | undefined;
  const readyPromise = new Promise<void>((resolve) => (onReady = resolve));

  const fresh = () => held !== undefined && now() - currentAt < staleAfterMs;

  // Fetches one at a time; an event heard meanwhile is covered by one more round.
  let fetching = false;
  const fetchRegister = async (): Promise<void> => {
    if (fetching) return;
    fetching = true;
    let failures = 0;
    try {
      while (!closed && (held === undefined || held.revision < heard || resync)) {
        const wanted = heard;
        const sentAt = now();
        try {
          const response = await fetch(new URL("/v1/register", url), { headers: auth, signal: AbortSignal.timeout(timeoutMs) });
          if (!response.ok) {
            await response.body?.cancel();
            throw new Error(`HTTP ${response.status}`);
          }
          const parsed = exchangeRegister.parse(await response.json());
          if (!parsed.ok) throw new Error(`a register that breaks its contract: ${parsed.problem}`);
          const register = parsed.value;
          // An older answer than the event that asked for it (a lagging replica of the exchange): not current; retried.
          if (register.revision < wanted) throw new Error(`register at ${register.revision}, ${wanted} was announced`);
          const first = held === undefined;
          held = register;
          resync = false;
          byId = indexApplications(register);
          if (register.revision >= heard) currentAt = Math.max(currentAt, sentAt);
          failures = 0;
          if (first) {
            logger.info({ revision: register.revision, applications: register.applications.length }, "following the exchange register");
            onReady?.();
          }
        } catch (error) {
          failures += 1;
          logger.warn({ cause: error instanceof Error ? error.message : String(error), failures }, "exchange register could not be fetched");
          await new Promise((r) => setTimeout(r, Math.min(100 * 2 ** failures, maxBackoffMs)).unref());
        }
      }
    } finally {
      fetching = false;
    }
  };

  const receive = (name: string, data: string, at: number) => {
    if (name !== "revision" && name !== "heartbeat") return; // another kind of event is not ours to act on
    let json: unknown;
    try {
      json = JSON.parse(data);
    } catch {
      throw new MalformedEvent(`a ${name} event that is not JSON`);
    }
    const event = registerRevision.parse(json);
    if (!event.ok) throw new MalformedEvent(`a ${name} event: ${event.problem}`);
    if (event.value.staleAfterMs !== undefined) staleAfterMs = event.value.staleAfterMs;
    heard = event.value.revision;
    if (held !== undefined && held.revision === heard) currentAt = Math.max(currentAt, at);
    else {
      if (held !== undefined && held.revision > heard) resync = true;
      void fetchRegister();
    }
  };

  const follow = async (): Promise<void> => {
    let delay = 250;
    while (!closed) {
      const controller = new AbortController();
      connection = controller;
      let lastHeard = now();
      let started = false;
      let watchdog: NodeJS.Timeout | undefined;
      // Before the first event the exchange has named no period: the call timeout stands in.
      const watch = () => {
        const left = lastHeard + (started ? staleAfterMs : timeoutMs) - now();
        if (left <= 0) return controller.abort();
        watchdog = setTimeout(watch, Math.ceil(left));
        watchdog.unref();
      };
      watch();
      try {
        const response = await fetch(new URL("/v1/register/stream", url), {
          headers: { ...auth, accept: "text/event-stream" },
          signal: controller.signal,
        });
        if (!response.ok || response.body === null) {
          await response.body?.cancel();
          throw new Error(`HTTP ${response.status}`);
        }
        for await (const event of readSseEvents(response.body, () => (lastHeard = now()))) {
          receive(event.event, event.data, lastHeard);
          if (!started) {
            started = true;
            delay = 250;
          }
        }
        throw new Error("stream ended");
      } catch (error) {
        if (closed) return;
        if (error instanceof MalformedEvent) logger.error({ problem: error.message }, "exchange register stream sent a malformed event");
        else logger.warn({ cause: controller.signal.aborted ? "silent" : error instanceof Error ? error.message : String(error) }, "exchange register stream lost");
      } finally {
        clearTimeout(watchdog);
        controller.abort();
      }
      await new Promise((r) => setTimeout(r, delay).unref());
      delay = Math.min(delay * 2, maxBackoffMs);
    }
  };
  void follow();

  return {
    fresh,
    current(id) {
      if (!fresh()) throw registerUnavailable();
      return byId.get(id);
    },
    lastKnown: (id) => byId.get(id),
    get revision() {
      return held?.revision ?? -1;
    },
    ready: () => readyPromise,
    close() {
      closed = true;
      connection?.abort();
    },
  };
}
