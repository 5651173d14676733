/** maskRequestErrors: an endpoint plugin's failure is logged and answered 500 without the error; nothing else changes. */
import { createSchema, createYoga, type Plugin } from "graphql-yoga";
import { describe, expect, it } from "vitest";
import { maskRequestErrors } from "../src/index.ts";

const leak = new Error("relation audit_event does not exist at /srv/gateway/src/audit/auditQuery.ts:40");

describe("maskRequestErrors", () => {
  it("answers 500 with the NDX code when an onRequest throws or rejects, and tells the log the error itself", async () => {
    const logged: unknown[] = [];
    const plugins: Plugin[] = [
      {
        onRequest: ({ request }) => {
          if (request.url.endsWith("/throws")) throw leak;
        },
      },
      { onRequest: async ({ request }) => (request.url.endsWith("/rejects") ? Promise.reject(leak) : undefined) },
    ];
    const yoga = createYoga({ plugins: maskRequestErrors(plugins, (error) => logged.push(error)) });
    for (const path of ["/throws", "/rejects"]) {
      const response = await yoga.fetch(`http://test${path}`);
      expect(response.status).toBe(500);
      expect(response.headers.get("cache-control")).toBe("no-store");
      const body = await response.text();
      expect(JSON.parse(body)).toEqual({ error: { code: "INTERNAL_SERVER_ERROR", message: "Internal server error" } });
      expect(body).not.toContain("audit_event");
    }
    expect(logged).toEqual([leak, leak]);
  });

  it("leaves answers, passes and plugins without onRequest as they were", async () => {
    const other: Plugin = { onExecute: () => undefined };
    const answering: Plugin = { onRequest: ({ request, endResponse }) => (request.url.endsWith("/ok") ? endResponse(Response.json({ ok: true })) : undefined) };
    const wrapped = maskRequestErrors([other, answering], () => undefined);
    expect(wrapped[0]).toBe(other);
    const yoga = createYoga({ plugins: wrapped, schema: createSchema({ typeDefs: "type Query { hello: String }" }) });
    expect(await (await yoga.fetch("http://test/ok")).json()).toEqual({ ok: true });
    const graphql = await yoga.fetch("http://test/graphql?query=%7B__typename%7D");
    expect(await graphql.json()).toEqual({ data: { __typename: "Query" } });
  });
});
