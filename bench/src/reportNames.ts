/** How the report names the scenarios, the targets and the parts, and how it prints a figure. */
import type { Target } from "./scenarios.ts";

export const targetNames: Record<Target, string> = {
  direct: "registry subgraph, direct (floor)",
  plain: "plain gateway (yoga + @apollo/gateway)",
  ndx: "NDX gateway, everything on",
  hive: "Hive Gateway",
  "hive-rust": "Hive Gateway, Rust query planner",
  "hive-router": "Hive Router (Rust)",
};

export const scenarioNames: Record<string, string> = {
  person: "one person, 3 providers",
  people: "50 people + vehicles",
};

export const fmt = (v: number | null, digits = 2) => (v === null || Number.isNaN(v) ? "–" : v.toFixed(digits));

/** The parts in the order the per-part CPU table shows them, with their column headers. */
export const partColumns: readonly (readonly [name: string, header: string])[] = [
  ["gateway", "gateway"],
  ["registry", "registry"],
  ["drp-rest", "DRP adapter"],
  ["dmt-soap", "DMT adapter"],
  ["drp-legacy", "DRP legacy sim"],
  ["dmt-legacy", "DMT legacy sim"],
  ["consent-engine", "consent engine"],
  ["identity-provider", "identity provider"],
  ["exchange", "exchange"],
  ["time-stamping-authority", "TSA"],
];
