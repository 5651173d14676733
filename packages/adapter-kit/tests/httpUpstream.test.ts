import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createHttpUpstream, parseJsonAnswer, retryAfterMs, statusError, UpstreamError, type HttpAnswer } from "../src/index.ts";

let url = "";
const sockets = new Set<unknown>();
const server = createServer((req: IncomingMessage, res: ServerResponse) => {
  sockets.add(req.socket);
  if (req.url === "/big") {
    res.writeHead(200, { "content-type": "application/json" });
    // No content-length: the limit must hold while streaming.
    res.write("[");
    res.end(`"${"x".repeat(5000)}"]`);
    return;
  }
  if (req.url === "/declared-big") {
    res.writeHead(200, { "content-type": "application/json", "content-length": "999999" });
    res.end("[]");
    return;
  }
  res.writeHead(200, { "content-type": "application/json" });
  res.end(JSON.stringify({ path: req.url }));
});

beforeAll(async () => {
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

const signal = () => AbortSignal.timeout(5000);

describe("HTTP upstream", () => {
  it("reuses keep-alive connections for requests one after another", async () => {
    const http = createHttpUpstream({ provider: "acme", baseUrl: url });
    sockets.clear();
    for (let i = 0; i < 10; i++) {
      const answer = await http.request({ method: "GET", path: `/r${i}`, signal: signal() });
      expect(parseJsonAnswer("acme", answer, "r")).toEqual({ path: `/r${i}` });
    }
    // The pool may open a second connection while the first is being released, but never one per request.
    expect(sockets.size).toBeLessThanOrEqual(2);
    await http.close();
  });

  it("prefixes the base URL's path", async () => {
    const http = createHttpUpstream({ provider: "acme", baseUrl: `${url}/api/` });
    const answer = await http.request({ method: "GET", path: "/x", signal: signal() });
    expect(JSON.parse(answer.body)).toEqual({ path: "/api/x" });
    await http.close();
  });

  it("refuses answers over the size limit, declared or streamed, as malformed", async () => {
    const http = createHttpUpstream({ provider: "acme", baseUrl: url, maxResponseBytes: 1000 });
    await expect(http.request({ method: "GET", path: "/big", signal: signal() })).rejects.toMatchObject({ kind: "malformed" });
    await expect(http.request({ method: "GET", path: "/declared-big", signal: signal() })).rejects.toMatchObject({ kind: "malformed" });
    await http.close();
  });

  it("turns a refused connection into unavailable, without the address in what consumers see", async () => {
    const http = createHttpUpstream({ provider: "acme", baseUrl: "http://127.0.0.1:9" });
    const error = await http.request({ method: "GET", path: "/", signal: signal() }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UpstreamError);
    expect(error).toMatchObject({ kind: "unavailable", provider: "acme" });
    await http.close();
  });
});

describe("HTTP status semantics", () => {
  const answer = (status: number, headers: Record<string, string> = {}): HttpAnswer => ({ status, headers, body: "secret body" });

  it.each([
    [200, undefined],
    [404, "not_found"],
    [429, "rate_limited"],
    [401, "rejected"],
    [403, "rejected"],
    [400, "rejected"],
    [408, "unavailable"],
    [500, "unavailable"],
    [503, "unavailable"],
  ])("HTTP %i is %s", (status, kind) => {
    const error = statusError("acme", answer(status), "op");
    expect(error?.kind).toBe(kind);
    expect(error?.message ?? "").not.toContain("secret body");
  });

  it("reads Retry-After as seconds or an HTTP date", () => {
    expect(statusError("acme", answer(429, { "retry-after": "3" }), "op")?.retryAfterMs).toBe(3000);
    expect(retryAfterMs("Thu, 01 Jan 2026 00:00:10 GMT", Date.parse("2026-01-01T00:00:00Z"))).toBe(10_000);
    expect(retryAfterMs("soon")).toBeUndefined();
  });

  it("refuses a body that is not JSON, or not declared as JSON", () => {
    expect(() => parseJsonAnswer("acme", { status: 200, headers: { "content-type": "application/json" }, body: "{bad" }, "op")).toThrow(/not valid JSON/);
    expect(() => parseJsonAnswer("acme", { status: 200, headers: { "content-type": "text/html" }, body: "{}" }, "op")).toThrow(/not JSON/);
  });
});
