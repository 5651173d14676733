/**
 * Request metrics for the parts that are plain HTTP servers rather than yoga (consent engine, identity provider,
 * simulators): `GET /metrics` from the service's registry, and one histogram of every other request by method,
 * route and status, `ndx_http_request_duration_seconds` (its `_count` is the request counter).
 *
 * The route label is always a template (`/v1/consents/:id`), never the raw path: a path holding a NIC or a consent
 * id would make one series per citizen. A handler that routes names the template it matched with
 * `setRequestRoute`; otherwise the first of the given templates that matches the path is used, and anything else
 * (a scanner's guess, a typo) is counted as `unmatched`. Methods outside the usual few are counted as `other`.
 */
import type { IncomingMessage, RequestListener, ServerResponse } from "node:http";
import { Histogram } from "prom-client";
import { metricsResponse, type ServiceMetrics } from "./metrics.ts";
import { requestPath } from "./requestPath.ts";

export interface HttpMetricsOptions {
  /**
   * Route templates, first match wins; `:name` matches one path segment (`/interaction/:uid/login`). `/health`,
   * `/ready` and `/metrics` are always known. @default []
   */
  readonly routes?: readonly string[];
}

export interface HttpMetrics {
  readonly service: ServiceMetrics;
  readonly requests: Histogram<"method" | "route" | "status">;
  /** The route label of a request with this path: its tag, else the first matching template, else "unmatched". */
  route(request: Request | IncomingMessage, pathname: string): string;
  /** A fetch handler that also answers GET /metrics and times every other request (to its response head). */
  fetch(handler: (request: Request) => Promise<Response>): (request: Request) => Promise<Response>;
  /** The same for a node:http listener (timed until the response is finished or the connection closes). */
  node(listener: RequestListener): RequestListener;
}

const tags = new WeakMap<object, string>();

/** Names the route template a request matched (`/consent/:id`), for its request metrics. */
export function setRequestRoute(request: Request | IncomingMessage, template: string): void {
  tags.set(request, template);
}

const methods = new Set(["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]);

/** A matcher of route templates: the first template the path matches, or undefined. */
export function createRouteMatcher(templates: readonly string[]): (pathname: string) => string | undefined {
  const compiled = templates.map((template) => ({ template, parts: template.split("/").filter(Boolean) }));
  return (pathname) => {
    const parts = pathname.split("/").filter(Boolean);
    for (const { template, parts: expected } of compiled) {
      if (expected.length !== parts.length) continue;
      if (expected.every((p, i) => p.startsWith(":") ? (parts[i] ?? "") !== "" : p === parts[i])) return template;
    }
    return undefined;
  };
}

export function createHttpMetrics(service: ServiceMetrics, options: HttpMetricsOptions = {}): HttpMetrics {
  const requests = new Histogram({
    name: "ndx_http_request_duration_seconds",
    help: "HTTP requests by method, route template and status, in seconds (to the response head)",
    labelNames: ["method", "route", "status"] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [service.registry],
  });
  const match = createRouteMatcher([...(options.routes ?? []), "/health", "/ready", "/metrics"]);
  const route = (request: Request | IncomingMessage, pathname: string) => tags.get(request) ?? match(pathname) ?? "unmatched";
  const method = (m: string | undefined) => (m !== undefined && methods.has(m) ? m : "other");
  const isScrape = (m: string | undefined, pathname: string) => pathname === "/metrics" && (m === "GET" || m === "HEAD");

  return {
    service,
    requests,
    route,
    fetch(handler) {
      return async (request) => {
        const { pathname } = new URL(request.url);
        if (isScrape(request.method, pathname)) return metricsResponse(service);
        const started = performance.now();
        let status = 500;
        try {
          const response = await handler(request);
          status = response.status;
          return response;
        } finally {
          requests.observe(
            { method: method(request.method), route: route(request, pathname), status: String(status) },
            (performance.now() - started) / 1000,
          );
        }
      };
    },
    node(listener) {
      return (req: IncomingMessage, res: ServerResponse) => {
        const pathname = requestPath(req.url);
        if (isScrape(req.method, pathname)) {
          void service.registry.metrics().then(
            (body) => res.writeHead(200, { "content-type": service.registry.contentType }).end(body),
            () => res.writeHead(500).end(),
          );
          return;
        }
        const started = performance.now();
        res.once("close", () => {
          requests.observe(
            { method: method(req.method), route: route(req, pathname), status: String(res.statusCode) },
            (performance.now() - started) / 1000,
          );
        });
        listener(req, res);
      };
    },
  };
}
