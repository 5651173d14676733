/**
 * Test-only fault injection: a queue of faults, each for one operation (or all) and for a number of requests (or
 * until cleared). A simulator asks for the fault of each request it serves and acts it out: a delay, an error
 * status, a broken body. Only tests (in process, or over the control endpoint a simulator enables on request) add
 * faults; a simulator started normally has none.
 */

export interface BaseFault {
  /** The operation it applies to; every operation when absent. */
  readonly operation?: string | undefined;
  /** How many requests it applies to; until cleared when absent. */
  readonly times?: number | undefined;
  /** Delay before answering, in ms. */
  readonly latencyMs?: number | undefined;
}

export interface FaultInjector<F extends BaseFault> {
  inject(fault: F): void;
  clear(): void;
  /** The fault for one request of `operation`, using up one of its `times`. */
  take(operation: string): F | undefined;
  active(): readonly F[];
}

export function createFaultInjector<F extends BaseFault>(): FaultInjector<F> {
  let faults: { fault: F; left: number }[] = [];
  return {
    inject(fault) {
      faults.push({ fault, left: fault.times ?? Number.POSITIVE_INFINITY });
    },
    clear() {
      faults = [];
    },
    take(operation) {
      const entry = faults.find((f) => f.fault.operation === undefined || f.fault.operation === operation);
      if (entry === undefined) return undefined;
      entry.left -= 1;
      if (entry.left <= 0) faults = faults.filter((f) => f !== entry);
      return entry.fault;
    },
    active: () => faults.map((f) => f.fault),
  };
}

/** Checks the common fields of a fault read from JSON (the control endpoint); returns an error message or undefined. */
export function baseFaultProblem(value: Record<string, unknown>, operations: readonly string[]): string | undefined {
  const { operation, times, latencyMs } = value;
  if (operation !== undefined && !(typeof operation === "string" && operations.includes(operation))) {
    return `operation must be one of ${operations.join(", ")}`;
  }
  if (times !== undefined && !(Number.isInteger(times) && (times as number) >= 1)) return "times must be a positive integer";
  if (latencyMs !== undefined && !(Number.isInteger(latencyMs) && (latencyMs as number) >= 0 && (latencyMs as number) <= 60_000)) {
    return "latencyMs must be an integer from 0 to 60000";
  }
  return undefined;
}
