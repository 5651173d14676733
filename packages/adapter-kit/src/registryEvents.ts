/**
 * Follows the registry's change feed (`GET /events?after=<position>&limit=<n>`, the outbox, with the feed's own
 * bearer token; subgraphs/registry/src/events/eventFeed.ts) and purges the legacy cache of every citizen a change in
 * the `persons` register names (its record id is the NIC): when the register learns that someone moved, married or
 * died, what the agencies said about them is asked again.
 *
 * Fail closed: the cache may serve only while the follower is *current*, i.e. it has read the feed to its end, and
 * did so less than `staleAfterMs` ago (a monotonic clock, checked at each lookup). Before the first catch-up, while
 * the registry cannot be read or answers nonsense, and if the loop stalls, every call goes to the legacy system.
 * On return it reads on from the last position it handled, purging what it missed before serving again.
 *
 * Each read starts one event back, at the last event handled, and checks it is still there with its id: a registry
 * restored from a backup (or started afresh) numbers its events anew from an older position, and a follower that
 * only asked "after N" would then skip the changes numbered below N. When that event is gone or another, the
 * follower drops every kept answer (`purgeAll`) and reads the feed again from its start.
 */
import type { Logger } from "@ndx/platform";

export interface RegistryEventsOptions {
  /** The registry's feed, e.g. http://localhost:4001/events. */
  readonly url: string;
  /** REGISTRY_EVENTS_TOKEN. */
  readonly token: string;
  /** Called with the NIC of each person a change names. */
  readonly purge: (nic: string) => void;
  /** Called when the feed no longer holds the last event handled (the registry restored or started afresh). */
  readonly purgeAll: () => void;
  readonly logger: Logger;
  /** Wait between reads once at the end of the feed. @default 1000 */
  readonly pollMs?: number;
  /** How long after its last complete read the follower still counts as current. @default 3 × pollMs */
  readonly staleAfterMs?: number;
  /** Timeout of one read. @default staleAfterMs */
  readonly timeoutMs?: number;
  /** Events per read. @default 500 */
  readonly pageSize?: number;
  /** A monotonic clock in ms. @default performance.now */
  readonly now?: () => number;
  /** @default globalThis.fetch */
  readonly fetch?: typeof fetch;
}

export interface RegistryEvents {
  /** Whether purges are up to date (see above). */
  current(): boolean;
  /** The position after the last event handled. */
  readonly position: number;
  close(): void;
}

interface FeedEvent {
  readonly position: number;
  readonly eventId: string;
  readonly register: string;
  readonly recordId: string;
}

interface FeedPage {
  readonly events: readonly FeedEvent[];
  readonly next: number;
  readonly hasMore: boolean;
}

export function followRegistryEvents(options: RegistryEventsOptions): RegistryEvents {
  const { url, token, purge, purgeAll, logger, pollMs = 1000, pageSize = 500, now = () => performance.now(), fetch = globalThis.fetch } = options;
  const staleAfterMs = options.staleAfterMs ?? 3 * pollMs;
  const timeoutMs = options.timeoutMs ?? staleAfterMs;
  let position = 0;
  /** The id of the event at `position`; undefined at the start of the feed. */
  let lastEventId: string | undefined;
  let caughtUpAt = -Infinity;
  let failing = false;
  let timer: NodeJS.Timeout | undefined;
  let closed = false;

  async function page(after: number): Promise<FeedPage> {
    const answer = await fetch(`${url}?after=${after}&limit=${pageSize}`, {
      headers: { authorization: `Bearer ${token}` },
      signal: AbortSignal.timeout(timeoutMs),
    });
    if (answer.status !== 200) throw new Error(`HTTP ${answer.status}`);
    const body = (await answer.json()) as unknown;
    if (!isPage(body) || body.next < after) throw new Error("not a page of the feed");
    return body;
  }

  async function poll(): Promise<void> {
    const started = now();
    let resets = 0;
    for (;;) {
      const known = lastEventId;
      const { events, hasMore } = await page(known === undefined ? position : position - 1);
      let fresh = events;
      if (known !== undefined) {
        const [first, ...rest] = events;
        if (first?.position !== position || first.eventId !== known) {
          if (++resets > 1) throw new Error("the feed changed under the follower twice in one read");
          logger.warn({ position }, "registry change feed no longer holds the last event handled: every kept legacy answer dropped, feed read again");
          purgeAll();
          position = 0;
          lastEventId = undefined;
          continue;
        }
        fresh = rest;
      }
      for (const event of fresh) {
        if (event.position <= position) throw new Error("the feed's positions do not increase");
        if (event.register === "persons") purge(event.recordId);
        position = event.position;
        lastEventId = event.eventId;
      }
      if (!hasMore) break;
    }
    caughtUpAt = started;
  }

  async function loop(): Promise<void> {
    try {
      await poll();
      if (failing) logger.info({ position }, "registry change feed readable again: legacy cache in use");
      failing = false;
    } catch (error) {
      if (!failing) logger.warn({ reason: error instanceof Error ? error.message : String(error) }, "registry change feed unreadable: legacy cache not used until it is");
      failing = true;
    }
    if (!closed) timer = setTimeout(() => void loop(), pollMs).unref();
  }

  void loop();
  return {
    current: () => now() - caughtUpAt < staleAfterMs,
    get position() {
      return position;
    },
    close() {
      closed = true;
      clearTimeout(timer);
    },
  };
}

function isPage(value: unknown): value is FeedPage {
  if (typeof value !== "object" || value === null) return false;
  const { events, next, hasMore } = value as Record<string, unknown>;
  return (
    Array.isArray(events) &&
    events.every(isEvent) &&
    typeof next === "number" &&
    Number.isInteger(next) &&
    typeof hasMore === "boolean"
  );
}

function isEvent(value: unknown): value is FeedEvent {
  if (typeof value !== "object" || value === null) return false;
  const { position, eventId, register, recordId } = value as Record<string, unknown>;
  return Number.isInteger(position) && typeof eventId === "string" && typeof register === "string" && typeof recordId === "string";
}
