/**
 * Follows the schema registry's active supergraph at the exchange (`GET /v1/supergraph`, EXCHANGE_SERVICE_TOKEN): asked
 * every `intervalMs` with `If-None-Match` (a 304 when nothing changed, so the cost is one small request a second),
 * and each new one handed to the listeners (the gateway's supergraph manager swaps to it). Every replica follows the
 * same way, so each serves an activation within `intervalMs` plus the swap. A failing exchange leaves the supergraph
 * served as it is: the one held stays (logged when it starts failing and when it recovers, not at every attempt).
 */
import type { Logger } from "@ndx/platform";

export interface ActiveSupergraph {
  readonly hash: string;
  /** Counts activations at the registry: 1 is the seed; 0 here is the checked-in file, before the registry answered. */
  readonly position: number;
  /** subgraph → version number */
  readonly versions: Readonly<Record<string, number>>;
  readonly activatedAt: string | null;
  readonly sdl: string;
}

export interface SupergraphFollowerOptions {
  /** The exchange's base URL (EXCHANGE_URL). */
  readonly url: string;
  readonly serviceToken: string;
  readonly logger: Logger;
  /** @default 1000 */
  readonly intervalMs?: number;
  /** @default 3000 */
  readonly timeoutMs?: number;
}

export interface SupergraphFollower {
  /** The newest supergraph heard; undefined before the registry first answered. */
  readonly current: ActiveSupergraph | undefined;
  /** Asks the registry now; resolves with what is current after the answer. */
  poll(): Promise<ActiveSupergraph | undefined>;
  subscribe(listener: (supergraph: ActiveSupergraph) => void): () => void;
  close(): void;
}

function parse(body: unknown): ActiveSupergraph | undefined {
  if (typeof body !== "object" || body === null) return undefined;
  const b = body as Record<string, unknown>;
  if (typeof b["hash"] !== "string" || typeof b["sdl"] !== "string" || typeof b["position"] !== "number") return undefined;
  const versions = typeof b["versions"] === "object" && b["versions"] !== null ? (b["versions"] as Record<string, number>) : {};
  return { hash: b["hash"], sdl: b["sdl"], position: b["position"], versions, activatedAt: typeof b["activatedAt"] === "string" ? b["activatedAt"] : null };
}

export function createSupergraphFollower(options: SupergraphFollowerOptions): SupergraphFollower {
  const { logger, intervalMs = 1000, timeoutMs = 3000 } = options;
  const listeners = new Set<(s: ActiveSupergraph) => void>();
  let current: ActiveSupergraph | undefined;
  let failing = false;
  let inFlight: Promise<ActiveSupergraph | undefined> | undefined;

  async function ask(): Promise<ActiveSupergraph | undefined> {
    try {
      const response = await fetch(new URL("/v1/supergraph", options.url), {
        headers: { authorization: `Bearer ${options.serviceToken}`, ...(current === undefined ? {} : { "if-none-match": `"${current.hash}"` }) },
        signal: AbortSignal.timeout(timeoutMs),
      });
      if (response.status !== 304) {
        if (!response.ok) {
          await response.body?.cancel();
          throw new Error(`HTTP ${response.status}`);
        }
        const next = parse(await response.json());
        if (next === undefined) throw new Error("the answer is not a supergraph");
        if (next.hash !== current?.hash) {
          current = next;
          logger.info({ hash: next.hash, position: next.position, versions: next.versions }, "the registry's active supergraph");
          for (const listener of listeners) listener(next);
        }
      }
      if (failing) logger.info("the schema registry answers again");
      failing = false;
    } catch (err) {
      if (!failing) logger.warn({ cause: err instanceof Error ? err.message : String(err) }, "the schema registry cannot be asked; the supergraph held stays");
      failing = true;
    }
    return current;
  }

  const poll = () => (inFlight ??= ask().finally(() => (inFlight = undefined)));
  const timer = setInterval(() => void poll(), intervalMs);
  timer.unref();
  return {
    get current() {
      return current;
    },
    poll,
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    close() {
      clearInterval(timer);
      listeners.clear();
    },
  };
}
