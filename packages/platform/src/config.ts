/**
 * Typed configuration from environment variables. Each service declares a spec once, in its own `config.ts`;
 * `loadConfig` reads the environment once at start-up and either returns a typed object or throws a
 * `ConfigError` that names every bad variable. Nothing else in NDX reads `process.env`.
 */

export interface Setting<T> {
  /**
   * Parses the raw value (undefined when unset). Throws an Error whose message says what is expected. `source` is the
   * whole environment (empty values as unset), for the rare setting that another variable bears on (NDX_ENV: NODE_ENV).
   */
  parse(raw: string | undefined, source?: Readonly<Record<string, string | undefined>>): T;
  /** Human description, used in error messages and docs. */
  readonly describe: string;
}

export type ConfigSpec<T> = { readonly [K in keyof T]: Setting<T[K]> };

export class ConfigError extends Error {
  readonly problems: readonly string[];
  constructor(problems: readonly string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
    this.name = "ConfigError";
    this.problems = problems;
  }
}

export function loadConfig<T>(spec: ConfigSpec<T>, source: Readonly<Record<string, string | undefined>>): T {
  const problems: string[] = [];
  const out: Partial<T> = {};
  for (const name of Object.keys(spec) as (keyof T & string)[]) {
    const setting = spec[name];
    const raw = source[name];
    try {
      out[name] = setting.parse(raw === "" ? undefined : raw, source);
    } catch (error) {
      const why = error instanceof Error ? error.message : String(error);
      problems.push(`${name}=${JSON.stringify(raw ?? "")}: ${why} (expected ${setting.describe})`);
    }
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return out as T;
}

function required<T>(raw: string | undefined, fallback: T | undefined, parse: (raw: string) => T): T {
  if (raw === undefined) {
    if (fallback === undefined) throw new Error("is required");
    return fallback;
  }
  return parse(raw);
}

export const setting = {
  string(fallback?: string): Setting<string> {
    return { describe: "a string", parse: (raw) => required(raw, fallback, (v) => v) };
  },
  optionalString(): Setting<string | undefined> {
    return { describe: "a string, or unset", parse: (raw) => raw };
  },
  int(fallback: number | undefined, range: { min?: number; max?: number } = {}): Setting<number> {
    const { min = Number.MIN_SAFE_INTEGER, max = Number.MAX_SAFE_INTEGER } = range;
    return {
      describe: `an integer from ${min} to ${max}`,
      parse: (raw) =>
        required(raw, fallback, (v) => {
          if (!/^-?\d+$/.test(v)) throw new Error("is not an integer");
          const n = Number(v);
          if (n < min || n > max) throw new Error("is out of range");
          return n;
        }),
    };
  },
  port(fallback: number): Setting<number> {
    return { ...setting.int(fallback, { min: 0, max: 65535 }), describe: "a TCP port, 0 to 65535" };
  },
  url(fallback?: string): Setting<string> {
    return {
      describe: "an absolute http(s) or postgres URL",
      parse: (raw) => required(raw, fallback, parseUrl),
    };
  },
  optionalUrl(): Setting<string | undefined> {
    return {
      describe: "an absolute http(s) or postgres URL, or unset",
      parse: (raw) => (raw === undefined ? undefined : parseUrl(raw)),
    };
  },
  oneOf<const V extends string>(values: readonly V[], fallback: V): Setting<V> {
    return {
      describe: `one of ${values.join(", ")}`,
      parse: (raw) =>
        required(raw, fallback, (v) => {
          if (!(values as readonly string[]).includes(v)) throw new Error("is not an allowed value");
          return v as V;
        }),
    };
  },
  optionalBool(): Setting<boolean | undefined> {
    return { describe: "true or false, or unset", parse: (raw) => (raw === undefined ? undefined : setting.bool(false).parse(raw)) };
  },
  bool(fallback: boolean): Setting<boolean> {
    return {
      describe: "true or false",
      parse: (raw) =>
        required(raw, fallback, (v) => {
          if (v === "true" || v === "1") return true;
          if (v === "false" || v === "0") return false;
          throw new Error("is not a boolean");
        }),
    };
  },
} as const;

function parseUrl(raw: string): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new Error("is not a URL");
  }
  if (!["http:", "https:", "postgres:", "postgresql:"].includes(url.protocol)) {
    throw new Error(`has unsupported scheme ${url.protocol}`);
  }
  return raw;
}

export type Environment = "development" | "test" | "production";

/**
 * NDX_ENV: development allows the documented development secrets; test and production require real ones.
 * Operators set NODE_ENV, so NODE_ENV=production alone means production; NODE_ENV=production with another NDX_ENV,
 * or NODE_ENV=development with NDX_ENV=production, is refused (ConfigError) rather than guessed. Other NODE_ENV values
 * (a test runner's `test`) leave NDX_ENV to decide.
 */
export const environmentSetting = (): Setting<Environment> => {
  const named = setting.oneOf(["development", "test", "production"] as const, "development");
  return {
    describe: `${named.describe}; NODE_ENV=production alone means production`,
    parse(raw, source) {
      const ndx = raw === undefined ? undefined : named.parse(raw);
      const node = source?.["NODE_ENV"] === "" ? undefined : source?.["NODE_ENV"];
      if (node === "production" && ndx === undefined) return "production";
      if ((node === "production" && ndx !== "production") || (node === "development" && ndx === "production")) {
        throw new Error(`disagrees with NODE_ENV=${node}: set both to the same environment, or leave NDX_ENV unset`);
      }
      return ndx ?? "development";
    },
  };
};

/**
 * Secrets: in development an unset secret takes its documented development value; elsewhere each must be set to a
 * real secret (never the development value, at least 24 characters). Every problem is reported at once.
 */
export function resolveSecrets<K extends string>(
  environment: Environment,
  given: Readonly<Record<K, string | undefined>>,
  developmentValues: Readonly<Record<K, string>>,
): Record<K, string> {
  const problems: string[] = [];
  const out = {} as Record<K, string>;
  for (const name of Object.keys(developmentValues) as K[]) {
    const value = given[name];
    const dev = developmentValues[name];
    if (environment === "development") {
      out[name] = value ?? dev;
    } else if (value === undefined || value === dev || value.length < 24) {
      problems.push(`${name}: must be set to a real secret of at least 24 characters when NDX_ENV=${environment}`);
    } else {
      out[name] = value;
    }
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return out;
}
