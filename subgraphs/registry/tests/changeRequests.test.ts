import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ForwardedCaller } from "@ndx/platform";
import { testBackends } from "@ndx/platform/testing";
import {
  approveMutation,
  checker,
  checker2,
  codes,
  maker,
  newKey,
  passportApp,
  rejectMutation,
  startTestRegistry,
  submitMutation,
  withdrawMutation,
  type ChangeRequestJson,
  type TestRegistry,
} from "./harness.ts";

const samuel = "197712240099";

for (const backend of testBackends()) {
  describe(`change requests on ${backend.name}`, () => {
    let t: TestRegistry;

    beforeAll(async () => {
      t = await startTestRegistry(backend);
    });

    afterAll(async () => {
      await t?.close();
    });

    const count = async (table: string): Promise<number> =>
      (await t.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${table}`)).rows[0]?.n ?? 0;

    const written = async () => ({
      changeRequests: await count("change_request"),
      transitions: await count("change_request_transition"),
      history: await count("record_history"),
      outbox: await count("outbox"),
      records: await count("register_record"),
    });

    const personRecord = async (nic: string) => {
      const body = await t.gql(checker, `query($id: String!) { record(register: "persons", id: $id) { version data } }`, { id: nic });
      return body.data?.["record"] as { version: number; data: Record<string, unknown> } | null;
    };

    const submit = async (caller: ForwardedCaller | undefined, input: Record<string, unknown>) => {
      const body = await t.gql(caller, submitMutation, { input: { idempotencyKey: newKey(), reason: "test", ...input } });
      return { body, cr: body.data?.["submitChangeRequest"] as ChangeRequestJson | undefined };
    };

    const decide = async (mutation: string, caller: ForwardedCaller, id: string, comment: string | null = "checked") => {
      const body = await t.gql(caller, mutation, { id, comment });
      const cr = body.data === null || body.data === undefined ? undefined : (Object.values(body.data)[0] as ChangeRequestJson);
      return { body, cr };
    };

    it("applies a district change only when another staff member approves it, and keeps who did what", async () => {
      const before = await personRecord(samuel);
      expect(before?.data["district"]).toBe("Ezhi");
      const outboxBefore = await count("outbox");

      const { cr } = await submit(maker, {
        register: "persons",
        operation: "UPDATE",
        recordId: samuel,
        baseVersion: before?.version,
        payload: { district: "Isamba" },
        reason: "Registered in the wrong district at birth; corrected per the birth notice",
      });
      expect(cr).toMatchObject({ status: "PENDING", submittedBy: "registrar.maker", operation: "UPDATE", payload: { district: "Isamba" } });
      expect(cr?.transitions).toEqual([expect.objectContaining({ from: null, to: "PENDING", by: "registrar.maker", roles: ["registrar"] })]);

      // Submitted, not applied: the record and the person API are unchanged.
      expect(await personRecord(samuel)).toEqual(before);
      const person = await t.gql(checker, `{ person(nic: "${samuel}") { district } }`);
      expect(person.data?.["person"]).toEqual({ district: "Ezhi" });

      // The maker may not approve: no approver role (and it is their own request).
      const byMaker = await decide(approveMutation, maker, cr?.id ?? "");
      expect(codes(byMaker.body)).toEqual(["FORBIDDEN"]);
      expect(byMaker.body.errors?.[0]?.message).toMatch(/approver role/);
      expect(await personRecord(samuel)).toEqual(before);

      const { body, cr: approved } = await decide(approveMutation, checker, cr?.id ?? "", "Birth notice checked");
      expect(body.errors).toBeUndefined();
      expect(approved).toMatchObject({ status: "APPROVED", decidedBy: "registrar.checker", appliedVersion: (before?.version ?? 0) + 1 });
      expect(approved?.transitions.map((x) => [x.from, x.to, x.by, x.comment])).toEqual([
        [null, "PENDING", "registrar.maker", null],
        ["PENDING", "APPROVED", "registrar.checker", "Birth notice checked"],
      ]);

      const after = await t.gql(
        checker,
        `{ person(nic: "${samuel}") { district fullName }
           record(register: "persons", id: "${samuel}") { version data history { version operation submittedBy approvedBy changeRequestId data } } }`,
      );
      expect(after.data?.["person"]).toEqual({ district: "Isamba", fullName: "Samuel Bwalya Tembo" });
      const record = after.data?.["record"] as { version: number; history: Record<string, unknown>[] };
      expect(record.version).toBe((before?.version ?? 0) + 1);
      expect(record.history.at(0)).toMatchObject({ operation: "IMPORT", submittedBy: "registry-import", approvedBy: null });
      expect(record.history.at(-1)).toMatchObject({
        version: record.version,
        operation: "UPDATE",
        submittedBy: "registrar.maker",
        approvedBy: "registrar.checker",
        changeRequestId: cr?.id,
        data: expect.objectContaining({ district: "Isamba" }),
      });
      // The applied change left exactly one outbox event, written with it.
      expect(await count("outbox")).toBe(outboxBefore + 1);
      const event = await t.db.query<{ type: string; record_id: string; version: number; body: Record<string, unknown> }>(
        "SELECT type, record_id, version, body FROM outbox ORDER BY position DESC LIMIT 1",
      );
      expect(event.rows[0]).toMatchObject({
        type: "record.updated",
        record_id: samuel,
        version: record.version,
        body: { changedFields: ["district"], submittedBy: "registrar.maker", approvedBy: "registrar.checker" },
      });
    });

    it("refuses the second of two approvals based on the same version with CONFLICT, writing nothing", async () => {
      const nic = "198503150123";
      const base = (await personRecord(nic))?.version;
      const first = await submit(maker, { register: "persons", operation: "UPDATE", recordId: nic, baseVersion: base, payload: { birthPlace: "Ibombo General Hospital" } });
      const second = await submit(maker, { register: "persons", operation: "UPDATE", recordId: nic, baseVersion: base, payload: { district: "Isamba" } });
      expect((await decide(approveMutation, checker, first.cr?.id ?? "")).cr?.status).toBe("APPROVED");
      const before = await written();

      const late = await decide(approveMutation, checker, second.cr?.id ?? "");
      expect(codes(late.body)).toEqual(["CONFLICT"]);
      expect(late.body.errors?.[0]?.message).toContain(`based on version ${base}`);
      expect(late.body.errors?.[0]?.extensions).toMatchObject({ baseVersion: base, currentVersion: (base ?? 0) + 1 });
      expect(await written()).toEqual(before);
      expect((await personRecord(nic))?.data).toMatchObject({ birthPlace: "Ibombo General Hospital", district: "Ibombo" });
      const still = await t.gql(checker, `query($id: ID!) { changeRequest(id: $id) { status } }`, { id: second.cr?.id });
      expect(still.data?.["changeRequest"]).toEqual({ status: "PENDING" });

      // Submitting against a version that is already stale is refused at once.
      const stale = await submit(maker, { register: "persons", operation: "UPDATE", recordId: nic, baseVersion: base, payload: { sex: "male" } });
      expect(codes(stale.body)).toEqual(["CONFLICT"]);
      expect(stale.body.errors?.[0]?.extensions).toMatchObject({ currentVersion: (base ?? 0) + 1 });
    });

    it("lets only one of two concurrent approvals on the same base version through", async () => {
      const nic = "200101010011";
      const base = (await personRecord(nic))?.version;
      const a = await submit(maker, { register: "persons", operation: "UPDATE", recordId: nic, baseVersion: base, payload: { birthPlace: "Pili Clinic" } });
      const b = await submit(maker, { register: "persons", operation: "UPDATE", recordId: nic, baseVersion: base, payload: { birthPlace: "Pili Hospital" } });
      const results = await Promise.all([decide(approveMutation, checker, a.cr?.id ?? ""), decide(approveMutation, checker2, b.cr?.id ?? "")]);
      expect(results.map((r) => codes(r.body)[0] ?? r.cr?.status).sort()).toEqual(["APPROVED", "CONFLICT"]);
      expect((await personRecord(nic))?.version).toBe((base ?? 0) + 1);
    });

    it("refuses a payload that violates the register's schema, naming each bad field, and writes nothing", async () => {
      const before = await written();
      const { body } = await submit(maker, {
        register: "persons",
        operation: "UPDATE",
        recordId: samuel,
        baseVersion: (await personRecord(samuel))?.version,
        payload: { district: "Atlantis", dateOfBirth: "1977-02-30", sex: "x", shoeSize: 44 },
      });
      expect(codes(body)).toEqual(["BAD_USER_INPUT"]);
      const violations = body.errors?.[0]?.extensions?.["violations"] as { field: string; problem: string }[];
      expect(violations.map((v) => v.field).sort()).toEqual(["dateOfBirth", "district", "sex", "shoeSize"]);
      expect(violations.find((v) => v.field === "district")?.problem).toMatch(/must be one of: Afue, Ama/);
      expect(violations.find((v) => v.field === "dateOfBirth")?.problem).toBe("must be a date as YYYY-MM-DD");
      expect(violations.find((v) => v.field === "shoeSize")?.problem).toBe("is not a field of this register");
      expect(body.errors?.[0]?.message).toMatch(/does not fit the persons register's schema: .*district must be one of/);

      const create = await submit(maker, { register: "households", operation: "CREATE", payload: { householdNumber: "HH-1", members: [{ nic: "1" }] } });
      const fields = (create.body.errors?.[0]?.extensions?.["violations"] as { field: string }[]).map((v) => v.field).sort();
      expect(fields).toEqual(["address", "district", "headNic", "householdNumber", "members[0].nic", "members[0].relationship"]);
      expect(await written()).toEqual(before);
    });

    it("refuses a missing or blank idempotency key, and answers a replay with the original request", async () => {
      const before = await written();
      const input = { register: "persons", operation: "UPDATE", recordId: samuel, baseVersion: 1, payload: { sex: "male" }, reason: "r" };
      const missing = await t.gql(maker, submitMutation, { input });
      expect(codes(missing)).toEqual(["BAD_USER_INPUT"]);
      expect(missing.errors?.[0]?.message).toMatch(/idempotencyKey/);
      const blank = await t.gql(maker, submitMutation, { input: { ...input, idempotencyKey: "  " } });
      expect(codes(blank)).toEqual(["BAD_USER_INPUT"]);
      expect(blank.errors?.[0]?.extensions).toMatchObject({ argument: "input.idempotencyKey" });
      expect(await written()).toEqual(before);

      const version = (await personRecord("196806300456"))?.version;
      const key = newKey();
      const request = { register: "persons", operation: "UPDATE", recordId: "196806300456", baseVersion: version, payload: { birthPlace: "Chuminga" }, reason: "typo", idempotencyKey: key };
      const first = (await t.gql(maker, submitMutation, { input: request })).data?.["submitChangeRequest"] as ChangeRequestJson;
      const afterFirst = await written();
      const again = (await t.gql(maker, submitMutation, { input: request })).data?.["submitChangeRequest"] as ChangeRequestJson;
      expect(again.id).toBe(first.id);
      expect(await written()).toEqual(afterFirst);

      const different = await t.gql(maker, submitMutation, { input: { ...request, payload: { birthPlace: "Elsewhere" } } });
      expect(codes(different)).toEqual(["CONFLICT"]);
      expect(different.errors?.[0]?.message).toContain(first.id);
      expect(await written()).toEqual(afterFirst);
    });

    it("refuses an unknown register, listing the known ones", async () => {
      const before = await written();
      const { body } = await submit(maker, { register: "unicorns", operation: "CREATE", payload: { name: "x" } });
      expect(codes(body)).toEqual(["BAD_USER_INPUT"]);
      expect(body.errors?.[0]?.message).toBe('Unknown register "unicorns"; the registers are: disability-assessments, households, persons');
      const read = await t.gql(checker, `{ record(register: "unicorns", id: "1") { id } }`);
      expect(codes(read)).toEqual(["BAD_USER_INPUT"]);
      expect(await written()).toEqual(before);
    });

    it("refuses callers that are not registry staff with the right role", async () => {
      const before = await written();
      const input = { register: "persons", operation: "UPDATE", recordId: samuel, baseVersion: 1, payload: { sex: "male" } };
      const consumer = await submit(passportApp, input);
      expect(codes(consumer.body)).toEqual(["FORBIDDEN"]);
      expect(consumer.body.errors?.[0]?.message).toBe("Only registry staff may submit a change request; consumer passport-app is not staff");
      const approverOnly = await submit(checker2, input);
      expect(codes(approverOnly.body)).toEqual(["FORBIDDEN"]);
      expect(approverOnly.body.errors?.[0]?.message).toMatch(/needs the registrar role/);
      const nobody = await submit(undefined, input);
      expect(codes(nobody.body)).toEqual(["UNAUTHENTICATED"]);
      const reading = await t.gql(passportApp, "{ changeRequests { totalCount } }");
      expect(codes(reading)).toEqual(["FORBIDDEN"]);
      const records = await t.gql(passportApp, `{ record(register: "persons", id: "${samuel}") { data } }`);
      expect(codes(records)).toEqual(["FORBIDDEN"]);
      // Without the gateway's credential the subgraph answers nothing at all.
      const direct = await t.yoga.fetch("http://registry.test/graphql", {
        method: "POST",
        headers: { "content-type": "application/json", "x-ndx-caller-kind": "staff", "x-ndx-caller-id": "registrar.checker", "x-ndx-caller-roles": "registrar,approver" },
        body: JSON.stringify({ query: "{ changeRequests { totalCount } }" }),
      });
      expect(direct.status).toBe(401);
      expect(await written()).toEqual(before);
    });

    it("rejects with a comment, lets only the submitter withdraw, and keeps final states final", async () => {
      const version = (await personRecord("199012345678"))?.version;
      const input = { register: "persons", operation: "UPDATE", recordId: "199012345678", baseVersion: version, payload: { birthPlace: "Ilanga Hospital" } };
      const toReject = (await submit(maker, input)).cr?.id ?? "";
      expect(codes((await decide(rejectMutation, checker, toReject, "  ")).body)).toEqual(["BAD_USER_INPUT"]);
      const rejected = await decide(rejectMutation, checker, toReject, "No supporting document");
      expect(rejected.cr).toMatchObject({ status: "REJECTED", decidedBy: "registrar.checker", decisionComment: "No supporting document", appliedVersion: null });
      const late = await decide(approveMutation, checker, toReject);
      expect(codes(late.body)).toEqual(["CONFLICT"]);
      expect(late.body.errors?.[0]?.message).toBe(`Change request ${toReject} is REJECTED; only a PENDING change request can be approved`);

      const own = (await submit(checker, input)).cr?.id ?? "";
      const selfApproval = await decide(approveMutation, checker, own);
      expect(codes(selfApproval.body)).toEqual(["FORBIDDEN"]);
      expect(selfApproval.body.errors?.[0]?.message).toMatch(/maker-checker/);
      const notMine = await decide(withdrawMutation, maker, own, null);
      expect(codes(notMine.body)).toEqual(["FORBIDDEN"]);
      expect(notMine.body.errors?.[0]?.message).toBe(`Only registrar.checker, who submitted change request ${own}, may withdraw it`);
      const withdrawn = await decide(withdrawMutation, checker, own, null);
      expect(withdrawn.cr).toMatchObject({ status: "WITHDRAWN", decidedBy: "registrar.checker" });
      expect(withdrawn.cr?.transitions.map((x) => x.to)).toEqual(["PENDING", "WITHDRAWN"]);
      expect((await personRecord("199012345678"))?.version).toBe(version);

      const unknown = await decide(approveMutation, checker, "00000000-0000-4000-8000-000000000000");
      expect(codes(unknown.body)).toEqual(["NOT_FOUND"]);
      const malformed = await decide(approveMutation, checker, "42");
      expect(codes(malformed.body)).toEqual(["BAD_USER_INPUT"]);
    });

    it("lists change requests by filter, in pages that cover every match once", async () => {
      const query = `query($f: ChangeRequestFilter, $after: String) { changeRequests(filter: $f, first: 2, after: $after) {
        totalCount edges { node { id status submittedBy register } } pageInfo { hasNextPage endCursor } } }`;
      const all = async (filter: Record<string, unknown>) => {
        const seen: { id: string; status: string; submittedBy: string }[] = [];
        let after: string | null = null;
        let total = -1;
        for (let page = 0; page < 50; page++) {
          const body = await t.gql(checker, query, { f: filter, after });
          const list = body.data?.["changeRequests"] as {
            totalCount: number;
            edges: { node: { id: string; status: string; submittedBy: string } }[];
            pageInfo: { hasNextPage: boolean; endCursor: string | null };
          };
          total = list.totalCount;
          seen.push(...list.edges.map((e) => e.node));
          if (!list.pageInfo.hasNextPage) break;
          after = list.pageInfo.endCursor;
        }
        return { seen, total };
      };
      const pending = await all({ status: ["PENDING"], register: "persons" });
      expect(pending.seen.length).toBeGreaterThan(2);
      expect(pending.total).toBe(pending.seen.length);
      expect(new Set(pending.seen.map((c) => c.id)).size).toBe(pending.seen.length);
      expect(pending.seen.every((c) => c.status === "PENDING")).toBe(true);
      const everything = await all({});
      expect(everything.total).toBe(await count("change_request"));
      const mine = await all({ submittedBy: "registrar.checker", status: ["WITHDRAWN", "REJECTED"] });
      expect(mine.seen.map((c) => c.status)).toEqual(["WITHDRAWN"]);
      const bad = await t.gql(checker, query, { f: {}, after: "nonsense" });
      expect(codes(bad)).toEqual(["BAD_USER_INPUT"]);
    });
  });
}
