/** A measured target as the tests need one: only what they vary is given. */
import type { ScenarioResult } from "../src/benchResults.ts";

export const scenarioRow = (scenario: string, target: ScenarioResult["target"], rps: number, allParts = 15): ScenarioResult => ({
  scenario,
  target,
  rps,
  p50Ms: 10,
  p99Ms: 20,
  errors: 0,
  rssMb: 300,
  connections: 16,
  requests: rps * 10,
  cpuMsPerRequest: { serving: 5, allParts },
});
