/**
 * Identical subgraph fetches in flight at the same time share one upstream request (Apollo Router's query
 * deduplication, Hive Gateway's `deduplicateInflightRequests`). The first caller of a key starts the fetch; whoever
 * asks for the same key before it settles gets the same promise — its answer or its failure. Nothing is kept once it
 * settles: this is not a cache, and a later identical fetch goes upstream again.
 *
 * The key is the caller's business (subgraphSource.ts): it must hold everything that could change the answer.
 */
export interface InflightFetches<T> {
  /** `fetch()`'s promise, or the one already running under `key`; `shared` tells which. */
  share(key: string, fetch: () => Promise<T>): { readonly result: Promise<T>; readonly shared: boolean };
  /** How many fetches are running (tests, metrics). */
  readonly size: number;
}

export function createInflightFetches<T>(): InflightFetches<T> {
  // One map per subgraph client, holding only what is in flight.
  const running = new Map<string, Promise<T>>();
  return {
    share(key, fetch) {
      const held = running.get(key);
      if (held !== undefined) return { result: held, shared: true };
      const result = fetch();
      running.set(key, result);
      const forget = (): void => {
        running.delete(key);
      };
      // Both branches handled here so this bookkeeping chain never reports an unhandled rejection.
      result.then(forget, forget);
      return { result, shared: false };
    },
    get size() {
      return running.size;
    },
  };
}
