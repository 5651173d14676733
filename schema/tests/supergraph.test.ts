import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { describe, expect, it } from "vitest";
import { composeSupergraph, CompositionError, listSubgraphs, readSupergraph, schemaDir } from "../src/index.ts";

describe("supergraph", () => {
  it("composes from the subgraph SDLs", () => {
    const supergraph = composeSupergraph();
    for (const s of listSubgraphs()) expect(supergraph).toContain(`url: "${s.url}"`);
    expect(supergraph).toMatch(/type Person\b/);
  });

  it("is checked in up to date (run `npm run compose` after changing an SDL)", () => {
    expect(readSupergraph()).toBe(composeSupergraph());
  });

  it("reports why a broken subgraph does not compose", () => {
    const dir = mkdtempSync(join(tmpdir(), "ndx-sdl-"));
    // Two subgraphs defining the same non-shareable field cannot compose.
    writeFileSync(
      join(dir, "clash.graphql"),
      'extend schema @link(url: "https://specs.apollo.dev/federation/v2.7", import: ["@key"])\n' +
        'type Person @key(fields: "nic") { nic: String! fullName: String! }\n',
    );
    const broken = [
      ...listSubgraphs(),
      { name: "clash", sdl: relative(schemaDir, join(dir, "clash.graphql")), url: "http://localhost:1/graphql" },
    ];
    expect(() => composeSupergraph(broken)).toThrow(CompositionError);
    expect(() => composeSupergraph(broken)).toThrow(/fullName/);
  });
});
