/**
 * The HTTP side of a simulator: a fetch-style handler served over node:http, with GET /health and /ready, and —
 * only when `testControl` is given (tests, or SIMULATOR_TEST_CONTROL=true) — the control endpoints:
 * POST /__test/faults (add a fault), DELETE /__test/faults (clear), GET /__test/stats, DELETE /__test/stats.
 * With `metrics`, also GET /metrics (Prometheus text, no credential, like every NDX part).
 */
import { healthResponse, listen, traceNodeRequests, type Check, type Logger, type Tracing } from "@ndx/platform";
import { createServerAdapter } from "@whatwg-node/server";
import type { CallStats } from "./callStats.ts";
import type { BaseFault, FaultInjector } from "./faults.ts";
import type { SimulatorMetrics } from "./simulatorMetrics.ts";

export interface TestControl<F extends BaseFault> {
  readonly faults: FaultInjector<F>;
  readonly stats: CallStats;
  /** Reads a fault from JSON; returns a message saying what is wrong instead. */
  readonly parseFault: (value: unknown) => F | string;
}

export interface SimulatorServerOptions<F extends BaseFault> {
  readonly name: string;
  /** Answers every request other than health and control. `stopping` aborts when the server closes. */
  readonly handler: (request: Request, stopping: AbortSignal) => Promise<Response>;
  readonly port: number;
  /** @default "127.0.0.1" */
  readonly host?: string;
  readonly logger: Logger;
  /** Enables the control endpoints. @default undefined (off) */
  readonly testControl?: TestControl<F> | undefined;
  /** @default {} */
  readonly ready?: Readonly<Record<string, Check>>;
  /** GET /metrics and every request by route (createSimulatorMetrics). @default none */
  readonly metrics?: SimulatorMetrics | undefined;
  /** A SERVER span per request, continuing the adapter's traceparent. @default undefined: off, no wrapper */
  readonly tracing?: Tracing | undefined;
}

export interface RunningSimulator {
  /** Base URL, e.g. http://127.0.0.1:9091. */
  readonly url: string;
  readonly port: number;
  /** Answers a request in process (no network), as the server would. */
  fetch(request: Request): Promise<Response>;
  close(): Promise<void>;
}

export async function startSimulatorServer<F extends BaseFault>(options: SimulatorServerOptions<F>): Promise<RunningSimulator> {
  const stopping = new AbortController();
  const { testControl, logger } = options;
  const respond = async (request: Request): Promise<Response> => {
    const health = await healthResponse(request, { ...options.ready });
    if (health !== undefined) return health;
    if (testControl !== undefined) {
      const control = await controlResponse(request, testControl);
      if (control !== undefined) return control;
    }
    try {
      return await options.handler(request, stopping.signal);
    } catch (error) {
      logger.error({ err: error }, `${options.name} failed to answer`);
      return new Response("Internal Server Error", { status: 500, headers: { "content-type": "text/plain" } });
    }
  };
  const answer = options.metrics === undefined ? respond : options.metrics.http.fetch(respond);
  const adapter = createServerAdapter((request: Request) => answer(request));
  const http = await listen(options.tracing === undefined ? adapter : traceNodeRequests(adapter, options.tracing), options.port, options.host);
  return {
    url: http.url,
    port: http.port,
    fetch: answer,
    async close() {
      stopping.abort();
      await http.close();
    },
  };
}

async function controlResponse<F extends BaseFault>(request: Request, control: TestControl<F>): Promise<Response | undefined> {
  const { pathname } = new URL(request.url);
  if (pathname === "/__test/faults") {
    if (request.method === "DELETE") {
      control.faults.clear();
      return new Response(null, { status: 204 });
    }
    if (request.method === "POST") {
      let body: unknown;
      try {
        body = await request.json();
      } catch {
        return Response.json({ error: "body is not JSON" }, { status: 400 });
      }
      const fault = control.parseFault(body);
      if (typeof fault === "string") return Response.json({ error: fault }, { status: 400 });
      control.faults.inject(fault);
      return Response.json({ active: control.faults.active() }, { status: 201 });
    }
    if (request.method === "GET") return Response.json({ active: control.faults.active() });
    return new Response(null, { status: 405, headers: { allow: "GET, POST, DELETE" } });
  }
  if (pathname === "/__test/stats") {
    if (request.method === "GET") return Response.json(control.stats.snapshot());
    if (request.method === "DELETE") {
      control.stats.reset();
      return new Response(null, { status: 204 });
    }
    return new Response(null, { status: 405, headers: { allow: "GET, DELETE" } });
  }
  return undefined;
}
