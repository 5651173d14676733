import { request as httpRequest } from "node:http";
import { Writable } from "node:stream";
import { afterAll, describe, expect, it } from "vitest";
import { context, trace } from "@opentelemetry/api";
import { pino } from "pino";
import { ConfigError, loadConfig } from "../src/config.ts";
import { activeTraceFields, activeTraceId, createMemorySpanExporter, SpanKind, startTracing, tracingSummary, type Tracing } from "../src/tracing.ts";
import { routeTemplate, traceNodeRequests } from "../src/tracedServers.ts";
import { tracingConfigSpec, tracingOptionsFrom } from "../src/tracingConfig.ts";
import { listen } from "../src/service.ts";

const optionsOf = (env: Record<string, string>) => tracingOptionsFrom(loadConfig(tracingConfigSpec, env), "gateway");

function problemsOf(env: Record<string, string>): readonly string[] {
  try {
    loadConfig(tracingConfigSpec, env);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  return [];
}

describe("tracing configuration from the OTEL_* variables", () => {
  it("is off by default", () => {
    expect(optionsOf({})).toBeUndefined();
  });

  it("exports over OTLP to <endpoint>/v1/traces once an endpoint is set, with the part's service name", () => {
    expect(optionsOf({ OTEL_EXPORTER_OTLP_ENDPOINT: "http://collector:4318/" })).toEqual({
      serviceName: "ndx-gateway",
      sampler: "parentbased_always_on",
      samplerRatio: 1,
      resourceAttributes: {},
      exporter: { kind: "otlp", url: "http://collector:4318/v1/traces", headers: {}, timeoutMs: 10_000 },
    });
  });

  it("takes the traces endpoint as it is, over the base endpoint", () => {
    const options = optionsOf({
      OTEL_EXPORTER_OTLP_ENDPOINT: "http://collector:4318",
      OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: "https://traces.example/otlp/spans",
    });
    expect(options?.exporter).toMatchObject({ kind: "otlp", url: "https://traces.example/otlp/spans" });
  });

  it("defaults to a local collector when only OTEL_TRACES_EXPORTER=otlp is set", () => {
    expect(optionsOf({ OTEL_TRACES_EXPORTER: "otlp" })?.exporter).toMatchObject({ url: "http://localhost:4318/v1/traces" });
  });

  it("stays off with OTEL_TRACES_EXPORTER=none or OTEL_SDK_DISABLED=true, whatever else is set", () => {
    expect(optionsOf({ OTEL_TRACES_EXPORTER: "none", OTEL_EXPORTER_OTLP_ENDPOINT: "http://collector:4318" })).toBeUndefined();
    expect(optionsOf({ OTEL_SDK_DISABLED: "true", OTEL_TRACES_EXPORTER: "otlp" })).toBeUndefined();
  });

  it("reads the service name, sampler, headers, resource attributes and timeouts", () => {
    const options = optionsOf({
      OTEL_TRACES_EXPORTER: "otlp",
      OTEL_SERVICE_NAME: "ndx-gateway-eu",
      OTEL_TRACES_SAMPLER: "parentbased_traceidratio",
      OTEL_TRACES_SAMPLER_ARG: "0.25",
      OTEL_EXPORTER_OTLP_HEADERS: "x-api-key=abc%3D%3D, broken-entry ,x-tenant=ndx",
      OTEL_EXPORTER_OTLP_TRACES_HEADERS: "x-tenant=traces",
      OTEL_RESOURCE_ATTRIBUTES: "deployment.environment.name=staging",
      OTEL_EXPORTER_OTLP_TIMEOUT: "5000",
      OTEL_EXPORTER_OTLP_TRACES_TIMEOUT: "2000",
    });
    expect(options).toEqual({
      serviceName: "ndx-gateway-eu",
      sampler: "parentbased_traceidratio",
      samplerRatio: 0.25,
      resourceAttributes: { "deployment.environment.name": "staging" },
      exporter: {
        kind: "otlp",
        url: "http://localhost:4318/v1/traces",
        headers: { "x-api-key": "abc==", "x-tenant": "traces" },
        timeoutMs: 2000,
      },
    });
    expect(optionsOf({ OTEL_TRACES_EXPORTER: "console" })?.exporter).toEqual({ kind: "console" });
  });

  it("names every bad variable, and says which protocols are spoken", () => {
    const problems = problemsOf({
      OTEL_TRACES_EXPORTER: "zipkin",
      OTEL_EXPORTER_OTLP_ENDPOINT: "ftp://collector",
      OTEL_EXPORTER_OTLP_PROTOCOL: "grpc",
      OTEL_TRACES_SAMPLER: "sometimes",
      OTEL_TRACES_SAMPLER_ARG: "2",
      OTEL_EXPORTER_OTLP_TIMEOUT: "soon",
    });
    expect(problems.map((p) => p.split("=")[0])).toEqual([
      "OTEL_TRACES_EXPORTER",
      "OTEL_EXPORTER_OTLP_ENDPOINT",
      "OTEL_EXPORTER_OTLP_PROTOCOL",
      "OTEL_EXPORTER_OTLP_TIMEOUT",
      "OTEL_TRACES_SAMPLER",
      "OTEL_TRACES_SAMPLER_ARG",
    ]);
    expect(problems.find((p) => p.startsWith("OTEL_EXPORTER_OTLP_PROTOCOL"))).toMatch(/grpc is not supported here; use http\/protobuf/);
  });

  it("never repeats collector headers in an error or the start-up summary (they hold credentials)", () => {
    expect(problemsOf({ OTEL_EXPORTER_OTLP_HEADERS: "authorization=Bearer%zz-secret,=x" })).toEqual([]);
    const options = optionsOf({ OTEL_EXPORTER_OTLP_ENDPOINT: "https://user:pw@collector:4318", OTEL_EXPORTER_OTLP_HEADERS: "x-api-key=s3cret" });
    const summary = tracingSummary(options);
    expect(summary).toBe("ndx-gateway → otlp https://collector:4318/v1/traces, sampler parentbased_always_on");
    expect(tracingSummary(undefined)).toBe("off");
  });
});

describe("spans and log lines", () => {
  const exporter = createMemorySpanExporter();
  const tracing: Tracing = startTracing({ serviceName: "test-service", exporter: { kind: "memory", exporter } });
  afterAll(() => tracing.shutdown());

  it("reduces paths to templates without identifiers", () => {
    expect(routeTemplate("/api/v1/persons/199012345678")).toBe("/api/v1/persons/{id}");
    expect(routeTemplate("/api/v1/persons/batch-lookup")).toBe("/api/v1/persons/batch-lookup");
    expect(routeTemplate("/consent/7b0c2a4e-93f1-4f7e-b3c5-8f1f0f1d2e3a")).toBe("/consent/{id}");
    expect(routeTemplate("/interaction/xHfKpQzTrWbLmNcVd_sAe")).toBe("/interaction/{id}");
    expect(routeTemplate("/.well-known/openid-configuration")).toBe("/.well-known/openid-configuration");
    expect(routeTemplate("/graphql")).toBe("/graphql");
  });

  it("continues the caller's traceparent in a SERVER span that is active in the handler, and probes get none", async () => {
    exporter.reset();
    let seen: string | undefined;
    const http = await listen(
      traceNodeRequests((req, res) => {
        if (req.url === "/health") return void res.writeHead(200).end("ok");
        seen = activeTraceId();
        const call = tracing.startClientSpan("GET", {});
        call.end({ status: 200 });
        res.writeHead(200).end("ok");
      }, tracing),
      0,
    );
    const get = (path: string, headers: Record<string, string> = {}) =>
      new Promise<number>((resolve, reject) => {
        httpRequest(`${http.url}${path}`, { headers }, (res) => {
          res.resume();
          res.on("end", () => resolve(res.statusCode ?? 0));
        })
          .on("error", reject)
          .end();
      });
    const traceId = "4bf92f3577b34da6a3ce929d0e0e4736";
    expect(await get("/api/v1/persons/199012345678?x=1", { traceparent: `00-${traceId}-00f067aa0ba902b7-01` })).toBe(200);
    expect(await get("/health")).toBe(200);
    await http.close();
    await tracing.flush();

    expect(seen).toBe(traceId);
    const spans = exporter.getFinishedSpans();
    const server = spans.find((s) => s.kind === SpanKind.SERVER);
    const client = spans.find((s) => s.kind === SpanKind.CLIENT);
    expect(spans).toHaveLength(2);
    expect(server?.name).toBe("GET /api/v1/persons/{id}");
    expect(server?.spanContext().traceId).toBe(traceId);
    expect(server?.parentSpanContext?.spanId).toBe("00f067aa0ba902b7");
    expect(server?.attributes).toMatchObject({ "http.request.method": "GET", "http.response.status_code": 200 });
    expect(JSON.stringify(server?.attributes)).not.toContain("199012345678");
    expect(client?.parentSpanContext?.spanId).toBe(server?.spanContext().spanId);
    expect(server?.resource.attributes["service.name"]).toBe("test-service");
  });

  it("puts the active trace and span ids in every log line, the line's own fields first", async () => {
    const lines: Record<string, unknown>[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(JSON.parse(chunk.toString()) as Record<string, unknown>);
        done();
      },
    });
    const log = pino({ mixin: activeTraceFields }, sink);
    const span = tracing.tracer.startSpan("work");
    await context.with(trace.setSpan(context.active(), span), async () => {
      await new Promise((resolve) => setTimeout(resolve, 1));
      log.info("inside");
      log.info({ traceId: "given" }, "explicit");
    });
    span.end();
    log.info("outside");
    expect(lines[0]).toMatchObject({ traceId: span.spanContext().traceId, spanId: span.spanContext().spanId, msg: "inside" });
    expect(lines[1]).toMatchObject({ traceId: "given", spanId: span.spanContext().spanId });
    expect(lines[2]?.["traceId"]).toBeUndefined();
  });
});
