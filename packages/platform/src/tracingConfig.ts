/**
 * The standard OpenTelemetry environment variables, read by each service's own config module with `loadConfig`, and
 * turned into `TracingOptions` (or `undefined`: tracing off, the default). Tracing is on when
 * `OTEL_TRACES_EXPORTER` names an exporter, or when an OTLP endpoint is set and `OTEL_TRACES_EXPORTER` does not say
 * `none`; `OTEL_SDK_DISABLED=true` turns it off whatever else is set. Only OTLP over HTTP with protobuf is spoken.
 */
import { setting, type Setting } from "./config.ts";
import type { TracingOptions, TracingSamplerName } from "./tracing.ts";

const samplers = [
  "always_on",
  "always_off",
  "traceidratio",
  "parentbased_always_on",
  "parentbased_always_off",
  "parentbased_traceidratio",
] as const satisfies readonly TracingSamplerName[];

function optionalOneOf<const V extends string>(values: readonly V[], refused: Readonly<Record<string, string>> = {}): Setting<V | undefined> {
  return {
    describe: `one of ${values.join(", ")}, or unset`,
    parse: (raw) => {
      if (raw === undefined) return undefined;
      const value = raw.trim().toLowerCase();
      if ((values as readonly string[]).includes(value)) return value as V;
      throw new Error(refused[value] ?? "is not an allowed value");
    },
  };
}

/** An http(s) URL, or unset. */
function optionalHttpUrl(): Setting<string | undefined> {
  return {
    describe: "an absolute http(s) URL, or unset",
    parse: (raw) => {
      if (raw === undefined) return undefined;
      let url: URL;
      try {
        url = new URL(raw);
      } catch {
        throw new Error("is not a URL");
      }
      if (url.protocol !== "http:" && url.protocol !== "https:") throw new Error(`has unsupported scheme ${url.protocol}`);
      return raw;
    },
  };
}

/**
 * `key1=value1,key2=value2` with percent-encoded values (W3C Baggage octets), as OTEL_EXPORTER_OTLP_HEADERS and
 * OTEL_RESOURCE_ATTRIBUTES are written. Never throws: the values may be credentials, and a configuration error
 * prints the raw value. Malformed entries are dropped, as the OpenTelemetry specification asks.
 */
function keyValueList(): Setting<Readonly<Record<string, string>>> {
  return {
    describe: "key=value pairs separated by commas",
    parse: (raw) => {
      const out: Record<string, string> = {};
      for (const entry of (raw ?? "").split(",")) {
        const at = entry.indexOf("=");
        if (at <= 0) continue;
        const key = entry.slice(0, at).trim();
        let value = entry.slice(at + 1).trim();
        try {
          value = decodeURIComponent(value);
        } catch {
          continue;
        }
        if (key !== "") out[key] = value;
      }
      return out;
    },
  };
}

function ratio(): Setting<number | undefined> {
  return {
    describe: "a number from 0 to 1, or unset",
    parse: (raw) => {
      if (raw === undefined) return undefined;
      const n = Number(raw);
      if (raw.trim() === "" || !Number.isFinite(n) || n < 0 || n > 1) throw new Error("is not a number from 0 to 1");
      return n;
    },
  };
}

const protocols = ["http/protobuf"] as const;
const otherProtocols = {
  grpc: "grpc is not supported here; use http/protobuf (port 4318 on a collector)",
  "http/json": "http/json is not supported here; use http/protobuf",
};

/** Spread into a service's config spec: `{ ...tracingConfigSpec, PORT: ... }`. */
export const tracingConfigSpec = {
  /** Turns tracing off whatever else is set. @default false */
  OTEL_SDK_DISABLED: setting.bool(false),
  /** `otlp` exports spans, `console` prints them, `none` turns tracing off. @default otlp when an OTLP endpoint is set, else none */
  OTEL_TRACES_EXPORTER: optionalOneOf(["otlp", "console", "none"] as const),
  /** The collector's base URL; spans go to `<endpoint>/v1/traces`. @default unset (http://localhost:4318 when OTEL_TRACES_EXPORTER=otlp) */
  OTEL_EXPORTER_OTLP_ENDPOINT: optionalHttpUrl(),
  /** The full URL spans are posted to, instead of the one derived from OTEL_EXPORTER_OTLP_ENDPOINT. @default unset */
  OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: optionalHttpUrl(),
  /** @default "http/protobuf" (the only one spoken) */
  OTEL_EXPORTER_OTLP_PROTOCOL: optionalOneOf(protocols, otherProtocols),
  /** @default OTEL_EXPORTER_OTLP_PROTOCOL */
  OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: optionalOneOf(protocols, otherProtocols),
  /** Headers sent to the collector (e.g. its API key): `key=value,...`. @default none */
  OTEL_EXPORTER_OTLP_HEADERS: keyValueList(),
  /** Headers for trace exports only, over OTEL_EXPORTER_OTLP_HEADERS. @default none */
  OTEL_EXPORTER_OTLP_TRACES_HEADERS: keyValueList(),
  /** Export timeout in ms. @default 10000 */
  OTEL_EXPORTER_OTLP_TIMEOUT: setting.int(10_000, { min: 1, max: 600_000 }),
  /** Export timeout of traces in ms. @default OTEL_EXPORTER_OTLP_TIMEOUT */
  OTEL_EXPORTER_OTLP_TRACES_TIMEOUT: setting.int(0, { min: 0, max: 600_000 }),
  /** The `service.name` of this part's spans. @default "ndx-<part>", e.g. "ndx-gateway" */
  OTEL_SERVICE_NAME: setting.optionalString(),
  /** More resource attributes: `key=value,...` (e.g. deployment.environment.name=staging). @default none */
  OTEL_RESOURCE_ATTRIBUTES: keyValueList(),
  /** @default "parentbased_always_on" */
  OTEL_TRACES_SAMPLER: optionalOneOf(samplers),
  /** The ratio of the traceidratio samplers. @default 1 */
  OTEL_TRACES_SAMPLER_ARG: ratio(),
};

export type TracingSettings = {
  readonly [K in keyof typeof tracingConfigSpec]: ReturnType<(typeof tracingConfigSpec)[K]["parse"]>;
};

/**
 * The tracing options the settings describe, or `undefined` when tracing is off (the default). `part` names the
 * service for the default `service.name`.
 */
export function tracingOptionsFrom(settings: TracingSettings, part: string): TracingOptions | undefined {
  if (settings.OTEL_SDK_DISABLED) return undefined;
  const endpoint = settings.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT ?? tracesUrl(settings.OTEL_EXPORTER_OTLP_ENDPOINT);
  const exporter = settings.OTEL_TRACES_EXPORTER ?? (endpoint === undefined ? "none" : "otlp");
  if (exporter === "none") return undefined;
  const common = {
    serviceName: settings.OTEL_SERVICE_NAME ?? `ndx-${part}`,
    sampler: settings.OTEL_TRACES_SAMPLER ?? "parentbased_always_on",
    samplerRatio: settings.OTEL_TRACES_SAMPLER_ARG ?? 1,
    resourceAttributes: settings.OTEL_RESOURCE_ATTRIBUTES,
  } as const;
  if (exporter === "console") return { ...common, exporter: { kind: "console" } };
  return {
    ...common,
    exporter: {
      kind: "otlp",
      url: endpoint ?? "http://localhost:4318/v1/traces",
      headers: { ...settings.OTEL_EXPORTER_OTLP_HEADERS, ...settings.OTEL_EXPORTER_OTLP_TRACES_HEADERS },
      timeoutMs: settings.OTEL_EXPORTER_OTLP_TRACES_TIMEOUT || settings.OTEL_EXPORTER_OTLP_TIMEOUT,
    },
  };
}

/** `<base>/v1/traces`, as the specification derives the signal's URL from OTEL_EXPORTER_OTLP_ENDPOINT. */
function tracesUrl(base: string | undefined): string | undefined {
  if (base === undefined) return undefined;
  return `${base.replace(/\/+$/, "")}/v1/traces`;
}
