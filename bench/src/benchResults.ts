/** What a bench run records (bench/results/latest.json): the shape shared by the runner, the report and the median. */
import type { MicroResult } from "./micro.ts";
import type { Target } from "./scenarios.ts";

export interface ScenarioResult {
  readonly scenario: string;
  readonly target: Target;
  readonly rps: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly errors: number;
  /** Peak RSS (VmHWM, reset before the run) of the process that served it: the gateway, or the registry for `direct`. */
  readonly rssMb: number;
  readonly connections: number;
  /** Good responses in the measured window. */
  readonly requests: number;
  /**
   * CPU time per good response over the measured window (user + system, all threads, each part's process tree): of
   * the serving process, of every part the bench started (the serving gateway, subgraphs, adapters, simulators,
   * identity provider, exchange, time-stamping authority, consent engine; not the load generator, not the gateways
   * idle meanwhile), and `parts`: each of them by name ("gateway" is the serving gateway).
   */
  readonly cpuMsPerRequest: { serving: number; allParts: number; parts?: Record<string, number> };
  /** Calls each legacy simulator served per good response in the window (by simulator: "dmt-legacy", "drp-legacy"). */
  readonly legacyCallsPerRequest?: Record<string, number>;
  /** When measured in interleaved rounds: each round's throughput (`rps` is their mean). */
  readonly roundsRps?: readonly number[];
}

/** The latency view: a target under a fixed offered load (openLoop.ts), latency from each request's scheduled time. */
export interface LatencyResult {
  readonly scenario: string;
  readonly target: Target;
  readonly ratePerSecond: number;
  readonly scheduled: number;
  readonly completed: number;
  readonly errors: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly maxMs: number;
  readonly worstSendLagMs: number;
}

export interface Ratios {
  readonly ndxOverPlain: number | null;
  readonly ndxOverHive: number | null;
  /** NDX over Hive Gateway with the Rust query planner. */
  readonly ndxOverHiveRust?: number | null;
  /** NDX over Hive Router (Rust), when its binary was there. */
  readonly ndxOverHiveRouter?: number | null;
}

/** One of issue 20's targets, evaluated on a run (targets.ts). */
export interface TargetCheck {
  readonly id: string;
  readonly title: string;
  /** `value op bound`, e.g. `>=` 0.95; "info" for a figure reported against no bound. */
  readonly op: ">=" | "<=" | "info";
  readonly bound: number;
  readonly unit: string;
  /** null when the run did not measure it. */
  readonly value: number | null;
  /** null when not measured, or for "info". */
  readonly met: boolean | null;
}

export interface BenchResults {
  readonly date: string;
  readonly commit: string;
  readonly machine: {
    cores: number;
    cpu: string;
    memoryGb: number;
    os: string;
    node: string;
    /** 1-minute load average before and after: other work on the machine shows here. */
    loadAverage: { atStart: number; atEnd: number };
    /** Idle share of the cores just before the first target, and how long the bench waited for it (quiet.ts). */
    idleBefore?: { share: number; waitedSeconds: number };
  };
  readonly settings: {
    connections: number;
    /** Connections of the list scenario. */
    connectionsList: number;
    warmupSeconds: number;
    durationSeconds: number;
    loadGenerator: string;
    /** Where the NDX gateway's audit trail was stored. */
    auditStore?: string;
    /** The adapters' cache of legacy answers: "default" (as configured) or "off" (--adapter-cache off). */
    adapterCache?: string;
    /** The latency view's offered load, req/s. */
    latencyRate?: number;
    versions: Record<string, string>;
    /** The policy bundle's revision. */
    policyRevision: string;
    /** The bench exchange's register revision the NDX gateway answered by (its consumers, grants, bulk access). */
    registerRevision: number;
  };
  readonly scenarios: readonly ScenarioResult[];
  /** The latency view (fixed offered load), when run. */
  readonly latency?: readonly LatencyResult[];
  /** From the single-person scenario. */
  readonly ratios: Ratios;
  readonly ratiosByScenario: Record<string, Ratios & { plainOverDirect: number | null }>;
  /**
   * The same ratios estimated from the CPU time all parts spend per request (inverse ratio): what the throughput
   * ratio would be with nothing else running, all parts sharing the cores. Steadier than `ratios` on a busy machine.
   */
  readonly ratiosFromCpu: Record<string, Ratios>;
  readonly plugin: MicroResult;
  /** Every target of issue 20, evaluated on this run. */
  readonly targets?: readonly TargetCheck[];
  readonly seconds: number;
}
