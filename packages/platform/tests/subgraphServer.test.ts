/**
 * createSubgraphServer, the one server every subgraph is: its plugins in their order (metrics and open paths before
 * the gateway check, the check before input limits and GraphQL), the caller handed to the context, GraphiQL off when
 * only the gateway may call, and errors masked the NDX way or named by the subgraph.
 */
import { request } from "node:http";
import { GraphQLError } from "graphql";
import { describe, expect, it } from "vitest";
import { createLogger, createSubgraphServer, listen, ndxError, type ForwardedCaller } from "../src/index.ts";
import { createTestGateway } from "../src/testGateway.ts";

const sdl = `
extend schema @link(url: "https://specs.apollo.dev/federation/v2.7", import: ["@key"])
type Query { whoAmI: String, broken: String, named: String }`;

class KnownFailure extends Error {}

const gateway = createTestGateway();
const staff: ForwardedCaller = { kind: "staff", id: "registrar.maker", roles: ["registrar"], traceId: undefined };

function server(options: { trusted?: boolean; graphiql?: boolean; maxBodyBytes?: number } = {}) {
  return createSubgraphServer<{ readonly caller: ForwardedCaller | undefined }>({
    name: "example",
    sdl,
    resolvers: {
      Query: {
        whoAmI: (_: unknown, __: unknown, ctx: { caller: ForwardedCaller | undefined }) => ctx.caller?.id ?? "nobody",
        broken: () => {
          throw new Error("relation person does not exist at /srv/db.ts:10");
        },
        named: () => {
          throw new KnownFailure("the upstream said secret things");
        },
      },
    },
    context: ({ caller }) => ({ caller }),
    ready: { upstream: () => Promise.reject(new Error("down")) },
    openPlugins: [
      {
        onRequest({ url, endResponse }: { url: URL; endResponse: (r: Response) => void }) {
          if (url.pathname === "/events") endResponse(Response.json({ events: [] }));
        },
      },
      // Open paths that fail: one throws at once, one rejects (a database gone away).
      {
        onRequest({ url }: { url: URL }) {
          if (url.pathname === "/throws") throw new Error("relation outbox does not exist at /srv/feed.ts:12");
        },
      },
      {
        async onRequest({ url }: { url: URL }) {
          if (url.pathname === "/rejects") await Promise.reject(new Error("connect ECONNREFUSED postgres://ndx:hunter2@db"));
        },
      },
    ],
    nameError: (error) => (error instanceof KnownFailure ? ndxError("UPSTREAM_UNAVAILABLE", "The example upstream is unavailable") : undefined),
    ...(options.trusted === false ? {} : { gatewayTrust: gateway.trust }),
    ...(options.graphiql === undefined ? {} : { graphiql: options.graphiql }),
    ...(options.maxBodyBytes === undefined ? {} : { maxBodyBytes: options.maxBodyBytes }),
    logger: createLogger("example", "silent"),
  });
}

const post = (yoga: ReturnType<typeof server>, query: string, headers: Record<string, string> = {}, variables: Record<string, unknown> = {}) =>
  yoga.fetch("http://example.test/graphql", {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: JSON.stringify({ query, variables }),
  });

describe("createSubgraphServer", () => {
  it("answers only the gateway, and hands its context the caller the assertion names", async () => {
    const yoga = server();
    expect((await post(yoga, "{ whoAmI }")).status).toBe(401);
    expect((await post(yoga, "{ whoAmI }", await gateway.headers("other", staff))).status).toBe(401);
    const response = await post(yoga, "{ whoAmI }", await gateway.headers("example", staff));
    expect(await response.json()).toEqual({ data: { whoAmI: "registrar.maker" } });
  });

  it("serves /metrics, /health, /ready and its open paths without the gateway's assertion", async () => {
    const yoga = server();
    expect((await yoga.fetch("http://example.test/metrics")).status).toBe(200);
    expect((await yoga.fetch("http://example.test/health")).status).toBe(200);
    const ready = await yoga.fetch("http://example.test/ready");
    expect({ status: ready.status, body: await ready.json() }).toEqual({ status: 503, body: { status: "not_ready", checks: { upstream: "down" } } });
    expect(await (await yoga.fetch("http://example.test/events")).json()).toEqual({ events: [] });
  });

  it("answers an open path that throws or rejects 500 INTERNAL_SERVER_ERROR, without its message or stack, and keeps serving", async () => {
    const yoga = server();
    for (const path of ["/throws", "/rejects"]) {
      const response = await yoga.fetch(`http://example.test${path}`);
      const body = await response.text();
      expect({ status: response.status, body: JSON.parse(body) as unknown }).toEqual({
        status: 500,
        body: { error: { code: "INTERNAL_SERVER_ERROR", message: "Internal server error" } },
      });
      expect(body).not.toMatch(/srv|hunter2|ECONNREFUSED|at \w/);
    }
    expect(await (await yoga.fetch("http://example.test/events")).json()).toEqual({ events: [] });
    expect((await post(yoga, "{ whoAmI }", await gateway.headers("example", staff))).status).toBe(200);
  });

  it("serves no GraphiQL when only the gateway may call, even when asked to", async () => {
    const page = await server({ graphiql: true }).fetch("http://example.test/graphql", { headers: { accept: "text/html" } });
    expect(page.status).toBe(401);
    expect(await page.text()).not.toMatch(/graphiql/i);
    const open = await server({ trusted: false }).fetch("http://example.test/graphql", { headers: { accept: "text/html" } });
    expect(await open.text()).toMatch(/graphiql/i);
  });

  it("masks unexpected errors, names the ones the subgraph knows, and bounds input", async () => {
    const headers = await gateway.headers("example", staff);
    const broken = (await (await post(server(), "{ broken }", headers)).json()) as { errors: GraphQLError[] };
    expect(broken.errors[0]?.extensions).toMatchObject({ code: "INTERNAL_SERVER_ERROR" });
    expect(JSON.stringify(broken)).not.toContain("/srv/db.ts");
    const named = (await (await post(server(), "{ named }", headers)).json()) as { errors: GraphQLError[] };
    expect(named.errors[0]).toMatchObject({ message: "The example upstream is unavailable", extensions: { code: "UPSTREAM_UNAVAILABLE" } });
    expect(JSON.stringify(named)).not.toContain("secret things");
    const nul = await post(server(), "query($x: String) { whoAmI }", headers, { x: "a\u0000b" });
    expect({ status: nul.status, body: await nul.json() }).toMatchObject({ status: 400, body: { errors: [{ extensions: { code: "BAD_USER_INPUT" } }] } });
    // The gateway check comes first: a stranger learns nothing about what the subgraph would accept.
    expect((await post(server(), "query($x: String) { whoAmI }", {}, { x: "a\u0000b" })).status).toBe(401);
  });

  it("refuses a body over its limit, declared or streamed, with 413 before any resolver runs, and a bad length with 400", async () => {
    const yoga = server({ maxBodyBytes: 2000 });
    const { authorization = "" } = await gateway.headers("example", staff);
    const big = JSON.stringify({ query: "{ whoAmI }", variables: { pad: "x".repeat(3000) } });
    const declared = await yoga.fetch("http://example.test/graphql", {
      method: "POST",
      headers: { "content-type": "application/json", "content-length": String(Buffer.byteLength(big)), authorization },
      body: big,
    });
    expect(declared.status).toBe(413);
    expect(await declared.json()).toEqual({ errors: [{ message: "The request body is larger than 2000 bytes", extensions: { code: "BAD_USER_INPUT" } }] });
    // No Content-Length: the body comes as a stream, in chunks of 500 bytes.
    const postStreamed = (text: string) =>
      yoga.fetch("http://example.test/graphql", {
        method: "POST",
        headers: { "content-type": "application/json", authorization },
        body: new ReadableStream<Uint8Array>({
          start(controller) {
            for (let at = 0; at < text.length; at += 500) controller.enqueue(new TextEncoder().encode(text.slice(at, at + 500)));
            controller.close();
          },
        }),
        duplex: "half",
      } as RequestInit);
    const streamed = await postStreamed(big);
    expect(streamed.status).toBe(413);
    // Refused declared or streamed, the client reads the same error.
    expect(await streamed.json()).toEqual({ errors: [{ message: "The request body is larger than 2000 bytes", extensions: { code: "BAD_USER_INPUT" } }] });
    const small = JSON.stringify({ query: "{ whoAmI }" });
    expect(await (await postStreamed(small)).json()).toEqual({ data: { whoAmI: "registrar.maker" } });
    const badLength = await yoga.fetch("http://example.test/graphql", {
      method: "POST",
      headers: { "content-type": "application/json", "content-length": "12, 12", authorization },
      body: small,
    });
    expect(badLength.status).toBe(400);
  });

  it("over real HTTP, reads a chunked body under the limit and refuses one over it with 413", async () => {
    const listening = await listen(server({ maxBodyBytes: 20_000 }), 0);
    const headers = await gateway.headers("example", staff);
    const send = (body: string) =>
      new Promise<{ status: number | undefined; text: string }>((resolve, reject) => {
        const sent = request(`${listening.url}/graphql`, { method: "POST", headers: { ...headers, "content-type": "application/json", "transfer-encoding": "chunked" } }, (response) => {
          let text = "";
          response.on("data", (chunk: Buffer) => (text += chunk.toString()));
          response.on("end", () => resolve({ status: response.statusCode, text }));
        });
        sent.on("error", reject);
        for (let at = 0; at < body.length; at += 700) sent.write(body.slice(at, at + 700));
        sent.end();
      });
    try {
      const small = await send(JSON.stringify({ query: "{ whoAmI }", variables: { pad: "x".repeat(5000) } }));
      expect(small.status).toBe(200);
      expect(JSON.parse(small.text)).toEqual({ data: { whoAmI: "registrar.maker" } });
      const big = await send(JSON.stringify({ query: "{ whoAmI }", variables: { pad: "x".repeat(30_000) } }));
      expect(big.status).toBe(413);
      expect(big.text).toContain("BAD_USER_INPUT");
    } finally {
      await listening.close();
    }
  });
});
