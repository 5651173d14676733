/**
 * What deploy/prometheus/alerts.yml asks of the parts' metrics: the names of the series its expressions read (a
 * histogram's `_bucket`, `_sum` and `_count` as the histogram's own name), for start.test.ts to find in what the
 * running parts export.
 */
import { parse } from "yaml";
import { read } from "./deploymentSources.ts";

interface RuleFile {
  readonly groups: readonly { readonly name: string; readonly rules: readonly { readonly alert?: string; readonly expr: string }[] }[];
}

export const alertRulesPath = "deploy/prometheus/alerts.yml";

/** The metric names the alerts read, sorted. */
export function alertMetricNames(): string[] {
  const rules = (parse(read(alertRulesPath)) as RuleFile).groups.flatMap((g) => g.rules);
  const names = rules.flatMap((r) => [...r.expr.matchAll(/\b(?:ndx|nodejs|process)_[a-z0-9_]+\b/g)].map((m) => m[0].replace(/_(bucket|sum|count)$/, "")));
  return [...new Set(names)].sort();
}
