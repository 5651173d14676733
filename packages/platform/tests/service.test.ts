/** listen(): a request handler that throws or rejects is answered, and the server goes on serving. */
import { afterEach, describe, expect, it } from "vitest";
import { listen, type Listening, type NodeHandler } from "../src/service.ts";

let http: Listening | undefined;
afterEach(async () => {
  await http?.close();
  http = undefined;
});

/** Fails the first request in the given way, then answers 200 "ok". */
function failingOnce(fail: NodeHandler): NodeHandler {
  let calls = 0;
  return (request, response) => {
    calls += 1;
    if (calls === 1) return fail(request, response);
    response.writeHead(200).end("ok");
    return undefined;
  };
}

const secret = "connection string postgres://ndx:hunter2@db";

describe("listen", () => {
  it.each([
    ["rejects", (async () => Promise.reject(new Error(secret))) satisfies NodeHandler],
    ["throws", (() => {
      throw new Error(secret);
    }) satisfies NodeHandler],
  ])("a handler that %s gets a 500 INTERNAL_SERVER_ERROR without internals, and the next request is served", async (_how, fail) => {
    http = await listen(failingOnce(fail), 0);
    const failed = await fetch(http.url, { signal: AbortSignal.timeout(5000) });
    expect(failed.status).toBe(500);
    const body = await failed.text();
    expect(JSON.parse(body)).toEqual({
      errors: [{ message: "Internal server error", extensions: { code: "INTERNAL_SERVER_ERROR", http: { status: 500 } } }],
    });
    expect(body).not.toContain("hunter2");
    const next = await fetch(http.url, { signal: AbortSignal.timeout(5000) });
    expect(await next.text()).toBe("ok");
  });

  it("a handler that rejects after its response began has its connection closed, not left hanging", async () => {
    http = await listen(
      failingOnce(async (_request, response) => {
        response.writeHead(200, { "content-type": "text/plain" });
        response.write("partial");
        await new Promise((resolve) => setTimeout(resolve, 20));
        throw new Error(secret);
      }),
      0,
    );
    const failed = await fetch(http.url, { signal: AbortSignal.timeout(5000) });
    // Left hanging would be for ever: 10 s (was 2 s) leaves room for a loaded CI machine.
    const hanging = new Promise<string>((resolve) => setTimeout(() => resolve("still hanging after 10 s"), 10_000).unref());
    const ending = failed.text().then(
      () => "completed",
      () => "closed",
    );
    expect(await Promise.race([ending, hanging])).toBe("closed");
    const next = await fetch(http.url, { signal: AbortSignal.timeout(5000) });
    expect(await next.text()).toBe("ok");
  });
});

describe("listen, with a promise-like that is not a Promise", () => {
  it("answers its rejection too (whatwg-node returns such on its fast paths)", async () => {
    const rejected: PromiseLike<never> = {
      then: (onFulfilled, onRejected) => Promise.reject(new Error(secret)).then(onFulfilled, onRejected),
    };
    http = await listen(failingOnce(() => rejected as Promise<never>), 0);
    const failed = await fetch(http.url, { signal: AbortSignal.timeout(5000) });
    expect(failed.status).toBe(500);
    const next = await fetch(http.url, { signal: AbortSignal.timeout(5000) });
    expect(await next.text()).toBe("ok");
  });
});
