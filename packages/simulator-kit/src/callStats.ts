/** Counts of the requests a simulator served, so tests can assert how many upstream calls an adapter made. */

export interface CallRecord {
  readonly operation: string;
  readonly startedAt: number;
  endedAt: number | undefined;
  /** Items asked for in one call (a batch lookup), 1 otherwise. */
  readonly items: number;
}

export interface StatsSnapshot {
  readonly total: number;
  readonly byOperation: Readonly<Record<string, number>>;
  readonly inFlight: number;
  readonly maxInFlight: number;
  /** The most recent calls, oldest first (at most 1000). */
  readonly calls: readonly CallRecord[];
}

export interface CallStats {
  /** Records the start of a call; the returned function records its end. */
  begin(operation: string, items?: number): () => void;
  snapshot(): StatsSnapshot;
  reset(): void;
}

export function createCallStats(): CallStats {
  let total = 0;
  let byOperation: Record<string, number> = {};
  let inFlight = 0;
  let maxInFlight = 0;
  let calls: CallRecord[] = [];
  return {
    begin(operation, items = 1) {
      total += 1;
      byOperation[operation] = (byOperation[operation] ?? 0) + 1;
      inFlight += 1;
      maxInFlight = Math.max(maxInFlight, inFlight);
      const record: CallRecord = { operation, startedAt: Date.now(), endedAt: undefined, items };
      calls.push(record);
      if (calls.length > 1000) calls = calls.slice(-1000);
      let ended = false;
      return () => {
        if (ended) return;
        ended = true;
        inFlight -= 1;
        record.endedAt = Date.now();
      };
    },
    snapshot: () => ({ total, byOperation: { ...byOperation }, inFlight, maxInFlight, calls: calls.map((c) => ({ ...c })) }),
    reset() {
      total = 0;
      byOperation = {};
      maxInFlight = inFlight;
      calls = [];
    },
  };
}
