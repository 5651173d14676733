/** A consent's data scope: (provider, "Type.field") pairs, kept sorted and without duplicates. */
import type { ScopeItem } from "@ndx/contracts";

export type { ScopeItem };

export interface DataScope {
  readonly providers: readonly string[];
  readonly fields: readonly ScopeItem[];
}

const compare = (a: ScopeItem, b: ScopeItem): number =>
  a.provider === b.provider ? (a.field < b.field ? -1 : a.field > b.field ? 1 : 0) : a.provider < b.provider ? -1 : 1;

export function normaliseScope(items: readonly ScopeItem[]): ScopeItem[] {
  const seen = new Set<string>();
  const out: ScopeItem[] = [];
  for (const item of items) {
    const key = itemKey(item);
    if (seen.has(key)) continue;
    seen.add(key);
    out.push({ provider: item.provider, field: item.field });
  }
  return out.sort(compare);
}

export function itemKey(item: ScopeItem): string {
  return `${item.provider}:${item.field}`;
}

/** One string per scope, equal for equal scopes (after normalising). */
export function scopeKey(items: readonly ScopeItem[]): string {
  return normaliseScope(items).map(itemKey).join(",");
}

export function dataScope(items: readonly ScopeItem[]): DataScope {
  const fields = normaliseScope(items);
  return { providers: [...new Set(fields.map((f) => f.provider))], fields };
}
