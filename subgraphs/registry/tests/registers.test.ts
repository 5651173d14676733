import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ForwardedCaller } from "@ndx/platform";
import { endpointAnswer, testBackends } from "@ndx/platform/testing";
import {
  createRegisterCatalogue,
  defaultRegistersDir,
  defineRegister,
  loadRegisters,
  normalise,
  RegisterMetadataError,
  type RecordEvent,
} from "../src/index.ts";
import {
  approveMutation,
  checker,
  codes,
  eventsToken,
  maker,
  newKey,
  startTestRegistry,
  submitMutation,
  type ChangeRequestJson,
  type Gql,
  type TestRegistry,
} from "./harness.ts";

const readMetadata = (file: string): Record<string, unknown> =>
  JSON.parse(readFileSync(join(defaultRegistersDir, file), "utf8")) as Record<string, unknown>;

/** A register that exists only as metadata, defined here and never mentioned in the code. */
const landParcels = {
  name: "land-parcels",
  title: "Land parcels",
  description: "Cadastre: surveyed parcels and their holders.",
  keyField: "parcelNumber",
  identifierFields: ["parcelNumber", "titleDeed"],
  sensitiveFields: ["holderNic"],
  duplicateRules: [["district", "surveyPlan"]],
  recordSchema: {
    type: "object",
    additionalProperties: false,
    required: ["parcelNumber", "district", "areaSquareMetres", "holderNic"],
    properties: {
      parcelNumber: { type: "string", pattern: "^LP-[0-9]{6}$" },
      titleDeed: { type: "string" },
      district: { type: "string" },
      surveyPlan: { type: "string" },
      areaSquareMetres: { type: "number", exclusiveMinimum: 0 },
      holderNic: { type: "string", pattern: "^[0-9]{12}$" },
    },
  },
};

const household = {
  householdNumber: "HH-EZ-000118",
  headNic: "197712240099",
  members: [
    { nic: "197712240099", relationship: "head" },
    { nic: "200101010011", relationship: "child" },
  ],
  district: "Ezhi",
  address: "Farm 118, Ezhi East",
  monthlyIncome: 250000,
  phoneNumber: "+260971234567",
};

describe("register metadata", () => {
  it("loads the registers of the registry: persons and two more, each from metadata alone", () => {
    const catalogue = loadRegisters(defaultRegistersDir);
    expect(catalogue.registers.map((r) => r.name)).toEqual(["disability-assessments", "households", "persons"]);
    expect(catalogue.get("persons")?.storage).toMatchObject({ kind: "table", table: "person", keyColumn: "nic" });
    expect(catalogue.get("households")?.storage).toEqual({ kind: "document" });
    expect(catalogue.get("disability-assessments")?.keyField).toBeUndefined();
  });

  it("names every problem of a bad register file", () => {
    const bad = {
      ...landParcels,
      keyField: "holderNic",
      sensitiveFields: ["holderNic", "owner"],
      duplicateRules: [["district", "colour"]],
      storage: { table: "parcel", columns: { parcelNumber: "parcel_number" } },
    };
    let message = "";
    try {
      defineRegister(bad, "land-parcels.json");
    } catch (error) {
      expect(error).toBeInstanceOf(RegisterMetadataError);
      message = (error as Error).message;
    }
    expect(message).toContain('sensitive field "owner" is not a property of recordSchema');
    expect(message).toContain('duplicate-rule field "colour" is not a property of recordSchema');
    expect(message).toContain('keyField "holderNic" cannot be sensitive');
    expect(message).toContain('field "district" has no column in table parcel');
    expect(() => defineRegister({ ...landParcels, recordSchema: { type: "object", properties: { a: {} } } }, "x.json")).toThrow(
      /recordSchema must have required property 'additionalProperties'/,
    );
    expect(() => defineRegister({ ...landParcels, name: "Land Parcels" }, "x.json")).toThrow(/\/name must match pattern/);
    expect(() => defineRegister({ ...landParcels, recordSchema: { ...landParcels.recordSchema, properties: { a: { type: "strnig" } } } }, "x.json")).toThrow(
      /not a valid JSON Schema/,
    );
  });

  it("normalises names for duplicate detection: case, accents, punctuation, spacing and word order", () => {
    expect(normalise("TEMBO, Samuel  Bwalya")).toBe(normalise("Samuel Bwalya Tembo"));
    expect(normalise("Josèphine Kalumba-Phiri")).toBe(normalise("josephine kalumba phiri"));
    expect(normalise("Samuel Tembo")).not.toBe(normalise("Samuel Bwalya Tembo"));
  });
});

for (const backend of testBackends()) {
  describe(`registers and their records on ${backend.name}`, () => {
    let t: TestRegistry;
    let gql: Gql;

    beforeAll(async () => {
      t = await startTestRegistry(backend, { generated: 20 });
      // The registry's own registers plus one defined in this test: no code knows about land parcels.
      const shipped = loadRegisters(defaultRegistersDir).registers;
      gql = (await t.start({ registers: createRegisterCatalogue([...shipped, defineRegister(landParcels, "test")]) })).gql;
    });

    afterAll(async () => {
      await t?.close();
    });

    const submit = async (caller: ForwardedCaller, input: Record<string, unknown>) => {
      const body = await gql(caller, submitMutation, { input: { idempotencyKey: newKey(), reason: "test", ...input } });
      return { body, cr: body.data?.["submitChangeRequest"] as ChangeRequestJson | undefined };
    };
    const approve = async (id: string | undefined) => {
      const body = await gql(checker, approveMutation, { id, comment: "ok" });
      return { body, cr: body.data?.["approveChangeRequest"] as ChangeRequestJson | undefined };
    };
    const record = async (register: string, id: string) =>
      (await gql(checker, `query($r: String!, $id: String!) { record(register: $r, id: $id) { version data history { version operation } } }`, { r: register, id })).data?.[
        "record"
      ] as { version: number; data: Record<string, unknown>; history: { version: number; operation: string }[] } | null;

    it("serves a register added as metadata only: schema, validation, change requests, encryption", async () => {
      const meta = await gql(maker, `{ register(name: "land-parcels") { name keyField identifierFields sensitiveFields duplicateRules schema } }`);
      expect(meta.data?.["register"]).toMatchObject({
        name: "land-parcels",
        keyField: "parcelNumber",
        identifierFields: ["parcelNumber", "titleDeed"],
        sensitiveFields: ["holderNic"],
        schema: { required: ["parcelNumber", "district", "areaSquareMetres", "holderNic"] },
      });
      const invalid = await submit(maker, { register: "land-parcels", operation: "CREATE", payload: { parcelNumber: "LP-1", areaSquareMetres: -3 } });
      expect((invalid.body.errors?.[0]?.extensions?.["violations"] as { field: string }[]).map((v) => v.field).sort()).toEqual([
        "areaSquareMetres",
        "district",
        "holderNic",
        "parcelNumber",
      ]);
      const parcel = { parcelNumber: "LP-000042", district: "Ezhi", areaSquareMetres: 5000, holderNic: "197712240099", titleDeed: "TD-9" };
      const { cr } = await submit(maker, { register: "land-parcels", operation: "CREATE", payload: parcel });
      expect(cr?.recordId).toBe("LP-000042");
      expect((await approve(cr?.id)).cr?.status).toBe("APPROVED");
      expect(await record("land-parcels", "LP-000042")).toMatchObject({ version: 1, data: parcel });
      const raw = await t.db.query<{ t: string }>("SELECT r::text AS t FROM register_record r WHERE register = 'land-parcels'");
      expect(raw.rows[0]?.t).not.toContain("197712240099");
    });

    it("creates, updates and deletes records of a keyed register, versions continuing across a re-creation", async () => {
      const created = await submit(maker, { register: "households", operation: "CREATE", payload: household });
      expect(created.cr?.recordId).toBe("HH-EZ-000118");
      await approve(created.cr?.id);
      const update = await submit(maker, {
        register: "households",
        operation: "UPDATE",
        recordId: "HH-EZ-000118",
        baseVersion: 1,
        payload: { monthlyIncome: 300000, phoneNumber: null },
      });
      expect(update.cr?.payload).toEqual({ monthlyIncome: 300000, phoneNumber: null });
      expect((await approve(update.cr?.id)).cr?.appliedVersion).toBe(2);
      const { phoneNumber: _removed, ...withoutPhone } = household;
      expect((await record("households", "HH-EZ-000118"))?.data).toEqual({ ...withoutPhone, monthlyIncome: 300000 });

      const renaming = await submit(maker, { register: "households", operation: "UPDATE", recordId: "HH-EZ-000118", baseVersion: 2, payload: { householdNumber: "HH-EZ-000119" } });
      expect(codes(renaming.body)).toEqual(["BAD_USER_INPUT"]);
      expect(renaming.body.errors?.[0]?.message).toMatch(/householdNumber is the id of households records and cannot be changed/);
      const nothing = await submit(maker, { register: "households", operation: "UPDATE", recordId: "HH-EZ-000118", baseVersion: 2, payload: { monthlyIncome: 300000 } });
      expect(nothing.body.errors?.[0]?.message).toBe("The payload changes nothing in households record HH-EZ-000118");
      const missing = await submit(maker, { register: "households", operation: "DELETE", recordId: "HH-ZZ-000000", baseVersion: 1 });
      expect(codes(missing.body)).toEqual(["NOT_FOUND"]);

      const deletion = await submit(maker, { register: "households", operation: "DELETE", recordId: "HH-EZ-000118", baseVersion: 2 });
      expect((await approve(deletion.cr?.id)).cr?.appliedVersion).toBe(3);
      expect(await record("households", "HH-EZ-000118")).toBeNull();
      const again = await submit(maker, { register: "households", operation: "CREATE", payload: household });
      await approve(again.cr?.id);
      expect((await record("households", "HH-EZ-000118"))?.history).toEqual([
        { version: 1, operation: "CREATE" },
        { version: 2, operation: "UPDATE" },
        { version: 3, operation: "DELETE" },
        { version: 4, operation: "CREATE" },
      ]);
    });

    it("flags a create that resembles an existing person, or repeats an identifier, with the candidates", async () => {
      const lookalike = {
        nic: "197712240100",
        fullName: "TEMBO, Samuel  Bwalya",
        dateOfBirth: "1977-12-24",
        birthPlace: "ezhi mission hospital",
        district: "Ezhi",
        sex: "male",
        birthRegistrationNumber: "BRN-EZ-1977-009999",
      };
      const { cr } = await submit(maker, { register: "persons", operation: "CREATE", payload: lookalike });
      expect(cr?.duplicates).toEqual([{ recordId: "197712240099", reasons: ["same fullName, dateOfBirth and birthPlace (normalised)"] }]);
      const withRecord = await gql(checker, `query($id: ID!) { changeRequest(id: $id) { duplicates { recordId record { data } } } }`, { id: cr?.id });
      expect(withRecord.data?.["changeRequest"]).toMatchObject({ duplicates: [{ recordId: "197712240099", record: { data: { fullName: "Samuel Bwalya Tembo" } } }] });

      const sameBrn = await submit(maker, {
        register: "persons",
        operation: "CREATE",
        payload: { ...lookalike, nic: "199901010001", fullName: "Somebody Else", dateOfBirth: "1999-01-01", birthRegistrationNumber: "BRN-EZ-1977-001250" },
      });
      expect(sameBrn.cr?.duplicates).toEqual([{ recordId: "197712240099", reasons: ["same birthRegistrationNumber"] }]);
      const sameNic = await submit(maker, { register: "persons", operation: "CREATE", payload: { ...lookalike, nic: "197712240099", birthRegistrationNumber: "BRN-EZ-1977-008888" } });
      expect(sameNic.cr?.duplicates[0]?.reasons.sort()).toEqual(["same fullName, dateOfBirth and birthPlace (normalised)", "same nic"]);
      const unique = await submit(maker, { register: "persons", operation: "CREATE", payload: { ...lookalike, nic: "200202020002", fullName: "New Born", dateOfBirth: "2002-02-02", birthRegistrationNumber: "BRN-EZ-2002-000001" } });
      expect(unique.cr?.duplicates).toEqual([]);

      // The approver sees the flags; an identifier can still not be given to two records.
      const clash = await approve(sameBrn.cr?.id);
      expect(codes(clash.body)).toEqual(["CONFLICT"]);
      expect(clash.body.errors?.[0]?.message).toMatch(/birthRegistrationNumber already identifies persons record 197712240099/);
      expect(codes((await approve(sameNic.cr?.id)).body)).toEqual(["CONFLICT"]);
      // A resemblance alone is the approver's call.
      expect((await approve(cr?.id)).cr?.status).toBe("APPROVED");
      const person = await gql(checker, `{ person(nic: "197712240100") { fullName district } }`);
      expect(person.data?.["person"]).toEqual({ fullName: "TEMBO, Samuel  Bwalya", district: "Ezhi" });
    });

    it("validates the payload again when it is applied", async () => {
      const { cr } = await submit(maker, {
        register: "households",
        operation: "CREATE",
        payload: { ...household, householdNumber: "HH-PI-000007", headNic: "200101010011", district: "Pili" },
      });
      // The metadata tightened between submission and approval: at most one member now.
      const strict = readMetadata("households.json") as { recordSchema: { properties: { members: Record<string, unknown> } } };
      strict.recordSchema.properties.members = { ...strict.recordSchema.properties.members, maxItems: 1 };
      const shipped = loadRegisters(defaultRegistersDir).registers.filter((r) => r.name !== "households");
      const tightened = await t.start({ registers: createRegisterCatalogue([...shipped, defineRegister(strict, "households.json")]) });
      const before = (await t.db.query<{ n: number }>("SELECT count(*)::int AS n FROM outbox")).rows[0]?.n;
      const body = await tightened.gql(checker, approveMutation, { id: cr?.id, comment: "ok" });
      expect(codes(body)).toEqual(["BAD_USER_INPUT"]);
      expect(body.errors?.[0]?.extensions?.["violations"]).toEqual([{ field: "members", problem: "must NOT have more than 1 items" }]);
      expect((await t.db.query<{ n: number }>("SELECT count(*)::int AS n FROM outbox")).rows[0]?.n).toBe(before);
      expect(await record("households", "HH-PI-000007")).toBeNull();
      expect((await gql(checker, `query($id: ID!) { changeRequest(id: $id) { status } }`, { id: cr?.id })).data?.["changeRequest"]).toEqual({ status: "PENDING" });
    });

    it("pages through a register's records", async () => {
      const seen: string[] = [];
      let after: string | null = null;
      for (let page = 0; page < 20; page++) {
        const body = await gql(checker, `query($after: String) { records(register: "persons", first: 7, after: $after) { totalCount edges { node { id version } } pageInfo { hasNextPage endCursor } } }`, { after });
        const list = body.data?.["records"] as { totalCount: number; edges: { node: { id: string } }[]; pageInfo: { hasNextPage: boolean; endCursor: string | null } };
        seen.push(...list.edges.map((e) => e.node.id));
        if (!list.pageInfo.hasNextPage) {
          expect(seen).toHaveLength(list.totalCount);
          break;
        }
        after = list.pageInfo.endCursor;
      }
      expect(seen).toEqual([...seen].sort());
      expect(seen).toContain("197712240099");
    });

    it("feeds every applied change once, in order, to holders of the events credential", async () => {
      const feed = (query: string, token = eventsToken) =>
        t.yoga.fetch(`http://registry.test/events${query}`, { headers: { authorization: `Bearer ${token}` } });
      const error = (status: number, code: string) => ({ status, code, cache: "no-store" });
      expect(await endpointAnswer(await feed("", "wrong"))).toEqual(error(401, "UNAUTHENTICATED"));
      expect(await endpointAnswer(await feed("?after=-1"))).toEqual(error(400, "BAD_USER_INPUT"));
      expect(await endpointAnswer(await feed("?limit=0"))).toEqual(error(400, "BAD_USER_INPUT"));
      expect(await endpointAnswer(await t.yoga.fetch("http://registry.test/events", { method: "DELETE", headers: { authorization: `Bearer ${eventsToken}` } }))).toEqual(error(405, "BAD_USER_INPUT"));
      const events: RecordEvent[] = [];
      let after = 0;
      for (let page = 0; page < 50; page++) {
        const body = (await (await feed(`?after=${after}&limit=3`)).json()) as { events: RecordEvent[]; next: number; hasMore: boolean };
        events.push(...body.events);
        after = body.next;
        if (!body.hasMore) break;
      }
      const applied = (await t.db.query<{ n: number }>("SELECT count(*)::int AS n FROM change_request WHERE status = 'APPROVED'")).rows[0]?.n;
      expect(events).toHaveLength(applied ?? -1);
      expect(events.map((e) => e.position)).toEqual(events.map((_, i) => i + 1));
      expect(events.filter((e) => e.register === "households").map((e) => [e.type, e.version])).toEqual([
        ["record.created", 1],
        ["record.updated", 2],
        ["record.deleted", 3],
        ["record.created", 4],
      ]);
      expect(events.find((e) => e.type === "record.updated" && e.register === "households")).toMatchObject({
        changedFields: ["monthlyIncome", "phoneNumber"],
        submittedBy: "registrar.maker",
        approvedBy: "registrar.checker",
      });
      // Thin events: no values, sensitive or not.
      expect(JSON.stringify(events)).not.toContain("Farm 118");
      const empty = (await (await feed(`?after=${after}`)).json()) as { events: RecordEvent[]; next: number };
      expect(empty).toEqual({ events: [], next: after, hasMore: false });
    });
  });
}
