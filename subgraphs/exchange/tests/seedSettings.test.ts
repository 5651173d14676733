/** The seed's settings that no GraphQL input has: bulk access (the bench's own seed gives it to its list reader). */
import { afterEach, describe, expect, it } from "vitest";
import { migrate, readMigrations, type Db } from "@ndx/platform";
import { testBackends } from "@ndx/platform/testing";
import { migrationsDir, seedExchange } from "../src/index.ts";
import { readRegister } from "../src/register/registerDocument.ts";
import { catalogue } from "./catalogue.ts";
import { consumers, seed } from "./harness.ts";

for (const backend of testBackends()) {
  describe(`the seed's settings on ${backend.name}`, () => {
    let db: Db | undefined;
    afterEach(async () => {
      await db?.close();
      db = undefined;
    });

    it("gives bulk access to a seeded application that asks for it, and to no other", async () => {
      db = await backend.open("exchange");
      await migrate(db, readMigrations(migrationsDir), "ndx:exchange");
      const withBulk = { ...seed, applications: seed.applications.map((a) => (a.id === "passport-app" ? { ...a, bulkAccess: true } : a)) };
      await seedExchange(db, { seed: withBulk, consumers, catalogue });
      const register = await readRegister(db);
      const bulk = Object.fromEntries(register.applications.map((a) => [a.id, a.bulkAccess]));
      expect(bulk).toEqual({ "passport-app": true, "benefits-app": false });
    });
  });
}
