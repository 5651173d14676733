/**
 * A consent database for a describe block: opened once on `backend`, given a clean, migrated `consent` schema before
 * each test (cheaper than a new database; the history is append-only, so no TRUNCATE), closed after the block.
 * Register it before the block's own `beforeEach`, which then finds the schema ready.
 */
import type { Db } from "@ndx/platform";
import type { Backend } from "@ndx/platform/testing";
import { afterAll, beforeAll, beforeEach } from "vitest";
import { prepareConsentDatabase } from "../../src/index.ts";

export function consentDatabasePerTest(backend: Backend): () => Db & { readonly url: string | undefined } {
  let db: (Db & { readonly url: string | undefined }) | undefined;
  beforeAll(async () => {
    db = await backend.open("consent");
  });
  afterAll(async () => {
    await db?.close();
  });
  beforeEach(async () => {
    await db?.exec("DROP SCHEMA IF EXISTS consent CASCADE; CREATE SCHEMA consent;");
    if (db !== undefined) await prepareConsentDatabase(db);
  });
  return () => {
    if (db === undefined) throw new Error("the consent database is open only inside its describe block's tests");
    return db;
  };
}
