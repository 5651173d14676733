/** The markdown of a run (bench/results/latest.md, the README's table): the table, per-part CPU, targets, latency, plugin. */
import type { BenchResults } from "./benchResults.ts";
import { fmt, scenarioNames, targetNames } from "./reportNames.ts";
import { latencyLines, partsTable, targetsTable } from "./reportTables.ts";

export function renderMarkdown(r: BenchResults): string {
  const lines: string[] = [];
  lines.push(
    `Run ${r.date.slice(0, 16).replace("T", " ")} UTC (commit ${r.commit}) on ${r.machine.cores} cores (${r.machine.cpu}), ` +
      `${r.machine.memoryGb} GB, Node ${r.machine.node}; ${r.settings.connections} connections (list: ${r.settings.connectionsList}), ${r.settings.warmupSeconds} s warm-up, ` +
      `${r.settings.durationSeconds} s measured per target; load from ${r.settings.loadGenerator}; ` +
      `NDX audit trail on ${r.settings.auditStore ?? "PGlite"}; ` +
      `load average ${r.machine.loadAverage.atStart} before, ${r.machine.loadAverage.atEnd} after` +
      (r.machine.idleBefore === undefined
        ? "."
        : `; cores ${Math.round(r.machine.idleBefore.share * 100)} % idle before the first target` +
          (r.machine.idleBefore.waitedSeconds > 1 ? ` (waited ${r.machine.idleBefore.waitedSeconds} s).` : ".")),
  );
  lines.push("");
  lines.push("| scenario | target | req/s | p50 ms | p99 ms | errors | peak RSS MB | vs plain | CPU ms/req (serving / all parts) |");
  lines.push("|---|---|---:|---:|---:|---:|---:|---:|---:|");
  for (const s of r.scenarios) {
    const plain = r.scenarios.find((x) => x.scenario === s.scenario && x.target === "plain")?.rps;
    const vsPlain = plain === undefined ? null : s.rps / plain;
    lines.push(
      `| ${scenarioNames[s.scenario] ?? s.scenario} | ${targetNames[s.target]} | ${s.rps.toFixed(0)} | ${fmt(s.p50Ms)} | ${fmt(s.p99Ms)} | ${s.errors} | ${fmt(s.rssMb, 0)} | ${fmt(vsPlain)} | ${fmt(s.cpuMsPerRequest.serving)} / ${fmt(s.cpuMsPerRequest.allParts)} |`,
    );
  }
  lines.push("");
  lines.push(
    `**Ratios (single person):** NDX / plain = **${fmt(r.ratios.ndxOverPlain)}**, NDX / Hive = **${fmt(r.ratios.ndxOverHive)}**, ` +
      `NDX / Hive with the Rust planner = **${fmt(r.ratios.ndxOverHiveRust ?? null)}**, NDX / Hive Router = **${fmt(r.ratios.ndxOverHiveRouter ?? null)}**.`,
  );
  const rounds = r.scenarios.filter((s) => s.scenario === "person" && s.roundsRps !== undefined);
  if (rounds.length > 0) {
    const per = rounds.map((s) => `${s.target} ${(s.roundsRps ?? []).map((v) => v.toFixed(0)).join(" / ")}`).join("; ");
    lines.push(`The gateways were measured in ${rounds[0]?.roundsRps?.length ?? 0} interleaved rounds; req/s is their mean (per round: ${per}).`);
  }
  const cpu = r.ratiosFromCpu["person"];
  if (cpu !== undefined) {
    lines.push(
      `Estimated from the CPU all parts spend per request (steadier when other work shares the machine; load average ` +
        `${r.machine.loadAverage.atStart} → ${r.machine.loadAverage.atEnd}): NDX / plain ≈ ${fmt(cpu.ndxOverPlain)}, NDX / Hive ≈ ${fmt(cpu.ndxOverHive)}, ` +
        `NDX / Hive (Rust planner) ≈ ${fmt(cpu.ndxOverHiveRust ?? null)}.`,
    );
  }
  const people = r.ratiosByScenario["people"];
  if (people !== undefined) {
    lines.push(`50 people: NDX / plain = ${fmt(people.ndxOverPlain)}, NDX / Hive = ${fmt(people.ndxOverHive)}.`);
  }
  lines.push("", ...partsTable(r.scenarios), "", ...latencyLines(r.latency ?? []), ...targetsTable(r.targets ?? []));
  lines.push("");
  const p = r.plugin;
  lines.push(
    `**Access plugin, in-process** (scope + consent with a warm cache + policy, as useAccess calls them: ` +
      `${p.policyEvaluationsPerRequest} policy evaluation${p.policyEvaluationsPerRequest === 1 ? "" : "s"}; ${p.iterations} iterations): ` +
      `p50 **${fmt(p.p50Us, 1)} µs**, p99 **${fmt(p.p99Us, 1)} µs** (target p99 < 1000 µs).`,
  );
  lines.push("");
  lines.push("| piece | p50 µs | p99 µs |");
  lines.push("|---|---:|---:|");
  lines.push(`| scope (operation planned once) | ${fmt(p.pieces.scope.p50Us, 1)} | ${fmt(p.pieces.scope.p99Us, 1)} |`);
  if (p.pieces.usageCount !== undefined) {
    lines.push(`| usage count for the schema registry (target p99 < 20 µs) | ${fmt(p.pieces.usageCount.p50Us, 1)} | ${fmt(p.pieces.usageCount.p99Us, 1)} |`);
  }
  lines.push(`| consent check, warm cache | ${fmt(p.pieces.consentWarm.p50Us, 1)} | ${fmt(p.pieces.consentWarm.p99Us, 1)} |`);
  lines.push(`| policy.evaluate, remembered for a request of the same shape | ${fmt(p.pieces.policyEvaluate.p50Us, 1)} | ${fmt(p.pieces.policyEvaluate.p99Us, 1)} |`);
  const fresh = p.pieces.policyEvaluateFresh;
  lines.push(`| policy.evaluate, first of its shape (OPA wasm; not in the total above) | ${fmt(fresh.p50Us, 1)} | ${fmt(fresh.p99Us, 1)} |`);
  lines.push(
    `| audit append, awaited decision event (PGlite; not part of the target) | ${fmt(p.pieces.auditAppend.p50Us, 1)} | ${fmt(p.pieces.auditAppend.p99Us, 1)} |`,
  );
  lines.push("");
  return lines.join("\n");
}
