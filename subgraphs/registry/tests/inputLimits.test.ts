/**
 * Input is bounded where it enters the registry (issue 14 item 10): a NUL character in a filter, a reason or a payload
 * reached PostgreSQL (which refuses NUL in text) and came back a 500; a payload nested 10,000 deep overflowed the
 * stack. Each is a 400 BAD_USER_INPUT that says what was wrong, and nothing is written.
 */
import { testBackends } from "@ndx/platform/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { gatewayHeaders, maker, newKey, startTestRegistry, submitMutation, type Body, type TestRegistry } from "./harness.ts";

const [pglite] = testBackends({});
let t: TestRegistry;
beforeAll(async () => {
  t = await startTestRegistry(pglite ?? testBackends()[0]!, { generated: 5 });
});
afterAll(async () => t?.close());

/** POST a body (an object, or text when JSON.stringify could not make it) as the gateway would, for `maker`. */
async function send(body: unknown): Promise<{ status: number; body: Body }> {
  const response = await t.yoga.fetch("http://registry.test/graphql", {
    method: "POST",
    headers: { "content-type": "application/json", accept: "application/graphql-response+json", ...(await gatewayHeaders(maker)) },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as Body };
}

const input = (over: Record<string, unknown>) => ({
  register: "persons", operation: "UPDATE", recordId: "197712240099", baseVersion: 1,
  payload: { district: "Isamba" }, reason: "Moved", idempotencyKey: newKey(), ...over,
});
const changeRequests = async () => (await t.db.query<{ n: number }>("SELECT count(*)::int AS n FROM change_request")).rows[0]?.n;

async function refused(body: unknown, pattern: RegExp) {
  const before = await changeRequests();
  const answer = await send(body);
  expect(answer.body.errors?.[0]?.extensions?.["code"]).toBe("BAD_USER_INPUT");
  expect(answer.body.errors?.[0]?.message).toMatch(pattern);
  expect(answer.status).toBe(400);
  expect(await changeRequests()).toBe(before);
}

describe("NUL characters", () => {
  it("are refused in a filter, a reason and a payload, as variables", async () => {
    await refused({ query: "query($f: ChangeRequestFilter) { changeRequests(filter: $f) { totalCount } }", variables: { f: { submittedBy: "a\u0000" } } }, /\$f.*NUL/);
    await refused({ query: submitMutation, variables: { input: input({ reason: "Moved\u0000" }) } }, /\$input.*NUL/);
    await refused({ query: submitMutation, variables: { input: input({ payload: { district: "Isa\u0000mba" } }) } }, /\$input.*NUL/);
  });

  it("are refused written in the query", async () => {
    await refused({ query: '{ changeRequests(filter: { submittedBy: "a\\u0000" }) { totalCount } }' }, /NUL/);
    await refused({ query: `mutation { submitChangeRequest(input: { register: "persons", operation: UPDATE, recordId: "197712240099", baseVersion: 1, payload: { district: "I\\u0000" }, reason: "r", idempotencyKey: "${newKey()}" }) { id } }` }, /NUL/);
  });
});

describe("payload depth and size", () => {
  it("refuses a payload nested 10,000 deep, as a variable", async () => {
    const text = JSON.stringify({ query: submitMutation, variables: { input: input({ payload: "@" }) } });
    await refused(text.replace('"@"', `{"a":${"[".repeat(10_000)}${"]".repeat(10_000)}}`), /\$input.*nested deeper than 32/);
  });

  it("refuses a payload nested 10,000 deep written in the query, before the parser recurses into it", async () => {
    const literal = "[".repeat(10_000) + "]".repeat(10_000);
    await refused({ query: `mutation { submitChangeRequest(input: { register: "persons", operation: UPDATE, payload: ${literal}, reason: "r", idempotencyKey: "k" }) { id } }` }, /nests brackets deeper than 128/);
  });

  it("refuses a payload larger than the JSON scalar's bound", async () => {
    const before = await changeRequests();
    const answer = await send({ query: submitMutation, variables: { input: input({ payload: { district: "x".repeat(70_000) } }) } });
    expect(answer.body.errors?.[0]?.extensions?.["code"]).toBe("BAD_USER_INPUT");
    expect(answer.body.errors?.[0]?.message).toMatch(/longer than 65536/);
    expect(await changeRequests()).toBe(before);
  });

  it("still takes an ordinary payload", async () => {
    const answer = await send({ query: `${submitMutation}`, variables: { input: input({ payload: { birthPlace: "Pili Clinic" } }) } });
    expect(answer.body.errors).toBeUndefined();
  });
});
