/**
 * Input values are bounded before any subgraph is called (issue 14 item 10): a payload nested 10,000 deep overflowed
 * the stack when the subgraph client serialised it (500), and a NUL character reached the registry's PostgreSQL
 * (500). Each is now a 400 BAD_USER_INPUT that says what was wrong, logged as no error, with no upstream call.
 */
import { createLogger } from "@ndx/platform";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import type { Gateway } from "../src/index.ts";
import { expectRefusedBeforeExecution, post, startGateway, startRegistry, type RunningRegistry } from "./harness.ts";

const logger = createLogger("test", "silent");
let registry: RunningRegistry;
let gateway: Gateway;
beforeAll(async () => {
  registry = await startRegistry(5);
  gateway = await startGateway(registry.url, { logger, metrics: true });
});
afterAll(async () => {
  await gateway?.close();
  await registry?.close();
});

/** A JSON value nested `levels` deep: [[[...]]]. */
const deep = (levels: number): unknown => JSON.parse("[".repeat(levels) + "]".repeat(levels));
/** The request body as text: JSON.stringify itself overflows the stack on 10,000 levels. */
const deepBody = (levels: number) =>
  `{"query":${JSON.stringify(submit)},"variables":{"input":${JSON.stringify(input({ payload: "@" })).replace('"@"', `{"a":${"[".repeat(levels)}${"]".repeat(levels)}}`)}}}`;
const submit = "mutation($input: SubmitChangeRequestInput!) { submitChangeRequest(input: $input) { id } }";
const input = (over: Record<string, unknown>) => ({
  register: "persons", operation: "UPDATE", recordId: "199012345678", baseVersion: 1,
  payload: { district: "Isamba" }, reason: "Moved", idempotencyKey: "k-1", ...over,
});

async function refused(body: unknown, pattern: RegExp) {
  const errors = vi.spyOn(logger, "error");
  await expectRefusedBeforeExecution(gateway, registry, body, pattern);
  expect(errors).not.toHaveBeenCalled();
  errors.mockRestore();
}

describe("input values' depth", () => {
  it("refuses a payload variable nested 10,000 deep", async () => {
    await refused(deepBody(10_000), /\$input.*nested deeper than 32/);
  });

  it("refuses a literal nested 10,000 deep, before the parser recurses into it", async () => {
    const literal = "[".repeat(10_000) + "]".repeat(10_000);
    await refused({ query: `mutation { submitChangeRequest(input: { register: "persons", operation: UPDATE, payload: ${literal}, reason: "r", idempotencyKey: "k" }) { id } }` }, /nests brackets deeper than 128/);
  });

  it("refuses a literal nested deeper than 32, within the token limit", async () => {
    const literal = "{ a: ".repeat(40) + "1" + " }".repeat(40);
    await refused({ query: `mutation { submitChangeRequest(input: { register: "persons", operation: UPDATE, payload: ${literal}, reason: "r", idempotencyKey: "k" }) { id } }` }, /nested deeper than 32/);
  });

  it("refuses a literal with lists nested deeper than 8, fast: Apollo's planner walks it in 2^depth steps", async () => {
    const literal = "[".repeat(40) + "]".repeat(40);
    const started = performance.now();
    await refused({ query: `mutation { submitChangeRequest(input: { register: "persons", operation: UPDATE, payload: ${literal}, reason: "r", idempotencyKey: "k" }) { id } }` }, /lists deeper than 8.*variable/);
    expect(performance.now() - started).toBeLessThan(5000);
  });

  it("lets a variable 32 deep through the gateway's check (input, payload, 30 lists)", async () => {
    const { body } = await post(gateway, { query: submit, variables: { input: input({ payload: { a: deep(30) } }) } });
    expect(JSON.stringify(body)).not.toMatch(/nested deeper/);
    const literal = "[".repeat(8) + "]".repeat(8);
    const written = await post(gateway, { query: `mutation { submitChangeRequest(input: { register: "persons", operation: UPDATE, payload: ${literal}, reason: "r", idempotencyKey: "k" }) { id } }` });
    expect(JSON.stringify(written.body)).not.toMatch(/nested|nests/);
  });
});

describe("NUL characters", () => {
  it("refuses one in a filter, a reason or a payload given as variables", async () => {
    await refused({ query: "query($d: String) { people(filter: { district: $d }) { totalCount } }", variables: { d: "Isa\u0000mba" } }, /\$d.*NUL/);
    await refused({ query: submit, variables: { input: input({ reason: "Moved\u0000" }) } }, /\$input.*NUL/);
    await refused({ query: submit, variables: { input: input({ payload: { district: "\u0000" } }) } }, /\$input.*NUL/);
    await refused({ query: submit, variables: { input: input({ payload: { "dis\u0000trict": "Isamba" } }) } }, /\$input.*NUL.*key/);
  });

  it("refuses one written in the query", async () => {
    await refused({ query: '{ people(filter: { district: "Isa\\u0000mba" }) { totalCount } }' }, /NUL/);
  });
});
