/**
 * `npm run cluster`: NDX as a small cluster on one machine — `npm start` on one real PostgreSQL (its parts once, and
 * its gateway), two more gateway processes over the same database with their own audit chains and the same signing
 * key, and HAProxy (Debian's `haproxy`) in front of the three, health-checking `/ready`. Prints the load balancer's
 * URL and keeps running until Ctrl-C. tests/e2e/cluster.test.ts starts the same cluster and puts it under load.
 *
 * Environment: DATABASE_URL (an empty PostgreSQL database; or TEST_DATABASE_URL, an admin URL, to create one),
 * CLUSTER_PORT (HAProxy's port; default 8080), and anything the gateways should get (e.g. RATE_LIMIT_CONSUMERS).
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { generateKeyPairSync, randomBytes } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { openDb } from "@ndx/platform";
import { freePort, partEnvironment } from "@ndx/platform/dev";
import { startNdx, type Started } from "../tests/e2e/launcher.ts";

const root = resolve(import.meta.dirname, "..");

export interface ClusterOptions {
  /** An empty PostgreSQL database every part and gateway shares. */
  readonly databaseUrl: string;
  /** HAProxy's port. @default a free port */
  readonly port?: number;
  /** More environment for every part and gateway (e.g. RATE_LIMIT_CONSUMERS). @default none */
  readonly env?: Readonly<Record<string, string>>;
  /** Where npm start keeps its local state (keys). @default a temporary folder, removed at stop */
  readonly dataDir?: string;
}

export interface Replica {
  /** Its audit chain, and HAProxy's name for it. */
  readonly name: string;
  readonly url: string;
}

export interface Cluster {
  /** HAProxy's base URL: /graphql reaches one of the gateways. */
  readonly url: string;
  /** npm start's URLs (every part, its own gateway among them). */
  readonly urls: Readonly<Record<string, string>>;
  readonly replicas: readonly Replica[];
  /** SIGKILL to a replica started here (not npm start's): no drain, no flush. */
  kill(name: string): void;
  /** Starts a replica started here again (after kill or stop); resolves once it answers /ready. */
  start(name: string): Promise<void>;
  /** SIGTERM to a replica started here: resolves with its exit code once it has drained and stopped. */
  stop(name: string): Promise<number | null>;
  /** A replica started here: its resident memory (MB), from /proc. */
  rssMb(name: string): number | undefined;
  /** Stops HAProxy, the replicas and npm start. */
  close(): Promise<void>;
}

/** How the extra gateways are configured: what services.ts gives npm start's gateway, and their own chain and port. */
function gatewayEnv(urls: Readonly<Record<string, string>>, shared: Readonly<Record<string, string>>, chain: string, port: number): Record<string, string> {
  return {
    ...shared,
    PORT: String(port),
    AUDIT_CHAIN: chain,
    REGISTRY_URL: `${urls["registry"]}/graphql`,
    DRP_URL: `${urls["drp-rest"]}/graphql`,
    DMT_URL: `${urls["dmt-soap"]}/graphql`,
    EXCHANGE_URL: urls["exchange"] ?? "",
    OIDC_ISSUER: urls["identity-provider"] ?? "",
    OIDC_AUDIENCE: `${urls["gateway"]}/graphql`,
    CONSENT_ENGINE_URL: urls["consent-engine"] ?? "",
    AUDIT_TSA_URL: urls["time-stamping-authority"] ?? "",
  };
}

function haproxyConfig(port: number, servers: readonly { name: string; port: number }[]): string {
  return [
    "global",
    "  maxconn 2000",
    "defaults",
    "  mode http",
    "  timeout connect 2s",
    "  timeout client 60s",
    "  timeout server 60s",
    "  timeout http-keep-alive 10s",
    // A connection refused or closed without an answer (a replica stopping or killed) is tried on another one.
    "  retries 3",
    "  option redispatch 1",
    "  retry-on conn-failure empty-response",
    "  option http-buffer-request",
    "frontend ndx",
    `  bind 127.0.0.1:${port}`,
    "  default_backend gateways",
    "backend gateways",
    "  balance roundrobin",
    "  option httpchk GET /ready",
    "  http-check expect status 200",
    "  default-server inter 500ms fall 2 rise 2",
    ...servers.map((s) => `  server ${s.name} 127.0.0.1:${s.port} check`),
    "",
  ].join("\n");
}

async function waitReady(url: string, withinMs: number): Promise<void> {
  const until = Date.now() + withinMs;
  while (Date.now() < until) {
    try {
      const response = await fetch(`${url}/ready`, { signal: AbortSignal.timeout(2000) });
      await response.body?.cancel();
      if (response.ok) return;
    } catch {
      // not up yet
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`${url} was not ready within ${withinMs / 1000} s`);
}

export async function startCluster(options: ClusterOptions): Promise<Cluster> {
  const check = spawnSync("haproxy", ["-v"], { encoding: "utf8" });
  if (check.error !== undefined) throw new Error("haproxy is not installed (apt-get install haproxy; .ci/run installs it)");
  const ownDir = options.dataDir === undefined ? mkdtempSync(join(tmpdir(), "ndx-cluster-")) : undefined;
  const dataDir = options.dataDir ?? ownDir ?? "";
  const signingKey = generateKeyPairSync("ed25519").privateKey.export({ type: "pkcs8", format: "pem" }).toString();
  const shared = { ...options.env, DATABASE_URL: options.databaseUrl, GATEWAY_SIGNING_KEY: signingKey };
  const ndx: Started = await startNdx(dataDir, shared);
  const own = new Map<string, { port: number; child: ChildProcess | undefined; exited: Promise<number | null> }>();
  const spawnReplica = (name: string) => {
    const entry = own.get(name);
    if (entry === undefined) throw new Error(`no replica ${name} started here`);
    const child = spawn(process.execPath, [resolve(root, "gateway/src/main.ts")], {
      cwd: root,
      env: partEnvironment({ ...process.env, ...gatewayEnv(ndx.urls, shared, name, entry.port), LOG_LEVEL: "warn" }),
      stdio: ["ignore", "ignore", "inherit"],
    });
    entry.child = child;
    entry.exited = new Promise((r) => child.once("exit", (code) => r(code)));
    return waitReady(`http://127.0.0.1:${entry.port}`, 120_000);
  };
  for (const name of ["replica-b", "replica-c"]) own.set(name, { port: await freePort(), child: undefined, exited: Promise.resolve(null) });
  await Promise.all([...own.keys()].map(spawnReplica));

  const gatewayPort = Number(new URL(ndx.urls["gateway"] ?? "").port);
  const replicas: Replica[] = [
    { name: "main", url: ndx.urls["gateway"] ?? "" },
    ...[...own].map(([name, e]) => ({ name, url: `http://127.0.0.1:${e.port}` })),
  ];
  const port = options.port ?? (await freePort());
  const configDir = mkdtempSync(join(tmpdir(), "ndx-haproxy-"));
  const configFile = join(configDir, "haproxy.cfg");
  writeFileSync(configFile, haproxyConfig(port, [{ name: "main", port: gatewayPort }, ...[...own].map(([name, e]) => ({ name, port: e.port }))]));
  const haproxy = spawn("haproxy", ["-db", "-f", configFile], { stdio: ["ignore", "ignore", "inherit"] });
  const haproxyExited = new Promise((r) => haproxy.once("exit", r));
  const url = `http://127.0.0.1:${port}`;
  await waitReady(url, 30_000);

  return {
    url,
    urls: ndx.urls,
    replicas,
    kill(name) {
      own.get(name)?.child?.kill("SIGKILL");
    },
    start: spawnReplica,
    rssMb(name) {
      const pid = own.get(name)?.child?.pid;
      if (pid === undefined) return undefined;
      try {
        const kb = /^VmRSS:\s+(\d+)/m.exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1];
        return kb === undefined ? undefined : Math.round(Number(kb) / 1024);
      } catch {
        return undefined;
      }
    },
    async stop(name) {
      const entry = own.get(name);
      entry?.child?.kill("SIGTERM");
      return (await entry?.exited) ?? null;
    },
    async close() {
      haproxy.kill("SIGTERM");
      await haproxyExited;
      await Promise.all([...own.values()].map(async (e) => (e.child?.kill("SIGTERM"), await e.exited)));
      await ndx.stop();
      rmSync(configDir, { recursive: true, force: true });
      if (ownDir !== undefined) rmSync(ownDir, { recursive: true, force: true });
    },
  };
}

/** A new, empty database on the PostgreSQL server at `adminUrl`, and how to drop it. */
export async function createDatabase(adminUrl: string): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `ndx_cluster_${randomBytes(5).toString("hex")}`;
  const admin = async (sql: string) => {
    const db = await openDb({ url: adminUrl, schema: "public", existing: true, poolSize: 1 });
    try {
      await db.query(sql);
    } finally {
      await db.close();
    }
  };
  await admin(`CREATE DATABASE ${name}`);
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return { url: url.toString(), drop: () => admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`) };
}

if (import.meta.main) {
  const adminUrl = process.env["TEST_DATABASE_URL"];
  const created = process.env["DATABASE_URL"] === undefined && adminUrl !== undefined ? await createDatabase(adminUrl) : undefined;
  const databaseUrl = process.env["DATABASE_URL"] ?? created?.url;
  if (databaseUrl === undefined) {
    process.stderr.write("npm run cluster needs a PostgreSQL: DATABASE_URL (an empty database) or TEST_DATABASE_URL (eval \"$(bash .ci/start-postgres.sh)\")\n");
    process.exit(2);
  }
  const cluster = await startCluster({ databaseUrl, port: Number(process.env["CLUSTER_PORT"] ?? 8080) });
  process.stdout.write(`NDX cluster: HAProxy at ${cluster.url}/graphql over ${cluster.replicas.map((r) => `${r.name} ${r.url}`).join(", ")}\n`);
  let closing = false;
  const stop = () => {
    if (closing) process.exit(130);
    closing = true;
    void cluster.close().then(async () => {
      await created?.drop();
      process.exit(0);
    });
  };
  process.on("SIGINT", stop);
  process.on("SIGTERM", stop);
}
