/**
 * Follows the consent engine's revision stream (Server-Sent Events) and says, at the moment a cached consent answer
 * would be used, whether it may be: the contract of packages/platform/src/revisionFollowers.ts.
 *
 * The first event gives a subscriber id, the heartbeat period and the deadline (`staleAfterMs`); then come revision
 * events and heartbeats. Every event is applied (a newer revision empties the cache) and acknowledged; the engine
 * *confirms* an acknowledgement that names the latest revision. A cached answer is trusted only while the stream is up
 * and the last confirmed acknowledgement was *sent* less than `staleAfterMs` ago, checked at use time: a stream that
 * stalls without closing, or a process that was paused (whose timers did not run), uses no cached answer past the
 * deadline, which is exactly as long as the engine waits for a gateway that does not acknowledge a revocation. A
 * watchdog also treats the stream as down once nothing was heard for the deadline: the cache is emptied, the
 * connection aborted and reopened with backoff; until it is up again every check goes to the engine.
 */
import { revisionAckAnswer, revisionHeartbeat, revisionStreamEvent, type RevisionStreamEvent } from "@ndx/contracts";
import { readServerSentEvents, type Logger, type ServerSentEvent } from "@ndx/platform";

export interface RevisionFollowerOptions {
  /** The consent engine's base URL. */
  readonly url: string;
  readonly serviceToken: string;
  readonly logger: Logger;
  /** Timeout of an acknowledgement, and the longest a new stream may take to send its first event. @default 3000 */
  readonly timeoutMs?: number;
  /** Told whenever every cached answer must go: a newer revision, or the stream lost or silent. */
  readonly onInvalidate: () => void;
  /** A monotonic clock in ms (tests move it). @default performance.now */
  readonly now?: () => number;
}

export interface RevisionFollower {
  /** The newest revision applied (-1 before any). */
  readonly revision: number;
  /** Whether a cached answer may be used now (see above). */
  trusted(): boolean;
  /** A check answer computed at `revision` came back: a newer one than applied empties the cache. */
  observe(revision: number): void;
  /** Resolves once the stream has delivered its first event. */
  ready(): Promise<void>;
  close(): void;
}

/** The events the follower acts on, by SSE event name, each checked against its contract (@ndx/contracts). */
const followed = new Set(["revision", "heartbeat"]);

/** A known event that breaks its contract: the stream cannot be trusted, so it is treated as lost. */
class MalformedEvent extends Error {
  override name = "MalformedEvent";
}

/** A heartbeat is read as what it says: the latest revision, no change named. */
function readEvent(name: string, json: unknown): RevisionStreamEvent | { readonly revision: number; readonly change: "heartbeat" } {
  if (name === "heartbeat") {
    const beat = revisionHeartbeat.parse(json);
    if (!beat.ok) throw new MalformedEvent(`a heartbeat: ${beat.problem}`);
    return { revision: beat.value.revision, change: "heartbeat" };
  }
  const event = revisionStreamEvent.parse(json);
  if (!event.ok) throw new MalformedEvent(`a ${name} event: ${event.problem}`);
  return event.value;
}

export function createRevisionFollower(options: RevisionFollowerOptions): RevisionFollower {
  const { url, serviceToken, logger, onInvalidate } = options;
  const timeoutMs = options.timeoutMs ?? 3000;
  const now = options.now ?? (() => performance.now());
  let applied = -1;
  let up = false;
  let closed = false;
  let subscriber: string | undefined;
  let staleAfterMs: number | undefined;
  let confirmedAt = Number.NEGATIVE_INFINITY;
  // Bumped per connection: an acknowledgement confirmed for an earlier connection extends nothing.
  let generation = 0;
  let onConnected: (() => void) | undefined;
  const connected = new Promise<void>((r) => (onConnected = r));
  let current: AbortController | undefined;

  const apply = (revision: number) => {
    if (revision !== applied) onInvalidate();
    applied = Math.max(applied, revision);
  };

  // Acknowledgements one at a time; events that arrive meanwhile are covered by one more.
  let wanted = false;
  let acking = false;
  const acknowledge = async (): Promise<void> => {
    acking = true;
    while (wanted && !closed && subscriber !== undefined) {
      wanted = false;
      const sentAt = now();
      const ours = generation;
      try {
        const response = await fetch(new URL("/v1/revision/ack", url), {
          method: "POST",
          headers: { "content-type": "application/json", authorization: `Bearer ${serviceToken}` },
          body: JSON.stringify({ subscriber, revision: applied }),
          signal: AbortSignal.timeout(timeoutMs),
        });
        const body: unknown = response.ok ? await response.json() : (await response.body?.cancel(), undefined);
        const answer = body === undefined ? undefined : revisionAckAnswer.parse(body);
        if (answer?.ok === false) logger.warn({ problem: answer.problem }, "consent engine sent a malformed acknowledgement answer");
        if (answer?.ok === true && answer.value.confirmed && ours === generation) confirmedAt = Math.max(confirmedAt, sentAt);
      } catch {
        // Unconfirmed: the cache stops being trusted at the deadline unless a later acknowledgement is confirmed.
      }
    }
    acking = false;
  };

  const receive = ({ name, data }: ServerSentEvent) => {
    // Another kind of event (a newer engine's) is not ours to act on.
    if (data === undefined || !followed.has(name)) return;
    let json: unknown;
    try {
      json = JSON.parse(data);
    } catch {
      throw new MalformedEvent(`a ${name} event that is not JSON`);
    }
    const event = readEvent(name, json);
    if (event.change === "current") {
      subscriber = event.subscriber;
      // An engine that names no deadline: the stream is followed, but no cached answer is ever trusted.
      staleAfterMs = event.staleAfterMs;
    }
    apply(event.revision);
    wanted = true;
    if (!acking) void acknowledge();
  };

  const follow = async (): Promise<void> => {
    let delay = 250;
    while (!closed) {
      const connection = new AbortController();
      current = connection;
      generation += 1;
      let lastHeard = now();
      let silent = false;
      let watchdog: NodeJS.Timeout | undefined;
      // Before the first event the engine has named no deadline: the call timeout stands in.
      const deadline = () => (up ? (staleAfterMs ?? timeoutMs) : timeoutMs);
      const watch = () => {
        const left = lastHeard + deadline() - now();
        if (left <= 0) {
          silent = true;
          connection.abort();
          return;
        }
        watchdog = setTimeout(watch, Math.ceil(left));
        watchdog.unref();
      };
      watch();
      try {
        const response = await fetch(new URL("/v1/revision/stream", url), {
          headers: { authorization: `Bearer ${serviceToken}`, accept: "text/event-stream" },
          signal: connection.signal,
        });
        if (!response.ok || response.body === null) throw new Error(`HTTP ${response.status}`);
        await readServerSentEvents(
          response.body,
          (event) => {
            receive(event);
            if (!up && subscriber !== undefined) {
              up = true;
              // From now on the engine's deadline applies, not the first event's.
              clearTimeout(watchdog);
              watch();
              delay = 250;
              onConnected?.();
              logger.info({ revision: applied, staleAfterMs }, "following consent revisions");
            }
          },
          () => {
            lastHeard = now();
          },
        );
        throw new Error("stream ended");
      } catch (error) {
        clearTimeout(watchdog);
        if (closed) return;
        const wasUp = up;
        up = false;
        subscriber = undefined;
        confirmedAt = Number.NEGATIVE_INFINITY;
        generation += 1;
        connection.abort();
        onInvalidate();
        if (error instanceof MalformedEvent) logger.error({ problem: error.message }, "consent revision stream sent a malformed event; cache off");
        else if (wasUp && silent) logger.warn({ staleAfterMs }, "consent revision stream silent; cache off");
        else if (wasUp) logger.warn({ cause: error instanceof Error ? error.message : String(error) }, "consent revision stream lost");
      }
      await new Promise((r) => setTimeout(r, delay).unref());
      delay = Math.min(delay * 2, 5000);
    }
  };
  void follow();

  return {
    get revision() {
      return applied;
    },
    trusted: () => up && staleAfterMs !== undefined && now() < confirmedAt + staleAfterMs,
    observe(revision) {
      // An answer computed at a newer revision than we have heard of: older cached answers may be stale.
      if (revision > applied) {
        if (applied >= 0) onInvalidate();
        applied = revision;
      }
    },
    ready: () => connected,
    close() {
      closed = true;
      current?.abort();
    },
  };
}
