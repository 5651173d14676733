import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { testBackends } from "@ndx/platform/testing";
import {
  envKeyEncryptionKey,
  KeyEncryptionKeyError,
  loadKekRotationConfig,
  loadRegistryConfig,
  rotateKeyEncryptionKey,
  type KeyEncryptionKeyProvider,
} from "../src/index.ts";
import { approveMutation, checker, codes, maker, newKey, startTestRegistry, submitMutation, type ChangeRequestJson, type Gql, type TestRegistry } from "./harness.ts";

const assessment = {
  assessmentNumber: "DA-2026-000031",
  nic: "196806300456",
  assessedOn: "2026-03-02",
  assessor: "Officer Banda",
  functionalLimitations: ["walking", "seeing"],
  severity: "severe",
  diagnosis: "Bilateral cataracts with knee osteoarthritis",
  assessorNotes: "Uses a walking frame; cannot read print",
};
// Values that must never appear in the database in clear.
const secrets = ["Bilateral cataracts", "osteoarthritis", "walking frame", '"severe"', "seeing"];

/** A KEK provider that counts its calls, to show reads and writes never reach it. */
function counting(inner: KeyEncryptionKeyProvider) {
  const calls = { wrap: 0, unwrap: 0 };
  const provider: KeyEncryptionKeyProvider = {
    id: inner.id,
    wrap: (key, context) => {
      calls.wrap += 1;
      return inner.wrap(key, context);
    },
    unwrap: (wrapped, context) => {
      calls.unwrap += 1;
      return inner.unwrap(wrapped, context);
    },
  };
  return { provider, calls };
}

for (const backend of testBackends()) {
  describe(`encryption at rest on ${backend.name}`, () => {
    let t: TestRegistry;
    let recordId = "";
    let rotatedGql: Gql | undefined;

    beforeAll(async () => {
      t = await startTestRegistry(backend, { generated: 0 });
    });

    afterAll(async () => {
      await t?.close();
    });

    /** Everything the registry stored, as text, table by table. */
    const dump = async (): Promise<string> => {
      const tables = ["register_record", "person", "change_request", "change_request_transition", "record_history", "record_match", "outbox", "data_key"];
      const parts = await Promise.all(tables.map(async (table) => (await t.db.query<{ t: string }>(`SELECT x::text AS t FROM ${table} x`)).rows.map((r) => r.t).join("\n")));
      return parts.join("\n");
    };

    it("stores sensitive fields only as ciphertext, and shows them in clear through the API", async () => {
      const counted = counting(t.kek);
      const instance = await t.start({ kek: counted.provider });
      const atStart = { ...counted.calls };

      const submitted = await instance.gql(maker, submitMutation, {
        input: { register: "disability-assessments", operation: "CREATE", payload: assessment, reason: "First assessment", idempotencyKey: newKey() },
      });
      const cr = submitted.data?.["submitChangeRequest"] as ChangeRequestJson;
      expect(cr.payload).toEqual(assessment);
      recordId = cr.recordId;
      expect(recordId).toMatch(/^[0-9a-f-]{36}$/);
      const approved = await instance.gql(checker, approveMutation, { id: cr.id, comment: "Form checked" });
      expect(approved.errors).toBeUndefined();

      const raw = await t.db.query<{ fields: Record<string, unknown>; sealed: Record<string, string> }>(
        "SELECT fields, sealed FROM register_record WHERE register = 'disability-assessments' AND id = $1",
        [recordId],
      );
      const row = raw.rows[0];
      expect(Object.keys(row?.fields ?? {}).sort()).toEqual(["assessedOn", "assessmentNumber", "assessor", "nic"]);
      expect(Object.keys(row?.sealed ?? {}).sort()).toEqual(["assessorNotes", "diagnosis", "functionalLimitations", "severity"]);
      for (const envelope of Object.values(row?.sealed ?? {})) expect(envelope).toMatch(/^v1\.[0-9a-f-]{36}\.[\w-]{16}\.[\w-]+\.[\w-]{22}$/);
      const everything = await dump();
      for (const secret of secrets) expect(everything).not.toContain(secret);

      // Ciphertext lengths do not give short values away: "mild" and "severe" encrypt to the same length.
      const mild = await instance.gql(maker, submitMutation, {
        input: { register: "disability-assessments", operation: "CREATE", payload: { ...assessment, assessmentNumber: "DA-2026-000032", severity: "mild" }, reason: "Second", idempotencyKey: newKey() },
      });
      const mildId = (mild.data?.["submitChangeRequest"] as ChangeRequestJson).recordId;
      await instance.gql(checker, approveMutation, { id: (mild.data?.["submitChangeRequest"] as ChangeRequestJson).id, comment: "ok" });
      const severities = await t.db.query<{ s: string }>(
        "SELECT sealed->>'severity' AS s FROM register_record WHERE id = ANY($1::text[]) ORDER BY id",
        [[recordId, mildId]],
      );
      const lengths = severities.rows.map((r) => r.s.split(".")[3]?.length);
      expect(lengths).toHaveLength(2);
      expect(lengths[0]).toBe(lengths[1]);

      const read = await instance.gql(checker, `query($id: String!) { record(register: "disability-assessments", id: $id) { version data history { operation data } } }`, { id: recordId });
      expect(read.data?.["record"]).toEqual({ version: 1, data: assessment, history: [{ operation: "CREATE", data: assessment }] });
      // Submitting, approving and reading never called the KEK provider: the data keys were unwrapped at start-up.
      expect(counted.calls).toEqual(atStart);
      expect(atStart.unwrap).toBeGreaterThan(0);
    });

    it("rotates the key-encryption key by re-wrapping data keys only; every record stays readable", async () => {
      const before = await t.db.query<{ register: string; sealed: unknown; fields: unknown }>("SELECT register, sealed, fields FROM register_record ORDER BY id");
      const keysBefore = await t.db.query<{ id: string; kek_id: string; wrapped: string }>("SELECT id, kek_id, wrapped FROM data_key ORDER BY id");
      const next = envKeyEncryptionKey(randomBytes(32));

      const result = await rotateKeyEncryptionKey(t.db, t.kek, next);
      expect(result).toEqual({ rewrapped: keysBefore.rows.length, alreadyRotated: 0 });
      const keysAfter = await t.db.query<{ id: string; kek_id: string; wrapped: string }>("SELECT id, kek_id, wrapped FROM data_key ORDER BY id");
      expect(keysAfter.rows.map((k) => k.id)).toEqual(keysBefore.rows.map((k) => k.id));
      expect(keysAfter.rows.every((k) => k.kek_id === next.id)).toBe(true);
      expect(keysAfter.rows.map((k) => k.wrapped)).not.toEqual(keysBefore.rows.map((k) => k.wrapped));
      // Records were not re-encrypted.
      expect((await t.db.query("SELECT register, sealed, fields FROM register_record ORDER BY id")).rows).toEqual(before.rows);
      // Running it again changes nothing.
      expect(await rotateKeyEncryptionKey(t.db, t.kek, next)).toEqual({ rewrapped: 0, alreadyRotated: keysBefore.rows.length });

      // A registry started with the new KEK reads every record; one started with the old KEK refuses to start.
      const rotated = await t.start({ kek: next });
      rotatedGql = rotated.gql;
      const read = await rotated.gql(checker, `query($id: String!) { record(register: "disability-assessments", id: $id) { data } }`, { id: recordId });
      expect(read.data?.["record"]).toEqual({ data: assessment });
      const persons = await rotated.gql(checker, `{ records(register: "persons", first: 100) { totalCount edges { node { id data } } } }`);
      expect((persons.data?.["records"] as { totalCount: number }).totalCount).toBeGreaterThanOrEqual(5);
      await expect(t.start({ kek: t.kek })).rejects.toThrow(KeyEncryptionKeyError);
      await expect(t.start({ kek: t.kek })).rejects.toThrow(/set REGISTRY_KEK to the key they were wrapped with/);
      // A rotation from a KEK that wraps nothing here is refused, and changes nothing.
      await expect(rotateKeyEncryptionKey(t.db, envKeyEncryptionKey(randomBytes(32)), t.kek)).rejects.toThrow(/neither the current nor the new one/);
    });

    it("refuses a transplanted ciphertext rather than returning a value", async () => {
      const gql = rotatedGql;
      if (gql === undefined) throw new Error("the rotation test runs first");
      const query = `query($id: String!) { record(register: "disability-assessments", id: $id) { data } }`;
      const sealed = (await t.db.query<{ sealed: Record<string, string> }>("SELECT sealed FROM register_record WHERE id = $1", [recordId])).rows[0]?.sealed ?? {};
      // The diagnosis ciphertext copied onto the notes field does not decrypt there: record and field are bound to it.
      await t.db.query("UPDATE register_record SET sealed = jsonb_set(sealed, '{assessorNotes}', to_jsonb($2::text)) WHERE id = $1", [recordId, sealed["diagnosis"]]);
      const tampered = await gql(checker, query, { id: recordId });
      expect(codes(tampered)).toEqual(["INTERNAL_SERVER_ERROR"]);
      expect(JSON.stringify(tampered)).not.toContain("cataracts");
      await t.db.query("UPDATE register_record SET sealed = $2::jsonb WHERE id = $1", [recordId, JSON.stringify(sealed)]);
      expect((await gql(checker, query, { id: recordId })).data?.["record"]).toEqual({ data: assessment });
    });
  });
}

describe("KEK configuration", () => {
  it("uses the development KEK only in development, and wants 32 bytes of base64", () => {
    expect(loadRegistryConfig({}).kek).toHaveLength(32);
    expect(() => loadRegistryConfig({ NDX_ENV: "production", GATEWAY_JWKS_URL: "https://gw.example/.well-known/jwks.json", REGISTRY_EVENTS_TOKEN: "y".repeat(32) })).toThrow(
      /REGISTRY_KEK: must be set to a real secret/,
    );
    expect(() => loadRegistryConfig({ REGISTRY_KEK: "too-short-for-aes-256-but-24+" })).toThrow(/REGISTRY_KEK must be 32 random bytes in base64/);
    const real = randomBytes(32).toString("base64");
    expect(loadRegistryConfig({ NDX_ENV: "production", GATEWAY_JWKS_URL: "https://gw.example/.well-known/jwks.json", REGISTRY_EVENTS_TOKEN: "y".repeat(32), REGISTRY_KEK: real }).kek).toEqual(
      Buffer.from(real, "base64"),
    );
    expect(() => loadKekRotationConfig({})).toThrow(/REGISTRY_NEW_KEK/);
    expect(loadKekRotationConfig({ REGISTRY_NEW_KEK: real }).newKek).toEqual(Buffer.from(real, "base64"));
  });

  it("names a KEK by a fingerprint, never by the key", () => {
    const key = randomBytes(32);
    const provider = envKeyEncryptionKey(key);
    expect(provider.id).toMatch(/^env:[0-9a-f]{16}$/);
    expect(provider.id).not.toContain(key.toString("hex").slice(0, 16));
    expect(envKeyEncryptionKey(Buffer.from(key)).id).toBe(provider.id);
  });

  it("does not unwrap a data key under another context or KEK", async () => {
    const kek = envKeyEncryptionKey(randomBytes(32));
    const wrapped = await kek.wrap(randomBytes(32), "key-1");
    await expect(kek.unwrap(wrapped, "key-2")).rejects.toThrow(KeyEncryptionKeyError);
    await expect(envKeyEncryptionKey(randomBytes(32)).unwrap(wrapped, "key-1")).rejects.toThrow(KeyEncryptionKeyError);
  });
});
