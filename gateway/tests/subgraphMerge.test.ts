/**
 * Identical subgraph reads in flight at once share one upstream request (issue 20 item 3). A real HTTP server on a
 * free port stands in for the subgraph and counts what reaches it; the calls are made the way the query planner
 * makes them, several before the event loop turns, so they are in flight together by construction (no timing).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { GraphQLDataSourceProcessOptions } from "@apollo/gateway";
import { createGatewayTrust, listen, type ForwardedCaller, type Listening } from "@ndx/platform";
import { createSubgraphSource, type SubgraphSource } from "../src/subgraphSource.ts";
import { assertions, logger } from "./harness.ts";

interface Seen {
  readonly body: { query: string; variables?: Record<string, unknown> };
  readonly authorization: string | undefined;
}

let seen: Seen[] = [];
/** What the stand-in answers: 200 with data, a 500, or no answer at all (the client times out). */
let mode: "ok" | "fail" | "hang" = "ok";
let server: Listening;
const held: (() => void)[] = [];

beforeAll(async () => {
  server = await listen(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = JSON.parse(Buffer.concat(chunks).toString()) as Seen["body"];
    seen.push({ body, authorization: req.headers.authorization });
    if (mode === "hang") return void held.push(() => res.destroy());
    if (mode === "fail") return void res.writeHead(500, { "content-type": "text/plain" }).end("stack trace: secret");
    res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ data: { person: { nic: body.variables?.["nic"] ?? null, n: seen.length } } }));
  }, 0);
});
afterAll(async () => {
  held.forEach((destroy) => destroy());
  await server?.close();
});

const caller = (id: string, decisionId: string, roles: readonly string[] = ["reader"]): ForwardedCaller => ({
  kind: "consumer",
  id,
  roles,
  traceId: `trace-${decisionId}`,
  decisionId,
});

const trust = createGatewayTrust({ audience: "registry", jwks: assertions.jwks });
const callerSent = (r: Seen | undefined) => trust.verify(r?.authorization?.slice("Bearer ".length) ?? "");

const personQuery = "query Person__registry__0($nic: String!) { person(nic: $nic) { nic } }";

function source(timeoutMs?: number): SubgraphSource {
  return createSubgraphSource({ name: "registry", url: `${server.url}/graphql`, logger, assertions, ...(timeoutMs === undefined ? {} : { timeoutMs }) });
}

/** One fetch as the query planner makes it, in a request whose access plugin decided on `who`. */
function fetchAs(s: SubgraphSource, who: ForwardedCaller | undefined, query: string, variables: Record<string, unknown> = { nic: "199012345678" }) {
  // The enum is not exported at run time; its value is this string.
  const kind = "health check" as Exclude<GraphQLDataSourceProcessOptions["kind"], "incoming operation">;
  return s.process({ kind, request: { query, variables }, context: who === undefined ? {} : { ndxCaller: who } });
}

describe("merging identical in-flight subgraph requests", () => {
  it("N identical concurrent reads by one caller make one upstream request, and each gets its own copy", async () => {
    seen = [];
    mode = "ok";
    const s = source();
    const answers = await Promise.all(Array.from({ length: 8 }, (_, i) => fetchAs(s, caller("passport-app", `evt_${i}`), personQuery)));
    expect(seen).toHaveLength(1);
    for (const a of answers) expect(a.data).toEqual({ person: { nic: "199012345678", n: 1 } });
    // The query planner merges into what it gets: one waiter's change must not show in another's.
    (answers[0]?.data as { person: { nic: string } }).person.nic = "changed";
    expect((answers[1]?.data as { person: { nic: string } }).person.nic).toBe("199012345678");
    // The shared request carries a valid assertion naming the caller (the first waiter's).
    expect(await callerSent(seen[0])).toMatchObject({ id: "passport-app", kind: "consumer", decisionId: "evt_0" });
    await s.close();
  });

  it("is no cache: once answered, the same read goes upstream again", async () => {
    seen = [];
    mode = "ok";
    const s = source();
    await fetchAs(s, caller("passport-app", "evt_a"), personQuery);
    await fetchAs(s, caller("passport-app", "evt_b"), personQuery);
    expect(seen).toHaveLength(2);
    await s.close();
  });

  it("never merges across callers (another consumer, other roles, no caller) or different variables", async () => {
    seen = [];
    mode = "ok";
    const s = source();
    await Promise.all([
      fetchAs(s, caller("passport-app", "evt_1"), personQuery),
      fetchAs(s, caller("passport-app", "evt_2"), personQuery),
      fetchAs(s, caller("benefits-app", "evt_3"), personQuery),
      fetchAs(s, caller("passport-app", "evt_4", ["reader", "auditor"]), personQuery),
      fetchAs(s, undefined, personQuery),
      fetchAs(s, caller("passport-app", "evt_5"), personQuery, { nic: "198512345670" }),
    ]);
    expect(seen).toHaveLength(5);
    const subjects = await Promise.all(
      seen.map(async (r) => {
        const named = await callerSent(r);
        return `${named?.id ?? "-"} ${JSON.stringify(named?.roles ?? [])} ${String(r.body.variables?.["nic"])}`;
      }),
    );
    expect(subjects.sort()).toEqual(
      [
        '- [] 199012345678',
        'benefits-app ["reader"] 199012345678',
        'passport-app ["reader","auditor"] 199012345678',
        'passport-app ["reader"] 198512345670',
        'passport-app ["reader"] 199012345678',
      ].sort(),
    );
    await s.close();
  });

  it("never merges mutations", async () => {
    seen = [];
    mode = "ok";
    const s = source();
    const mutation = 'mutation Register__registry__0 { registerBirth(input: { name: "A" }) { id } }';
    await Promise.all([1, 2, 3].map((i) => fetchAs(s, caller("registrar", `evt_${i}`), mutation, {})));
    expect(seen).toHaveLength(3);
    await s.close();
  });

  it("a failure reaches every waiter, as the provider's error code and never the upstream body", async () => {
    seen = [];
    mode = "fail";
    const s = source();
    const results = await Promise.allSettled([1, 2, 3, 4].map((i) => fetchAs(s, caller("passport-app", `evt_${i}`), personQuery)));
    expect(seen).toHaveLength(1);
    for (const r of results) {
      expect(r.status).toBe("rejected");
      const error = (r as PromiseRejectedResult).reason as { message: string; extensions: Record<string, unknown> };
      expect(error.extensions).toMatchObject({ code: "UPSTREAM_UNAVAILABLE", provider: "registry" });
      expect(error.message).not.toMatch(/secret|stack/);
    }
    await s.close();
  });

  it("a timeout reaches every waiter as UPSTREAM_TIMEOUT", async () => {
    seen = [];
    mode = "hang";
    const s = source(200);
    const results = await Promise.allSettled([1, 2, 3].map((i) => fetchAs(s, caller("passport-app", `evt_${i}`), personQuery)));
    expect(seen).toHaveLength(1);
    for (const r of results) expect(((r as PromiseRejectedResult).reason as { extensions: Record<string, unknown> }).extensions).toMatchObject({ code: "UPSTREAM_TIMEOUT" });
    await s.close();
  });

  it("can be turned off: every fetch goes upstream", async () => {
    seen = [];
    mode = "ok";
    const s = createSubgraphSource({ name: "registry", url: `${server.url}/graphql`, logger, assertions, mergeInflight: false });
    await Promise.all([1, 2, 3].map((i) => fetchAs(s, caller("passport-app", `evt_${i}`), personQuery)));
    expect(seen).toHaveLength(3);
    await s.close();
  });
});
