/**
 * Registry writes through the gateway as `npm start` runs it, over real HTTP, with tokens of the fixture staff
 * accounts (signed in by authorization code + PKCE): maker-checker, stale versions, clear refusals that write
 * nothing, ciphertext at rest and a KEK rotation that leaves every record readable.
 */
import { spawnSync } from "node:child_process";
import { randomBytes, randomUUID } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openDb } from "@ndx/platform";
import { staffLogin } from "../../scripts/staffLogin.ts";
import { consumerToken, startNdx, type Started } from "./launcher.ts";

const dataDir = mkdtempSync(join(tmpdir(), "ndx-change-requests-"));
const samuel = "197712240099";
const assessment = {
  assessmentNumber: "DA-2026-000042",
  nic: "196806300456",
  assessedOn: "2026-03-02",
  assessor: "Officer Banda",
  functionalLimitations: ["walking"],
  severity: "moderate",
  diagnosis: "Knee osteoarthritis, both sides",
};

interface Answer {
  status: number;
  body: { data?: Record<string, any> | null; errors?: { message: string; extensions: Record<string, any> }[] };
}

let ndx: Started;
let tokens: { maker: string; checker: string; passport: string };

async function signIn(started: Started) {
  const options = {
    issuer: started.urls["identity-provider"] ?? "",
    audience: `${started.urls["gateway"]}/graphql`,
    redirectUri: `${started.urls["consent-engine"]}/auth/callback`,
  };
  return {
    maker: (await staffLogin("registrar.maker", "maker-dev-password", options)).accessToken,
    checker: (await staffLogin("registrar.checker", "checker-dev-password", options)).accessToken,
    passport: await consumerToken(options.issuer, "passport-app"),
  };
}

async function gql(token: string, query: string, variables?: Record<string, unknown>, headers: Record<string, string> = {}): Promise<Answer> {
  const response = await fetch(`${ndx.urls["gateway"]}/graphql`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${token}`, ...headers },
    body: JSON.stringify({ query, variables }),
  });
  return { status: response.status, body: (await response.json()) as Answer["body"] };
}

const submit = `mutation($input: SubmitChangeRequestInput!) {
  submitChangeRequest(input: $input) { id status recordId submittedBy duplicates { recordId reasons } } }`;
const approve = `mutation($id: ID!) { approveChangeRequest(id: $id, comment: "Checked against the birth notice") {
  id status appliedVersion decidedBy transitions { from to by } } }`;
const personRecord = `query($id: String!) { person(nic: $id) { district }
  record(register: "persons", id: $id) { version history { version operation submittedBy approvedBy } } }`;
const totals = `{ changeRequests { totalCount } }`;

const code = (a: Answer) => a.body.errors?.[0]?.extensions["code"];

beforeAll(async () => {
  ndx = await startNdx(dataDir);
  tokens = await signIn(ndx);
});

afterAll(async () => {
  await ndx?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

describe("registry change requests through the gateway", () => {
  it("changes a record only when another staff member approves, and keeps who did what", async () => {
    const before = await gql(tokens.maker, personRecord, { id: samuel });
    expect(before.body.data).toMatchObject({ person: { district: "Ezhi" }, record: { version: 1 } });

    const submitted = await gql(tokens.maker, submit, {
      input: {
        register: "persons",
        operation: "UPDATE",
        recordId: samuel,
        baseVersion: 1,
        payload: { district: "Isamba" },
        reason: "Registered in the wrong district",
        idempotencyKey: randomUUID(),
      },
    });
    expect(submitted.body.data?.["submitChangeRequest"]).toMatchObject({ status: "PENDING", submittedBy: "registrar.maker" });
    const id = submitted.body.data?.["submitChangeRequest"].id as string;
    expect((await gql(tokens.maker, personRecord, { id: samuel })).body.data).toEqual(before.body.data);

    const byMaker = await gql(tokens.maker, approve, { id });
    expect(byMaker.status).toBe(403);
    expect(code(byMaker)).toBe("FORBIDDEN");
    expect(byMaker.body.errors?.[0]?.message).toContain("approveChangeRequest needs one of the roles approver");
    expect((await gql(tokens.maker, personRecord, { id: samuel })).body.data).toEqual(before.body.data);

    const byChecker = await gql(tokens.checker, approve, { id });
    expect(byChecker.body.errors).toBeUndefined();
    expect(byChecker.body.data?.["approveChangeRequest"]).toEqual({
      id,
      status: "APPROVED",
      appliedVersion: 2,
      decidedBy: "registrar.checker",
      transitions: [
        { from: null, to: "PENDING", by: "registrar.maker" },
        { from: "PENDING", to: "APPROVED", by: "registrar.checker" },
      ],
    });
    const after = await gql(tokens.checker, personRecord, { id: samuel });
    expect(after.body.data).toEqual({
      person: { district: "Isamba" },
      record: {
        version: 2,
        history: [
          { version: 1, operation: "IMPORT", submittedBy: "registry-import", approvedBy: null },
          { version: 2, operation: "UPDATE", submittedBy: "registrar.maker", approvedBy: "registrar.checker" },
        ],
      },
    });
  });

  it("refuses the second of two approvals on the same base version with CONFLICT", async () => {
    const input = (payload: Record<string, unknown>) => ({
      input: { register: "persons", operation: "UPDATE", recordId: "199012345678", baseVersion: 1, payload, reason: "correction", idempotencyKey: randomUUID() },
    });
    const first = (await gql(tokens.maker, submit, input({ birthPlace: "Ilanga Hospital" }))).body.data?.["submitChangeRequest"].id;
    const second = (await gql(tokens.maker, submit, input({ district: "Zobwe" }))).body.data?.["submitChangeRequest"].id;
    expect((await gql(tokens.checker, approve, { id: first })).body.data?.["approveChangeRequest"].status).toBe("APPROVED");
    const late = await gql(tokens.checker, approve, { id: second });
    expect(code(late)).toBe("CONFLICT");
    expect(late.body.errors?.[0]?.message).toMatch(/based on version 1 of persons record 199012345678, which is now at version 2/);
    const record = await gql(tokens.checker, personRecord, { id: "199012345678" });
    expect(record.body.data).toMatchObject({ person: { district: "Ilanga" }, record: { version: 2 } });
  });

  it("gives clear errors and writes nothing for bad payloads, keys, registers and callers", async () => {
    const count = async () => (await gql(tokens.checker, totals)).body.data?.["changeRequests"].totalCount as number;
    const before = await count();
    const base = { register: "persons", operation: "UPDATE", recordId: samuel, baseVersion: 2, reason: "test" };

    const invalid = await gql(tokens.maker, submit, { input: { ...base, payload: { district: "Atlantis", sex: "x" }, idempotencyKey: randomUUID() } });
    expect(code(invalid)).toBe("BAD_USER_INPUT");
    expect(invalid.body.errors?.[0]?.extensions["violations"].map((v: { field: string }) => v.field).sort()).toEqual(["district", "sex"]);

    const missingKey = await gql(tokens.maker, submit, { input: { ...base, payload: { sex: "male" } } });
    expect(code(missingKey)).toBe("BAD_USER_INPUT");
    expect(missingKey.body.errors?.[0]?.message).toContain("idempotencyKey");

    const unknown = await gql(tokens.maker, submit, { input: { ...base, register: "unicorns", payload: {}, idempotencyKey: randomUUID() } });
    expect(code(unknown)).toBe("BAD_USER_INPUT");
    expect(unknown.body.errors?.[0]?.message).toBe('Unknown register "unicorns"; the registers are: disability-assessments, households, persons');

    const consumer = await gql(tokens.passport, submit, { input: { ...base, payload: { sex: "male" }, idempotencyKey: randomUUID() } }, { "x-purpose": "passport-application" });
    expect(consumer.status).toBe(403);
    expect(consumer.body.errors?.[0]?.extensions["reasons"]).toEqual(
      expect.arrayContaining(["only signed-in staff may write to a register", "submitChangeRequest needs one of the roles registrar"]),
    );
    const peeking = await gql(tokens.passport, totals, {}, { "x-purpose": "passport-application" });
    expect(code(peeking)).toBe("FORBIDDEN");
    expect(peeking.body.errors?.[0]?.extensions["reasons"]).toContain("ChangeRequestConnection.totalCount is for registry staff only");

    // A replay with the same key is the same change request, not a new one.
    const replay = { input: { ...base, payload: { birthPlace: "Ezhi Mission" }, idempotencyKey: randomUUID() } };
    const once = (await gql(tokens.maker, submit, replay)).body.data?.["submitChangeRequest"].id;
    const twice = (await gql(tokens.maker, submit, replay)).body.data?.["submitChangeRequest"].id;
    expect(twice).toBe(once);
    expect(await count()).toBe(before + 1);
  });

  it("stores sensitive fields as ciphertext, shows them in clear, and reads every record after a KEK rotation", async () => {
    const created = await gql(tokens.maker, submit, {
      input: { register: "disability-assessments", operation: "CREATE", payload: assessment, reason: "New assessment", idempotencyKey: randomUUID() },
    });
    const { id, recordId } = created.body.data?.["submitChangeRequest"] as { id: string; recordId: string };
    expect((await gql(tokens.checker, approve, { id })).body.data?.["approveChangeRequest"].status).toBe("APPROVED");
    const read = `query($id: String!) { record(register: "disability-assessments", id: $id) { data } person(nic: "${samuel}") { district } }`;
    expect((await gql(tokens.checker, read, { id: recordId })).body.data).toEqual({ record: { data: assessment }, person: { district: "Isamba" } });

    await ndx.stop();
    const db = await openDb({ dataDir: join(dataDir, "registry"), schema: "registry" });
    const raw = await db.query<{ fields: Record<string, unknown>; sealed: Record<string, string>; text: string }>(
      "SELECT fields, sealed, r::text AS text FROM register_record r WHERE id = $1",
      [recordId],
    );
    await db.close();
    expect(Object.keys(raw.rows[0]?.sealed ?? {}).sort()).toEqual(["diagnosis", "functionalLimitations", "severity"]);
    expect(raw.rows[0]?.text).not.toContain("osteoarthritis");
    expect(raw.rows[0]?.text).not.toContain("moderate");

    // Rotate from the development KEK to a new one, as an operator would, then start again with the new one.
    const newKek = randomBytes(32).toString("base64");
    const rotation = spawnSync(process.execPath, [resolve(import.meta.dirname, "../../subgraphs/registry/src/kekRotationCli.ts")], {
      env: { ...process.env, PGLITE_DIR: join(dataDir, "registry"), REGISTRY_NEW_KEK: newKek },
      encoding: "utf8",
    });
    expect(rotation.stderr).toBe("");
    expect(rotation.stdout).toMatch(/^Re-wrapped 3 data key\(s\) from KEK env:[0-9a-f]{16} to env:[0-9a-f]{16}; no record was re-encrypted\./);

    ndx = await startNdx(dataDir, { REGISTRY_KEK: newKek });
    tokens = await signIn(ndx);
    expect((await gql(tokens.checker, read, { id: recordId })).body.data).toEqual({ record: { data: assessment }, person: { district: "Isamba" } });
    const page = await gql(tokens.checker, `{ records(register: "persons", first: 100) { totalCount edges { node { id version } } } }`);
    expect(page.body.errors).toBeUndefined();
    expect(page.body.data?.["records"].totalCount).toBeGreaterThanOrEqual(10_005);
  });
});
