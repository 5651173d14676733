/**
 * Prometheus metrics (prom-client): each service has its own registry with the process metrics and the request
 * histogram, served at GET /metrics. Parts add their own instruments to the same registry.
 */
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from "prom-client";

export { Counter, Gauge, Histogram };

export interface ServiceMetrics {
  readonly registry: Registry;
  readonly requests: Histogram<"operation" | "status">;
}

export function createServiceMetrics(service: string): ServiceMetrics {
  const registry = new Registry();
  registry.setDefaultLabels({ service });
  collectDefaultMetrics({ register: registry });
  const requests = new Histogram({
    name: "ndx_graphql_request_duration_seconds",
    help: "GraphQL requests by operation name and HTTP status, in seconds",
    labelNames: ["operation", "status"] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [registry],
  });
  return { registry, requests };
}

/** A yoga plugin: GET /metrics, and the duration of every GraphQL request by operation name. */
/** The body and content type of GET /metrics for a service's registry. */
export async function metricsResponse(service: ServiceMetrics): Promise<Response> {
  return new Response(await service.registry.metrics(), { headers: { "content-type": service.registry.contentType } });
}

export function useMetrics(metrics: ServiceMetrics, maxOperations = 200) {
  const started = new WeakMap<Request, { at: number; operation: string }>();
  // Operation names are chosen by clients: bound how many become label values.
  const seen = new Set<string>();
  return {
    async onRequest({ request, url, endResponse }: { request: Request; url: URL; endResponse: (r: Response) => void }) {
      if (url.pathname === "/metrics" && request.method === "GET") {
        endResponse(await metricsResponse(metrics));
        return;
      }
      started.set(request, { at: performance.now(), operation: "unknown" });
    },
    onParams({ request, params }: { request: Request; params: { operationName?: unknown } }) {
      const entry = started.get(request);
      if (entry === undefined) return;
      // The body is the client's: an operationName that is not a string is refused later (useInputErrorCodes), and
      // is counted here as "invalid", never an exception (a 500 and an ERROR log per request).
      const given = params.operationName;
      if (given !== undefined && given !== null && typeof given !== "string") {
        entry.operation = "invalid";
        return;
      }
      const name = (given ?? "anonymous").replace(/[^\w-]/g, "_").slice(0, 60);
      if (seen.has(name) || seen.size < maxOperations) {
        seen.add(name);
        entry.operation = name;
      } else entry.operation = "other";
    },
    onResponse({ request, response }: { request: Request; response: Response }) {
      const entry = started.get(request);
      if (entry === undefined) return;
      metrics.requests.observe({ operation: entry.operation, status: String(response.status) }, (performance.now() - entry.at) / 1000);
    },
  };
}
