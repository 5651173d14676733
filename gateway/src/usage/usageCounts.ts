/**
 * Field usage counted in memory on the request path, at the cost of two Map lookups and an increment: per scope field
 * list (the access plugin's plan shares one frozen list among every request of a shape, so it is the key), per
 * operation (its name, or the sha256 of its document when it has none, computed once per parsed document) and
 * consumer (an application id; staff are counted as "staff", without their name). No variables, no subjects, no
 * values: nothing personal. `drain()` hands over what was counted since the last drain, one record per
 * (operation, consumer, provider, Type.field).
 */
import { createHash } from "node:crypto";
import { print, type DocumentNode } from "graphql";
import type { FieldAccess } from "@ndx/policy";

export interface UsageRecord {
  readonly operation: string;
  readonly consumer: string;
  readonly provider: string;
  readonly coordinate: string;
  readonly count: number;
  /** ISO 8601 */
  readonly lastSeen: string;
}

interface Tally {
  count: number;
  lastSeen: number;
}

export interface UsageCounts {
  /** Counts one permitted request. */
  count(document: DocumentNode, operationName: string | null, consumer: string, fields: readonly FieldAccess[]): void;
  /** What was counted since the last drain, and starts again from nothing. */
  drain(): UsageRecord[];
  /** Distinct (field list, operation, consumer) held now. */
  readonly size: number;
}

export function createUsageCounts(now: () => number = Date.now): UsageCounts {
  const hashes = new WeakMap<DocumentNode, string>();
  let tallies = new Map<readonly FieldAccess[], Map<string, Tally>>();
  let size = 0;
  const anonymous = (document: DocumentNode) => {
    let hash = hashes.get(document);
    if (hash === undefined) hashes.set(document, (hash = `sha256:${createHash("sha256").update(print(document)).digest("hex").slice(0, 16)}`));
    return hash;
  };
  return {
    count(document, operationName, consumer, fields) {
      if (fields.length === 0) return;
      let byKey = tallies.get(fields);
      if (byKey === undefined) tallies.set(fields, (byKey = new Map<string, Tally>()));
      const key = `${operationName ?? anonymous(document)}\u0000${consumer}`;
      const tally = byKey.get(key);
      if (tally === undefined) {
        byKey.set(key, { count: 1, lastSeen: now() });
        size += 1;
      } else {
        tally.count += 1;
        tally.lastSeen = now();
      }
    },
    drain() {
      const held = tallies;
      tallies = new Map<readonly FieldAccess[], Map<string, Tally>>();
      size = 0;
      const merged = new Map<string, { record: Omit<UsageRecord, "count" | "lastSeen">; count: number; lastSeen: number }>();
      for (const [fields, byKey] of held) {
        for (const [key, tally] of byKey) {
          const [operation = "", consumer = ""] = key.split("\u0000");
          for (const f of fields) {
            const id = `${key}\u0000${f.provider}\u0000${f.field}`;
            const found = merged.get(id);
            if (found === undefined) merged.set(id, { record: { operation, consumer, provider: f.provider, coordinate: f.field }, count: tally.count, lastSeen: tally.lastSeen });
            else {
              found.count += tally.count;
              found.lastSeen = Math.max(found.lastSeen, tally.lastSeen);
            }
          }
        }
      }
      return [...merged.values()].map((m) => ({ ...m.record, count: m.count, lastSeen: new Date(m.lastSeen).toISOString() }));
    },
    get size() {
      return size;
    },
  };
}
