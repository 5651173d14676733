/**
 * OpenTelemetry tracing for one service: its own tracer provider (resource `service.name`, sampler, exporter), the
 * W3C Trace Context propagator, and the AsyncLocalStorage context manager that keeps a request's span active across
 * its awaits. Off by default: a service whose configuration says no tracing never calls `startTracing`, registers
 * no plugin or wrapper, and pays nothing per request.
 *
 * Each service gets a provider of its own rather than the global one, so several services in one process (the
 * tests) keep their own `service.name`. Only the context manager is process-wide, as it has to be.
 */
import {
  context,
  defaultTextMapGetter,
  defaultTextMapSetter,
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  trace,
  type Attributes,
  type Context,
  type Span,
  type TextMapGetter,
  type Tracer,
} from "@opentelemetry/api";
import { AsyncLocalStorageContextManager } from "@opentelemetry/context-async-hooks";
import { W3CTraceContextPropagator } from "@opentelemetry/core";
import { OTLPTraceExporter } from "@opentelemetry/exporter-trace-otlp-proto";
import { defaultResource, resourceFromAttributes } from "@opentelemetry/resources";
import {
  AlwaysOffSampler,
  AlwaysOnSampler,
  BatchSpanProcessor,
  ConsoleSpanExporter,
  InMemorySpanExporter,
  ParentBasedSampler,
  SimpleSpanProcessor,
  TraceIdRatioBasedSampler,
  TracerProvider,
  type ReadableSpan,
  type Sampler,
  type SpanProcessor,
} from "@opentelemetry/sdk-trace";

export { InMemorySpanExporter, SpanKind, SpanStatusCode, type ReadableSpan, type Span };

export type TracingSamplerName =
  | "always_on"
  | "always_off"
  | "traceidratio"
  | "parentbased_always_on"
  | "parentbased_always_off"
  | "parentbased_traceidratio";

export type TracingExporter =
  /** OTLP over HTTP with protobuf, batched. */
  | {
      readonly kind: "otlp";
      /** The full URL spans are posted to, e.g. http://collector:4318/v1/traces. */
      readonly url: string;
      /** Headers for the collector (credentials: never logged). @default {} */
      readonly headers?: Readonly<Record<string, string>>;
      /** @default 10000 */
      readonly timeoutMs?: number;
    }
  /** Each span printed to stdout when it ends (debugging). */
  | { readonly kind: "console" }
  /** Tests: each span handed to this exporter as it ends (a SimpleSpanProcessor), read back with getFinishedSpans(). */
  | { readonly kind: "memory"; readonly exporter: InMemorySpanExporter };

export interface TracingOptions {
  /** The `service.name` resource attribute. */
  readonly serviceName: string;
  readonly exporter: TracingExporter;
  /** @default "parentbased_always_on" */
  readonly sampler?: TracingSamplerName;
  /** The ratio of the traceidratio samplers, 0 to 1. @default 1 */
  readonly samplerRatio?: number;
  /** More resource attributes. @default {} */
  readonly resourceAttributes?: Readonly<Record<string, string>>;
}

export interface ClientSpan {
  /** Headers to send with the call: `traceparent` (and `tracestate` when there is one). */
  readonly headers: Readonly<Record<string, string>>;
  /** Ends the span with the answer's HTTP status (5xx marks an error), or with the failure. */
  end(outcome: { readonly status?: number | undefined; readonly error?: unknown }): void;
}

export interface Tracing {
  readonly serviceName: string;
  readonly tracer: Tracer;
  /** The context a request's `traceparent` (from any header carrier) continues; the root context when it has none. */
  extract<C>(carrier: C, getter?: TextMapGetter<C>): Context;
  /**
   * A CLIENT span, child of the active span, for an outgoing HTTP call. `name` follows the OpenTelemetry HTTP
   * convention (the method, or the method and a route template); attributes must never carry personal values.
   */
  startClientSpan(name: string, attributes: Attributes): ClientSpan;
  /** Exports what is buffered. */
  flush(): Promise<void>;
  /** Exports what is buffered and stops. */
  shutdown(): Promise<void>;
}

const propagator = new W3CTraceContextPropagator();

/** Fetch `Headers` as a propagation carrier. */
export const fetchHeadersGetter: TextMapGetter<Headers> = {
  get: (headers, key) => headers.get(key) ?? undefined,
  keys: (headers) => [...headers.keys()],
};

let contextManagerReady = false;

/** The AsyncLocalStorage context manager, registered once per process. */
function ensureContextManager(): void {
  if (contextManagerReady) return;
  contextManagerReady = true;
  // false when another one is registered already (by whoever embeds NDX): that one carries the context then.
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
}

function sampler(name: TracingSamplerName, ratio: number): Sampler {
  switch (name) {
    case "always_on":
      return new AlwaysOnSampler();
    case "always_off":
      return new AlwaysOffSampler();
    case "traceidratio":
      return new TraceIdRatioBasedSampler(ratio);
    case "parentbased_always_on":
      return new ParentBasedSampler({ root: new AlwaysOnSampler() });
    case "parentbased_always_off":
      return new ParentBasedSampler({ root: new AlwaysOffSampler() });
    case "parentbased_traceidratio":
      return new ParentBasedSampler({ root: new TraceIdRatioBasedSampler(ratio) });
  }
}

function processor(exporter: TracingExporter): SpanProcessor {
  switch (exporter.kind) {
    case "otlp":
      return new BatchSpanProcessor({
        exporter: new OTLPTraceExporter({
          url: exporter.url,
          headers: { ...exporter.headers },
          timeoutMillis: exporter.timeoutMs ?? 10_000,
        }),
      });
    case "console":
      return new SimpleSpanProcessor({ exporter: new ConsoleSpanExporter() });
    case "memory":
      return new SimpleSpanProcessor({ exporter: exporter.exporter });
  }
}

/** Sets up tracing for one service. Call once at start-up, and only when tracing is on. */
export function startTracing(options: TracingOptions): Tracing {
  ensureContextManager();
  const provider = new TracerProvider({
    resource: defaultResource().merge(resourceFromAttributes({ ...options.resourceAttributes, "service.name": options.serviceName })),
    sampler: sampler(options.sampler ?? "parentbased_always_on", options.samplerRatio ?? 1),
    spanProcessors: [processor(options.exporter)],
  });
  const tracer = provider.getTracer("@ndx/platform");
  return {
    serviceName: options.serviceName,
    tracer,
    extract<C>(carrier: C, getter: TextMapGetter<C> = defaultTextMapGetter as TextMapGetter<C>): Context {
      return propagator.extract(ROOT_CONTEXT, carrier, getter);
    },
    startClientSpan(name, attributes) {
      const span = tracer.startSpan(name, { kind: SpanKind.CLIENT, attributes });
      const headers: Record<string, string> = {};
      propagator.inject(trace.setSpan(context.active(), span), headers, defaultTextMapSetter);
      return {
        headers,
        end({ status, error }) {
          if (status !== undefined) span.setAttribute("http.response.status_code", status);
          if (error !== undefined) {
            span.setAttribute("error.type", errorType(error));
            span.setStatus({ code: SpanStatusCode.ERROR });
          } else if (status !== undefined && status >= 400) {
            // A client span fails on 4xx too (OpenTelemetry HTTP conventions).
            span.setAttribute("error.type", String(status));
            span.setStatus({ code: SpanStatusCode.ERROR });
          }
          span.end();
        },
      };
    },
    flush: () => provider.forceFlush(),
    shutdown: () => provider.shutdown(),
  };
}

/** A low-cardinality name for a failure, never its message (which may quote an upstream's body). */
export function errorType(error: unknown): string {
  if (error instanceof Error) {
    const code = (error as Error & { code?: unknown }).code;
    return typeof code === "string" ? code : error.name;
  }
  return "unknown";
}

/** The trace id of the span active here, if any (tracing on and inside a request). */
export function activeTraceId(): string | undefined {
  return activeTraceFields().traceId;
}

/** Fields for a log line: the active span's trace and span ids (the logger's mixin). */
export function activeTraceFields(): { traceId?: string; spanId?: string } {
  const span = trace.getSpan(context.active());
  if (span === undefined) return {};
  const sc = span.spanContext();
  return trace.isSpanContextValid(sc) ? { traceId: sc.traceId, spanId: sc.spanId } : {};
}

/** A fresh in-memory exporter for tests (see TracingExporter "memory"). */
export function createMemorySpanExporter(): InMemorySpanExporter {
  return new InMemorySpanExporter();
}

/** What a start-up log line says about tracing: "off", or the service name and where spans go (never headers). */
export function tracingSummary(options: TracingOptions | undefined): string {
  if (options === undefined) return "off";
  const where = options.exporter.kind === "otlp" ? `otlp ${withoutSecrets(options.exporter.url)}` : options.exporter.kind;
  return `${options.serviceName} → ${where}, sampler ${options.sampler ?? "parentbased_always_on"}`;
}

function withoutSecrets(url: string): string {
  const u = new URL(url);
  return `${u.protocol}//${u.host}${u.pathname}`;
}
