/**
 * Decisions remembered by what the policy reads of the input (decisionInput.ts): requests of the same shape — the
 * same consumer, purpose, fields, consent summary, hour, and the same number of citizens — share one evaluation.
 * The key holds only what the Rego can read, so a remembered decision is the one the policy would give again; the
 * memo lives with one loaded bundle and goes with it on reload.
 */
import type { AccessInput, Decision } from "./decision.ts";
import type { InputPath } from "./decisionInput.ts";
import { rememberFrozen } from "./frozen.ts";

export interface DecisionMemoOptions {
  readonly read: readonly InputPath[];
  readonly counted: readonly InputPath[];
  /** Most decisions remembered; the oldest goes first. @default 10000 */
  readonly maxEntries?: number;
}

export type Evaluate = (input: AccessInput) => Decision;

const absent = "~";

function at(input: unknown, path: InputPath): { found: boolean; value: unknown } {
  let value: unknown = input;
  for (const key of path) {
    if (typeof value !== "object" || value === null || !Object.hasOwn(value, key)) return { found: false, value: undefined };
    value = (value as Record<string, unknown>)[key];
  }
  return { found: value !== undefined, value };
}

/** Wraps `evaluate` so that inputs equal on every path the policy reads are evaluated once. */
export function memoiseDecisions(evaluate: Evaluate, options: DecisionMemoOptions): Evaluate {
  const { read, counted, maxEntries = 10_000 } = options;
  const memo = new Map<string, Decision>();
  // A frozen value (the gateway's field lists are, shared by every request of one shape) is serialised once.
  const serialised = rememberFrozen((value: object) => JSON.stringify(value));
  const json = (value: unknown): string =>
    typeof value === "object" && value !== null ? serialised(value) : JSON.stringify(value);
  const keyOf = (input: AccessInput): string => {
    let key = "";
    for (const path of read) {
      const { found, value } = at(input, path);
      key += found ? `${json(value)}\u0000` : `${absent}\u0000`;
    }
    for (const path of counted) {
      const { found, value } = at(input, path);
      // Only the length matters to count(); anything but an array is kept whole.
      key += !found ? `${absent}\u0000` : Array.isArray(value) ? `#${value.length}\u0000` : `${JSON.stringify(value)}\u0000`;
    }
    return key;
  };
  return (input) => {
    const key = keyOf(input);
    const known = memo.get(key);
    if (known !== undefined) return known;
    const decision = evaluate(input);
    const frozen: Decision = Object.freeze({ ...decision, reasons: Object.freeze([...decision.reasons]) });
    if (memo.size >= maxEntries) memo.delete(memo.keys().next().value as string);
    memo.set(key, frozen);
    return frozen;
  };
}
