/**
 * The registry's seed: on a fresh database, version 1 of every subgraph (the repository's files), active, and their
 * supergraph — exactly the checked-in `schema/supergraph.graphql`. On a database seeded before, a subgraph that nobody
 * has published through the registry yet follows the repository's file when it changed (a new version by "seed",
 * activated if the set composes), as does a subgraph new to the repository: a developer's `.data` keeps up with the
 * code; a subgraph its data owners manage through the registry is never touched.
 */
import type { Db, Logger } from "@ndx/platform";
import type { SchemaChecks } from "./checkTypes.ts";
import { composeSubgraphs, type SubgraphSdl } from "./composition.ts";
import { versionId, versionStore } from "./versionStore.ts";

const seedActor = "seed";

export type SeedOutcome = "seeded" | "followed the repository" | "unchanged";

export async function seedSchemaRegistry(db: Db, subgraphs: readonly SubgraphSdl[], logger?: Logger): Promise<SeedOutcome> {
  return db.transaction(async (tx) => {
    await tx.query("LOCK TABLE schema_supergraph IN EXCLUSIVE MODE");
    const active = await versionStore.active(tx);
    const fresh = active.length === 0;
    const held = new Map(active.map((v) => [v.subgraph, v]));
    const changed = subgraphs.filter((s) => {
      const v = held.get(s.name);
      return v === undefined || (v.publishedBy === seedActor && v.activatedBy === seedActor && v.sdl !== s.sdl);
    });
    if (changed.length === 0) return "unchanged";
    const names = new Set(changed.map((s) => s.name));
    const set = [...active.filter((v) => !names.has(v.subgraph)).map((v) => ({ name: v.subgraph, url: v.url, sdl: v.sdl })), ...changed];
    const composition = composeSubgraphs(set);
    if (!composition.ok) {
      if (fresh) throw new Error(`the repository's subgraphs do not compose: ${composition.errors.join("; ")}`);
      logger?.warn({ subgraphs: [...names], errors: composition.errors }, "the repository's changed subgraphs do not compose with the active ones; the registry keeps its versions");
      return "unchanged";
    }
    const checks: SchemaChecks = { passed: true, against: null, compositionErrors: [], compositionHints: composition.hints, changes: [], findings: [] };
    const versions: Record<string, number> = Object.fromEntries(active.map((v) => [v.subgraph, v.number]));
    for (const s of changed) {
      const number = await versionStore.nextNumber(tx, s.name);
      await versionStore.insert(tx, { subgraph: s.name, number, url: s.url, sdl: s.sdl, status: "PUBLISHED", publishedBy: seedActor, checks, activatedBy: null, activatedAt: null, overrideReason: null });
      await versionStore.activate(tx, versionId(s.name, number), s.name, seedActor, null);
      versions[s.name] = number;
    }
    await versionStore.insertSupergraph(tx, { hash: composition.hash, sdl: composition.supergraphSdl, versions, activatedBy: seedActor });
    return fresh ? "seeded" : "followed the repository";
  });
}
