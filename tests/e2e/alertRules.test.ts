/**
 * The alerting rules an operator loads (deploy/prometheus/alerts.yml): valid for Prometheus (`promtool check rules`),
 * each alert firing in the case it is for and quiet in the normal one (`promtool test rules` on alerts.test.yml), every
 * alert with a severity, a summary and a description, and every one of them tested both ways. That the metrics they read
 * are the ones the running parts export is start.test.ts's check.
 */
import { spawnSync } from "node:child_process";
import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { ensurePromtool } from "../../scripts/tools.ts";
import { alertRulesPath } from "./alertRules.ts";
import { read, root } from "./deploymentSources.ts";

interface Rule {
  readonly alert: string;
  readonly expr: string;
  readonly labels?: Record<string, string>;
  readonly annotations?: Record<string, string>;
}
interface AlertTest {
  readonly alertname: string;
  readonly exp_alerts?: readonly unknown[];
}

const promtool = ensurePromtool();
const rulesDir = resolve(root, "deploy/prometheus");
const run = (...args: string[]) => spawnSync(promtool, args, { cwd: rulesDir, encoding: "utf8" });
const rules = (parse(read(alertRulesPath)) as { groups: { rules: Rule[] }[] }).groups.flatMap((g) => g.rules);
const tests = (parse(read("deploy/prometheus/alerts.test.yml")) as { tests: { alert_rule_test?: AlertTest[] }[] }).tests.flatMap((t) => t.alert_rule_test ?? []);

describe("the alerting rules", () => {
  it("are valid Prometheus rules, and pass their unit tests", () => {
    const checked = run("check", "rules", "alerts.yml");
    expect({ status: checked.status, out: checked.stdout + checked.stderr }).toMatchObject({ status: 0, out: expect.stringContaining(`SUCCESS: ${rules.length} rules found`) });
    const tested = run("test", "rules", "alerts.test.yml");
    expect({ status: tested.status, out: tested.stdout + tested.stderr }).toMatchObject({ status: 0, out: expect.stringContaining("SUCCESS") });
  });

  it("say how bad each alert is and what it means", () => {
    for (const rule of rules) {
      expect({ alert: rule.alert, severity: rule.labels?.["severity"] }).toEqual({ alert: rule.alert, severity: expect.stringMatching(/^(critical|warning)$/) });
      expect(Object.keys(rule.annotations ?? {}).sort(), rule.alert).toEqual(["description", "summary"]);
    }
  });

  it("each have a case where they fire and one where they stay quiet", () => {
    for (const { alert } of rules) {
      const cases = tests.filter((t) => t.alertname === alert);
      expect({ alert, fires: cases.some((t) => (t.exp_alerts ?? []).length > 0), quiet: cases.some((t) => (t.exp_alerts ?? []).length === 0) }).toEqual({ alert, fires: true, quiet: true });
    }
  });

  it("fail their unit tests when an alert's threshold is wrong", () => {
    // The unit tests are not a formality: raise one threshold and promtool names the alert that no longer fires.
    const original = read(alertRulesPath);
    const broken = original.replace('ndx_circuit_breaker_state{state="open"}) == 1', 'ndx_circuit_breaker_state{state="open"}) == 2');
    expect(broken).not.toBe(original);
    const dir = mkdtempSync(join(tmpdir(), "ndx-alerts-"));
    try {
      copyFileSync(join(rulesDir, "alerts.test.yml"), join(dir, "alerts.test.yml"));
      writeFileSync(join(dir, "alerts.yml"), broken);
      const tested = spawnSync(promtool, ["test", "rules", "alerts.test.yml"], { cwd: dir, encoding: "utf8" });
      expect(tested.status).not.toBe(0);
      expect(tested.stdout + tested.stderr).toContain("NdxCircuitOpen");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
