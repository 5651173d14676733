import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ratiosOf, replaceMarked, saveResults } from "../src/results.ts";
import { scenarioRow } from "./scenarioRow.ts";

describe("ratios of a run", () => {
  it("takes the targets' ratios from the person scenario, the CPU estimate as the inverse of CPU per request", () => {
    const results = [
      scenarioRow("person", "direct", 600, 2),
      scenarioRow("person", "plain", 200, 8),
      scenarioRow("person", "ndx", 170, 10),
      scenarioRow("person", "hive", 150, 11),
      scenarioRow("people", "plain", 12, 120),
      scenarioRow("people", "ndx", 10, 150),
    ];
    const r = ratiosOf(results, ["person", "people"]);
    // No Hive Gateway with the Rust planner nor Hive Router in this run: no ratio to them rather than a made-up one.
    expect(r.ratios).toEqual({ ndxOverPlain: 0.85, ndxOverHive: 1.133, ndxOverHiveRust: null, ndxOverHiveRouter: null });
    expect(r.ratiosFromCpu["person"]).toEqual({ ndxOverPlain: 0.8, ndxOverHive: 1.1, ndxOverHiveRust: null, ndxOverHiveRouter: null });
    expect(r.ratiosByScenario["person"]?.plainOverDirect).toBe(0.333);
    // A target that was not measured gives no ratio rather than a made-up one.
    expect(r.ratiosByScenario["people"]).toEqual({ ndxOverPlain: 0.833, ndxOverHive: null, ndxOverHiveRust: null, ndxOverHiveRouter: null, plainOverDirect: null });
  });
});

describe("saving a run", () => {
  it("writes latest.json, a dated copy and latest.md, and replaces only the README's table between its markers", () => {
    const dir = mkdtempSync(join(tmpdir(), "ndx-bench-results-"));
    writeFileSync(join(dir, "README.md"), "# Bench\n\n<!-- latest.md -->\nold table\n<!-- /latest.md -->\n\nafter\n");
    const output = { date: "2026-11-24T04:06:31.000Z", commit: "abc" };
    expect(saveResults(dir, output, "| new table |\n")).toBe("2026-11-24-0406.json");
    expect(readdirSync(join(dir, "results")).sort()).toEqual(["2026-11-24-0406.json", "latest.json", "latest.md"]);
    expect(JSON.parse(readFileSync(join(dir, "results", "latest.json"), "utf8"))).toEqual(output);
    expect(readFileSync(join(dir, "README.md"), "utf8")).toBe("# Bench\n\n<!-- latest.md -->\n| new table |\n<!-- /latest.md -->\n\nafter\n");
  });
});

describe("the README's marked tables", () => {
  it("replaces the median table between its own markers and leaves the latest table alone", () => {
    const dir = mkdtempSync(join(tmpdir(), "ndx-bench-readme-"));
    const file = join(dir, "README.md");
    writeFileSync(file, "<!-- latest.md -->\nlatest\n<!-- /latest.md -->\n<!-- median.md -->\nold\n<!-- /median.md -->\n");
    replaceMarked(file, "median.md", "| median |\n");
    expect(readFileSync(file, "utf8")).toBe("<!-- latest.md -->\nlatest\n<!-- /latest.md -->\n<!-- median.md -->\n| median |\n<!-- /median.md -->\n");
    // A README without the markers is left as it is.
    replaceMarked(join(dir, "missing.md"), "median.md", "x");
    writeFileSync(file, "no markers\n");
    replaceMarked(file, "median.md", "x");
    expect(readFileSync(file, "utf8")).toBe("no markers\n");
  });
});
