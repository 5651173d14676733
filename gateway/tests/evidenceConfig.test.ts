/**
 * The evidence settings: outside development a checkpoint key and a TSA are required (not when the access plugin is
 * off: there is no trail), a bad key is named and never printed, and development keeps one key across restarts in
 * the evidence directory, next to PGLITE_DIR unless AUDIT_EVIDENCE_DIR says otherwise.
 */
import { generateKeyPairSync } from "node:crypto";
import { mkdtempSync, readdirSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { loadGatewayConfig } from "../src/index.ts";
import { loadOrCreateKeptKey, readKeptPublicKey } from "../src/evidence/checkpointKeys.ts";

const work = mkdtempSync(join(tmpdir(), "ndx-evidence-config-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));
const pem = () => generateKeyPairSync("ed25519").privateKey.export({ format: "pem", type: "pkcs8" }).toString();
const problems = (env: Record<string, string>): string => {
  try {
    loadGatewayConfig(env);
    return "";
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
};

describe("evidence settings", () => {
  it("require a checkpoint key and a TSA outside development, with the access plugin on", () => {
    const production = problems({ NDX_ENV: "production" });
    expect(production).toMatch(/AUDIT_CHECKPOINT_KEY: must be set to the private key that signs audit checkpoints/);
    expect(production).toMatch(/AUDIT_TSA_URL: must be set to an RFC 3161 time-stamping authority when NDX_ENV=production/);
    const plain = problems({ NDX_ENV: "production", ACCESS_CONTROL: "false" });
    expect(plain).not.toMatch(/AUDIT_CHECKPOINT_KEY|AUDIT_TSA_URL/);
    const secret = "-----BEGIN PRIVATE KEY-----\nSECRETBYTES\n-----END PRIVATE KEY-----";
    const bad = problems({ NDX_ENV: "production", AUDIT_CHECKPOINT_KEY: secret, AUDIT_CHECKPOINT_KEY_PREVIOUS: "nope" });
    expect(bad).toMatch(/AUDIT_CHECKPOINT_KEY: is not a PEM or JWK key/);
    expect(bad).toMatch(/AUDIT_CHECKPOINT_KEY_PREVIOUS: is not a PEM or JWK key/);
    expect(bad).not.toContain("SECRETBYTES");
  });

  it("take their defaults in development: 60 s, 4 h, no TSA, the key kept beside PGLITE_DIR", () => {
    const { evidence } = loadGatewayConfig({ PGLITE_DIR: join(work, "gateway") });
    expect(evidence).toMatchObject({ intervalMs: 60_000, maxAgeMs: 14_400_000, key: undefined, tsaUrl: undefined, dir: join(work, "gateway-evidence") });
    const given = loadGatewayConfig({ AUDIT_CHECKPOINT_KEY: pem(), AUDIT_TSA_URL: "http://127.0.0.1:9093", AUDIT_TIMESTAMP_MAX_AGE_MS: "2000" }).evidence;
    expect(given.key?.alg).toBe("EdDSA");
    expect(given).toMatchObject({ tsaUrl: "http://127.0.0.1:9093", maxAgeMs: 2000 });
    expect(JSON.stringify(given)).not.toMatch(/PRIVATE KEY/);
  });

  it("keep development's key across restarts, owner-readable only, and never make one for the verifier", async () => {
    const dir = join(work, "kept");
    expect(await readKeptPublicKey(dir)).toBeUndefined();
    const first = await loadOrCreateKeptKey(dir);
    expect(first.created).toBe(true);
    const again = await loadOrCreateKeptKey(dir);
    expect(again).toMatchObject({ created: false, key: { kid: first.key.kid } });
    expect(await readKeptPublicKey(dir)).toEqual(first.key.publicJwk);
    expect(statSync(join(dir, "audit-checkpoint-key.pem")).mode & 0o777).toBe(0o600);
  });
});

describe("development's kept key, made by several processes at once", () => {
  it("is one key for all of them, never a half-written file", async () => {
    const dir = join(work, "raced");
    const made = await Promise.all(Array.from({ length: 8 }, () => loadOrCreateKeptKey(dir)));
    expect(new Set(made.map((m) => m.key.kid)).size).toBe(1);
    expect(made.filter((m) => m.created)).toHaveLength(1);
    expect(readdirSync(dir)).toEqual(["audit-checkpoint-key.pem"]);
  });
});
