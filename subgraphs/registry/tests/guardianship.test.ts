/**
 * Guardianship in the households register: the schema's guardianNics, the demo households seeded (and adopted, with
 * their history), and GET /v1/guardianship/{nic} — its own credential, who guards whom, a guardian who is not a member
 * not counted, and a guardianship removed by an approved change gone from the very next answer.
 */
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadFarajaland, loadHouseholds } from "@ndx/fixtures";
import { createCallerAssertionSigner, createLogger, defaultFixturesFile, generateGatewaySigningKey, migrate, openDb, readMigrations, type Db, type ForwardedCaller } from "@ndx/platform";
import { createRegistry, envKeyEncryptionKey, migrationsDir, seedRegistry, type RegistryYoga } from "../src/index.ts";
import { approveMutation, checker, codes, maker, newKey, submitMutation, type Body } from "./harness.ts";

const token = "test-guardianship-token-0123456789";
const households = loadHouseholds();
const signer = createCallerAssertionSigner({ key: generateGatewaySigningKey() });
let db: Db;
let yoga: RegistryYoga;

beforeAll(async () => {
  db = await openDb({ schema: "registry" });
  await migrate(db, readMigrations(migrationsDir), "ndx:registry");
  await seedRegistry(db, [...loadFarajaland(defaultFixturesFile).citizens, ...households.citizens]);
  yoga = await createRegistry({
    db,
    logger: createLogger("test", "silent"),
    keyEncryptionKey: envKeyEncryptionKey(randomBytes(32)),
    gatewayTrust: { jwks: signer.jwks },
    guardianshipToken: token,
    seedRecords: [{ register: "households", records: households.households }],
  });
});
afterAll(async () => {
  await db?.close();
});

const guardianship = (nic: string, auth: string | null = token) =>
  yoga.fetch(`http://registry.test/v1/guardianship/${nic}`, { headers: auth === null ? {} : { authorization: `Bearer ${auth}` } });

async function gql(caller: ForwardedCaller, query: string, variables: Record<string, unknown>): Promise<Body> {
  const response = await yoga.fetch("http://registry.test/graphql", {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${await signer.sign("registry", caller)}` },
    body: JSON.stringify({ query, variables }),
  });
  return (await response.json()) as Body;
}

async function change(input: Record<string, unknown>): Promise<Body> {
  const submitted = await gql(maker, submitMutation, { input: { idempotencyKey: newKey(), reason: "test", ...input } });
  const id = (submitted.data?.["submitChangeRequest"] as { id?: string } | undefined)?.id;
  if (id === undefined) return submitted;
  return gql(checker, approveMutation, { id, comment: "checked" });
}

describe("guardianship in the households register", () => {
  it("seeds the demo households as valid records with their history", async () => {
    const body = await gql(checker, `query { record(register: "households", id: "HH-IB-000412") { version data history { version operation } } }`, {});
    expect(body.data?.["record"]).toEqual({ version: 1, data: households.households[0], history: [{ version: 1, operation: "IMPORT" }] });
  });

  it("says who guards a minor and whom a guardian guards, with names and dates of birth", async () => {
    const child = await guardianship("201405090231");
    expect(child.status).toBe(200);
    expect(child.headers.get("cache-control")).toBe("no-store");
    expect(await child.json()).toEqual({
      nic: "201405090231",
      fullName: "Chipo Natasha Phiri",
      dateOfBirth: "2014-05-09",
      guardians: [{ nic: "198503150123", householdNumber: "HH-IB-000412" }],
      wards: [],
    });
    expect(await (await guardianship("198503150123")).json()).toMatchObject({
      dateOfBirth: "1985-03-15",
      guardians: [],
      wards: [{ nic: "201405090231", fullName: "Chipo Natasha Phiri", dateOfBirth: "2014-05-09", householdNumber: "HH-IB-000412" }],
    });
    // The other adult of the household guards nobody; a person in no household has nothing.
    expect(await (await guardianship("197712240099")).json()).toMatchObject({ guardians: [], wards: [] });
    expect(await (await guardianship("000000000000")).json()).toEqual({ nic: "000000000000", fullName: null, dateOfBirth: null, guardians: [], wards: [] });
  });

  it("is refused without its own credential, and takes only a NIC", async () => {
    expect((await guardianship("201405090231", null)).status).toBe(401);
    expect((await guardianship("201405090231", "dev-registry-events-token")).status).toBe(401);
    const bad = await guardianship("2014'--");
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ code: "BAD_USER_INPUT" });
  });

  it("refuses guardianNics that are not NICs, and counts no guardian who is not a member of the household", async () => {
    const bad = await change({
      register: "households",
      operation: "CREATE",
      payload: { householdNumber: "HH-EZ-000900", headNic: "196806300456", district: "Ezhi", address: "Farm 9", members: [{ nic: "196806300456", relationship: "head", guardianNics: ["not-a-nic"] }] },
    });
    expect(codes(bad)).toEqual(["BAD_USER_INPUT"]);
    const outsider = await change({
      register: "households",
      operation: "CREATE",
      payload: {
        householdNumber: "HH-EZ-000901",
        headNic: "196806300456",
        district: "Ezhi",
        address: "Farm 9",
        members: [{ nic: "196806300456", relationship: "head", guardianNics: ["199012345678"] }],
      },
    });
    expect(codes(outsider)).toEqual([]);
    expect(await (await guardianship("199012345678")).json()).toMatchObject({ wards: [] });
    expect(await (await guardianship("196806300456")).json()).toMatchObject({ guardians: [] });
  });

  it("stops naming a guardian on the next answer once an approved change removes them", async () => {
    const members = households.households[0]?.members.map(({ nic, relationship }) => ({ nic, relationship }));
    const removed = await change({ register: "households", operation: "UPDATE", recordId: "HH-IB-000412", baseVersion: 1, payload: { members } });
    expect(codes(removed)).toEqual([]);
    expect(await (await guardianship("198503150123")).json()).toMatchObject({ wards: [] });
    expect(await (await guardianship("201405090231")).json()).toMatchObject({ guardians: [] });
  });
});
