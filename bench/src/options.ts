/**
 * The bench's options, from its command line or BENCH_* variables (read once, here), as one typed object.
 *
 *   --connections 16 (the list scenario uses a quarter: each request fans out into 50 SOAP calls), --duration 10,
 *   --warmup 3, --rounds 3 (interleaved rounds of the gateways in the single-person scenario), --rate 100 (the
 *   latency view's offered load, req/s; 0: no latency view), --runs 1 (whole runs; more: their median and spread),
 *   --audit-database-url postgres://… (the NDX gateway's audit on PostgreSQL, as in production), --adapter-cache
 *   default|off, --hive-router-bin <path> (or HIVE_ROUTER_BIN; else hive_router / hive-router on PATH),
 *   --scenario person|people (print only), --profile, --perf (plain and NDX under Linux perf: CPU by thread and by
 *   piece of NDX code, bench/profiles/perf.md), --no-save, --keep, --serve, --verbose, --out <file> (also write
 *   the results JSON there).
 */
import { parseArgs } from "node:util";

export interface BenchOptions {
  /** @default 16 */
  readonly connections: number;
  /** @default 10 */
  readonly durationSeconds: number;
  /** @default 3 */
  readonly warmupSeconds: number;
  /** @default 3 */
  readonly rounds: number;
  /** @default 1 */
  readonly runs: number;
  /** The latency view's offered load, req/s; 0 leaves it out. @default 100 */
  readonly rate: number;
  readonly scenario: string | undefined;
  /** @default false */
  readonly profile: boolean;
  /** The plain and NDX gateways again under Linux perf (perfProfiling.ts). @default false */
  readonly perf: boolean;
  /** @default false */
  readonly noSave: boolean;
  /** @default false */
  readonly keep: boolean;
  /** @default false */
  readonly verbose: boolean;
  /** @default false */
  readonly serve: boolean;
  readonly auditDatabaseUrl: string | undefined;
  /** "default": the adapters' cache of legacy answers as configured; "off": its TTL 0 (adapterCache.ts). @default "default" */
  readonly adapterCache: "default" | "off";
  /** Hive Router's binary, when given. */
  readonly hiveRouterBin: string | undefined;
  /** PATH, where Hive Router's binary is looked for when none is given. */
  readonly searchPath: string | undefined;
  /** Also write the results JSON here (the median runner reads it). */
  readonly out: string | undefined;
}

/** The options of `argv`; throws with a message naming the bad one. */
export function parseOptions(argv: readonly string[], env: Readonly<Record<string, string | undefined>>): BenchOptions {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      connections: { type: "string", default: env["BENCH_CONNECTIONS"] ?? "16" },
      duration: { type: "string", default: env["BENCH_DURATION"] ?? "10" },
      warmup: { type: "string", default: env["BENCH_WARMUP"] ?? "3" },
      rounds: { type: "string", default: env["BENCH_ROUNDS"] ?? "3" },
      runs: { type: "string", default: env["BENCH_RUNS"] ?? "1" },
      rate: { type: "string", default: env["BENCH_RATE"] ?? "100" },
      scenario: { type: "string" },
      profile: { type: "boolean", default: env["BENCH_PROFILE"] === "1" },
      perf: { type: "boolean", default: env["BENCH_PERF"] === "1" },
      "no-save": { type: "boolean", default: false },
      keep: { type: "boolean", default: false },
      verbose: { type: "boolean", default: false },
      serve: { type: "boolean", default: false },
      "audit-database-url": { type: "string", default: env["BENCH_AUDIT_DATABASE_URL"] },
      "adapter-cache": { type: "string", default: env["BENCH_ADAPTER_CACHE"] ?? "default" },
      "hive-router-bin": { type: "string", default: env["HIVE_ROUTER_BIN"] },
      out: { type: "string" },
    },
  });
  const int = (name: string, text: string, min: number): number => {
    const value = Number(text);
    if (!Number.isInteger(value) || value < min) throw new Error(`--${name} must be an integer ≥ ${min} (got ${text})`);
    return value;
  };
  const adapterCache = values["adapter-cache"];
  if (adapterCache !== "default" && adapterCache !== "off") throw new Error(`--adapter-cache must be default or off (got ${adapterCache})`);
  if (values.scenario !== undefined && values.scenario !== "person" && values.scenario !== "people") {
    throw new Error(`no scenario ${values.scenario}: person or people`);
  }
  return {
    connections: int("connections", values.connections, 1),
    durationSeconds: int("duration", values.duration, 1),
    warmupSeconds: int("warmup", values.warmup, 0),
    rounds: int("rounds", values.rounds, 1),
    runs: int("runs", values.runs, 1),
    rate: int("rate", values.rate, 0),
    scenario: values.scenario,
    profile: values.profile,
    perf: values.perf,
    noSave: values["no-save"],
    keep: values.keep,
    verbose: values.verbose,
    serve: values.serve,
    auditDatabaseUrl: values["audit-database-url"],
    adapterCache,
    hiveRouterBin: values["hive-router-bin"],
    searchPath: env["PATH"],
    out: values.out,
  };
}

/** The list scenario's connections: a quarter, since each of its requests fans out. */
export function listConnections(connections: number): number {
  return Math.max(1, Math.round(connections / 4));
}
