/**
 * The gateways measured on the same supergraph: plain (yoga + @apollo/gateway, no access control), NDX (everything
 * on), Hive Gateway (default planner), Hive Gateway with the Rust query planner, and Hive Router (Rust) when its
 * binary is there. Each is one process (Hive Gateway with FORK=1), so the process measured is the one serving.
 */
import { join, resolve } from "node:path";
import { freePort } from "@ndx/platform/dev";
import { writeHiveGatewayConfig, writeHiveRouterConfig, type SubgraphLocations } from "./hiveConfig.ts";
import { benchPurpose, benchSigningKeyPem } from "./ndx.ts";
import type { BenchOptions } from "./options.ts";
import type { Parts } from "./parts.ts";
import { gatewayEnv } from "./partsEnv.ts";
import { repoRoot, startNode, waitReady, type Proc } from "./procs.ts";
import type { Target } from "./scenarios.ts";

export type GatewayTarget = Exclude<Target, "direct">;

export interface Running {
  readonly target: Target;
  readonly proc: Proc;
  /** When it was started (Date.now), to leave its start-up out of a CPU profile summary. */
  readonly startedAt: number;
  readonly url: string;
  readonly headers: Record<string, string>;
}

/** What starting a gateway needs besides its target. */
export interface GatewaySetup {
  readonly parts: Parts;
  readonly options: BenchOptions;
  readonly work: string;
  /** The consumer's access token (NDX only). */
  readonly token: string;
  /** Hive Router's binary (hiveConfig.ts findHiveRouter). */
  readonly hiveRouterBin: string | undefined;
}

const supergraphFile = resolve(repoRoot, "schema/supergraph.graphql");

function subgraphEnv(parts: Parts) {
  return {
    REGISTRY_URL: `${parts.urls["registry"]}/graphql`,
    DRP_URL: `${parts.urls["drp-rest"]}/graphql`,
    DMT_URL: `${parts.urls["dmt-soap"]}/graphql`,
    // The exchange subgraph's base URL: /graphql is its subgraph, /v1/register* the register the NDX gateway follows.
    EXCHANGE_URL: parts.urls["exchange"] ?? "",
  };
}

const locationsOf = (parts: Parts): SubgraphLocations => {
  const env = subgraphEnv(parts);
  return { registry: env.REGISTRY_URL, drp: env.DRP_URL, dmt: env.DMT_URL };
};

const profileFlags = (target: string, profileDir: string | undefined) =>
  profileDir === undefined ? [] : ["--cpu-prof", `--cpu-prof-dir=${profileDir}`, `--cpu-prof-name=${target}.cpuprofile`, "--cpu-prof-interval=250"];

async function startHiveGateway(target: "hive" | "hive-rust", setup: GatewaySetup, port: number, profileDir?: string): Promise<Omit<Running, "startedAt">> {
  const config = await writeHiveGatewayConfig(setup.work, locationsOf(setup.parts), target === "hive-rust");
  const proc = startNode({
    name: target === "hive" ? "hive gateway" : "hive gateway (rust planner)",
    args: [resolve(repoRoot, "node_modules/@graphql-hive/gateway/dist/bin.js"), "supergraph", supergraphFile, "--port", String(port), "--host", "127.0.0.1", "--config-path", config],
    nodeFlags: ["--import", resolve(import.meta.dirname, "orphanGuard.ts"), ...profileFlags(target, profileDir)],
    env: { NODE_ENV: "production", LOG_LEVEL: "warn", FORK: "1" },
    echo: setup.options.verbose,
  });
  await waitReady(proc, `http://127.0.0.1:${port}/readiness`, 120_000);
  return { target, proc, url: `http://127.0.0.1:${port}/graphql`, headers: {} };
}

async function startHiveRouter(setup: GatewaySetup, port: number): Promise<Omit<Running, "startedAt">> {
  const binary = setup.hiveRouterBin;
  if (binary === undefined) throw new Error("Hive Router: no binary");
  const config = await writeHiveRouterConfig(setup.work, supergraphFile, port, locationsOf(setup.parts));
  const proc = startNode({ name: "hive router", command: binary, args: [], env: { ROUTER_CONFIG_FILE_PATH: config, LOG_LEVEL: "warn" }, echo: setup.options.verbose });
  await waitReady(proc, `http://127.0.0.1:${port}/readiness`, 120_000);
  return { target: "hive-router", proc, url: `http://127.0.0.1:${port}/graphql`, headers: {} };
}

/**
 * Starts one gateway on the bench's parts. `profileDir`: under node's CPU profiler, the profile written there;
 * `nodeFlags` (plain and NDX only): node flags of the caller's instead (perfRecord.ts's, for perf).
 */
export async function startGateway(target: GatewayTarget, setup: GatewaySetup, profileDir?: string, nodeFlags?: readonly string[]): Promise<Running> {
  const startedAt = Date.now();
  const { parts, options } = setup;
  const port = target === "ndx" ? (parts.ports.get("gateway") ?? 0) : await freePort();
  if (target === "hive" || target === "hive-rust") return { ...(await startHiveGateway(target, setup, port, profileDir)), startedAt };
  if (target === "hive-router") return { ...(await startHiveRouter(setup, port)), startedAt };
  const shared = { ...gatewayEnv(parts.secrets, benchSigningKeyPem), PORT: String(port), HOST: "127.0.0.1", ...subgraphEnv(parts) };
  const env =
    target === "plain"
      ? { ...shared, ACCESS_CONTROL: "false" }
      : {
          ...shared,
          ACCESS_CONTROL: "true",
          OIDC_ISSUER: parts.urls["identity-provider"] ?? "",
          // Tokens carry the NDX gateway's URL as audience (services.ts links it to the "gateway" port).
          OIDC_AUDIENCE: `${parts.urls["gateway"]}/graphql`,
          CONSENT_ENGINE_URL: parts.urls["consent-engine"] ?? "",
          AUDIT_TSA_URL: parts.urls["time-stamping-authority"] ?? "",
          POLICY_DIR: parts.policy.dir,
          PGLITE_DIR: join(setup.work, `gateway-${startedAt}`),
          // The rate limit still runs for every request, at a rate the load never reaches: one consumer sends all of it
          // (500/s by default, which a faster NDX passed: 429s, not a result).
          RATE_LIMIT_PER_SECOND: "1000000",
          // The production setting: the audit trail on a PostgreSQL server instead of the embedded PGlite.
          ...(options.auditDatabaseUrl === undefined ? {} : { DATABASE_URL: options.auditDatabaseUrl }),
        };
  const proc = startNode({
    name: `${target} gateway`,
    args: [resolve(repoRoot, "gateway/src/main.ts")],
    nodeFlags: nodeFlags ?? profileFlags(target, profileDir),
    env,
    echo: options.verbose,
  });
  await waitReady(proc, `http://127.0.0.1:${port}/ready`, 120_000);
  const headers: Record<string, string> = target === "ndx" ? { authorization: `Bearer ${setup.token}`, "x-purpose": benchPurpose } : {};
  return { target, proc, startedAt, url: `http://127.0.0.1:${port}/graphql`, headers };
}

/** The gateway targets of this run: Hive Router only when its binary is there. */
export function gatewayTargets(hiveRouterBin: string | undefined): GatewayTarget[] {
  return ["plain", "ndx", "hive", "hive-rust", ...(hiveRouterBin === undefined ? [] : (["hive-router"] as const))];
}
