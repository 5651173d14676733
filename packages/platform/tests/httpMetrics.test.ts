/**
 * The request metrics of plain HTTP parts over real HTTP: GET /metrics in Prometheus text, requests labelled by route
 * template (never the raw path), unknown paths and methods folded into bounded labels, for fetch handlers and
 * node:http listeners alike.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createHttpMetrics, createRouteMatcher, createServiceMetrics, listen, setRequestRoute, type Listening } from "../src/index.ts";
import { metricValue } from "../src/testing.ts";

const servers: Listening[] = [];
afterAll(async () => {
  for (const s of servers) await s.close();
});

describe("fetch handlers", () => {
  const metrics = createHttpMetrics(createServiceMetrics("fetch-test"), { routes: ["/people/batch", "/people/:nic"] });
  let url: string;
  beforeAll(async () => {
    const handler = metrics.fetch(async (request) => {
      const { pathname } = new URL(request.url);
      if (pathname.startsWith("/tagged/")) setRequestRoute(request, "/tagged/:id");
      if (pathname === "/boom") throw new Error("boom");
      return new Response("ok", { status: pathname.startsWith("/people/") || pathname.startsWith("/tagged/") ? 200 : 404 });
    });
    // A bare node:http bridge to the fetch handler (bodiless requests are all this test sends).
    const http = await listen((req, res) => {
      void handler(new Request(`http://localhost${req.url ?? "/"}`, { method: req.method ?? "GET" })).then(
        async (response) => res.writeHead(response.status, Object.fromEntries(response.headers)).end(await response.text()),
        () => res.writeHead(500).end(),
      );
    }, 0);
    servers.push(http);
    url = http.url;
  });

  it("serves Prometheus text at GET /metrics and counts requests by route template", async () => {
    await fetch(`${url}/people/199012345678`);
    await fetch(`${url}/people/198503150123`);
    await fetch(`${url}/people/batch`, { method: "POST" });
    await fetch(`${url}/tagged/cns_abc`);
    await fetch(`${url}/nothing/here`);
    await fetch(`${url}/people/1`, { method: "PROPFIND" });
    const response = await fetch(`${url}/metrics`);
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toMatch(/^text\/plain; version=0\.0\.4/);
    const text = await response.text();
    const count = (labels: Record<string, string>) => metricValue(text, "ndx_http_request_duration_seconds_count", labels);
    expect(count({ method: "GET", route: "/people/:nic", status: "200" })).toBe(2);
    expect(count({ method: "POST", route: "/people/batch", status: "200" })).toBe(1);
    expect(count({ method: "GET", route: "/tagged/:id", status: "200" })).toBe(1);
    expect(count({ method: "GET", route: "unmatched", status: "404" })).toBe(1);
    expect(count({ method: "other", route: "/people/:nic" })).toBe(1);
    expect(text).not.toContain("199012345678");
    expect(text).not.toContain("cns_abc");
    expect(text).toContain('service="fetch-test"');
    // The scrape itself is not a request worth a series.
    expect(count({ route: "/metrics" })).toBeUndefined();
  });

  it("counts a handler that throws as a 500", async () => {
    const response = await fetch(`${url}/boom`);
    expect(response.status).toBe(500);
    const text = await (await fetch(`${url}/metrics`)).text();
    expect(metricValue(text, "ndx_http_request_duration_seconds_count", { route: "unmatched", status: "500" })).toBe(1);
  });
});

describe("node:http listeners", () => {
  it("serve GET /metrics and time requests until the response ends", async () => {
    const metrics = createHttpMetrics(createServiceMetrics("node-test"), { routes: ["/interaction/:uid/login"] });
    const http = await listen(
      metrics.node((req, res) => {
        setTimeout(() => res.writeHead(req.url === "/health" ? 200 : 302).end(), 20);
      }),
      0,
    );
    servers.push(http);
    await fetch(`${http.url}/interaction/Xy12/login`, { method: "POST", redirect: "manual" });
    await fetch(`${http.url}/health`);
    const response = await fetch(`${http.url}/metrics`);
    expect(response.status).toBe(200);
    const text = await response.text();
    expect(metricValue(text, "ndx_http_request_duration_seconds_count", { method: "POST", route: "/interaction/:uid/login", status: "302" })).toBe(1);
    expect(metricValue(text, "ndx_http_request_duration_seconds_count", { route: "/health", status: "200" })).toBe(1);
    expect(metricValue(text, "ndx_http_request_duration_seconds_sum", { route: "/health" })).toBeGreaterThanOrEqual(0.015);
    expect(text).not.toContain("Xy12");
  });
});

describe("route templates", () => {
  it("match whole segments, first template first", () => {
    const match = createRouteMatcher(["/", "/a/fixed", "/a/:id", "/a/:id/b"]);
    expect(match("/")).toBe("/");
    expect(match("/a/fixed")).toBe("/a/fixed");
    expect(match("/a/42")).toBe("/a/:id");
    expect(match("/a/42/b/")).toBe("/a/:id/b");
    expect(match("/a/42/c")).toBeUndefined();
    expect(match("/a")).toBeUndefined();
  });
});
