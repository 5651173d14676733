/**
 * The schema registry's seed: a fresh database gets version 1 of every subgraph; later starts follow the repository's
 * file for a subgraph nobody has published through the registry (and add a subgraph new to it), never for one its
 * data owners manage, and never with a set that does not compose.
 */
import { createLogger } from "@ndx/platform";
import { testBackends } from "@ndx/platform/testing";
import { listSubgraphs, subgraphSdl } from "@ndx/schema";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { seedSchemaRegistry } from "../src/schemaRegistry/seedSchemas.ts";
import { versionStore } from "../src/schemaRegistry/versionStore.ts";
import { admin, drpOwner, startTestExchange, type TestExchange } from "./harness.ts";

const logger = createLogger("test", "silent");
const repository = () => listSubgraphs().map((s) => ({ name: s.name, url: s.url, sdl: subgraphSdl(s.name) }));
const withNote = (sdl: string, field: string) => sdl.replace('  "Profession as registered with the DRP."', `  "A note."\n  ${field}: String @classified(as: "PERSONAL")\n  "Profession as registered with the DRP."`);
const dmtNote = subgraphSdl("dmt").replace(/type Vehicle([^{]*)\{/, 'type Vehicle$1{\n  "A note."\n  note: String @classified(as: "INTERNAL")');

for (const backend of testBackends()) {
  describe(`the schema registry's seed on ${backend.name}`, () => {
    let t: TestExchange;
    beforeAll(async () => {
      t = await startTestExchange(backend);
    });
    afterAll(async () => {
      await t?.close();
    });

    it("leaves an up-to-date registry alone", async () => {
      expect(await seedSchemaRegistry(t.db, repository(), logger)).toBe("unchanged");
    });

    it("follows the repository for a subgraph never published through the registry", async () => {
      expect(dmtNote).not.toBe(subgraphSdl("dmt"));
      const files = repository().map((s) => (s.name === "dmt" ? { ...s, sdl: dmtNote } : s));
      expect(await seedSchemaRegistry(t.db, files, logger)).toBe("followed the repository");
      const active = await versionStore.active(t.db);
      expect(active.find((v) => v.subgraph === "dmt")).toMatchObject({ number: 2, publishedBy: "seed", activatedBy: "seed", status: "ACTIVE" });
      expect((await versionStore.activeSupergraph(t.db))?.sdl).toContain("note: String");
    });

    it("never touches a subgraph managed through the registry, nor activates a set that does not compose", async () => {
      const published = await t.gql(drpOwner, `mutation($sdl: String!) { publishSchemaVersion(subgraph: "drp", sdl: $sdl) { id status } }`, { sdl: withNote(subgraphSdl("drp"), "registeredOn") });
      const id = (published.data?.["publishSchemaVersion"] as { id: string }).id;
      expect((await t.gql(admin, `mutation($id: ID!) { activateSchemaVersion(id: $id) { status } }`, { id })).data?.["activateSchemaVersion"]).toEqual({ status: "ACTIVE" });
      const files = repository().map((s) => (s.name === "drp" ? { ...s, sdl: withNote(s.sdl, "other") } : s));
      expect(await seedSchemaRegistry(t.db, files.map((s) => (s.name === "dmt" ? { ...s, sdl: dmtNote } : s)), logger)).toBe("unchanged");
      expect((await versionStore.active(t.db)).find((v) => v.subgraph === "drp")?.id).toBe(id);
      const broken = repository().map((s) => (s.name === "dmt" ? { ...s, sdl: 'type Query { x: Nope }' } : s));
      expect(await seedSchemaRegistry(t.db, broken, logger)).toBe("unchanged");
      expect((await versionStore.active(t.db)).find((v) => v.subgraph === "dmt")?.number).toBe(2);
    });
  });
}
