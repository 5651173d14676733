/**
 * PROTOTYPE, for measuring suggested gateway changes before they are made in gateway/src (which this workspace does
 * not edit). It assembles the gateway as gateway/src/main.ts + accessControl.ts + gateway.ts do, from the same
 * exported pieces and the same configuration, with knobs:
 *
 *   EXP_AUDIT=pglite (as shipped) | grouped (groupedAuditLog.ts: one INSERT per event-loop turn, outcomes ride along)
 *             | worker (PGlite on a worker thread) | noop (no audit: the upper bound); DATABASE_URL for PostgreSQL
 *   EXP_FETCH=fetch (as shipped: RemoteGraphQLDataSource + global fetch) | undici (sendRequest over an undici Pool)
 *   EXP_POLICY=once (as shipped: evaluated per call) | memo (decisions memoised per policy revision and input)
 *
 * Not used by `npm run bench`; see bench/PROFILE.md for what was measured with it.
 */
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { Worker } from "node:worker_threads";
import { ApolloGateway, RemoteGraphQLDataSource, type GraphQLDataSourceProcessOptions } from "@apollo/gateway";
import { useApolloFederation } from "@envelop/apollo-federation";
import {
  buildFieldCatalogue,
  createAuthenticator,
  createConsentCheck,
  createSubgraphSource,
  gatewayMigrationsDir,
  loadGatewayConfig,
  openAuditLog,
  requestLimitPlugins,
  subgraphRoutes,
  upstreamError,
  useAccess,
  type AuditLog,
} from "@ndx/gateway";
import {
  createLogger,
  createMaskError,
  gatewayHeaders,
  listen,
  migrate,
  openDb,
  readMigrations,
  runService,
  useHealth,
  useInputErrorCodes,
  type ForwardedCaller,
} from "@ndx/platform";
import { watchAccessPolicy, type AccessInput, type AccessPolicy, type Decision, type PolicyHolder } from "@ndx/policy";
import { createYoga, type Plugin } from "graphql-yoga";
import { Pool } from "undici";
import { openGroupedAuditLog } from "./groupedAuditLog.ts";

const config = loadGatewayConfig(process.env);
const logger = createLogger("gateway", config.LOG_LEVEL);
const auditMode = process.env["EXP_AUDIT"] ?? "pglite";
const fetchMode = process.env["EXP_FETCH"] ?? "fetch";
const policyMode = process.env["EXP_POLICY"] ?? "once";

/** The audit log on a worker thread: the same openAuditLog on PGlite, off the gateway's event loop. */
async function workerAudit(): Promise<AuditLog & { close(): Promise<void> }> {
  const worker = new Worker(resolve(import.meta.dirname, "auditWorker.ts"), {
    workerData: { url: config.DATABASE_URL, dataDir: config.PGLITE_DIR, chain: config.AUDIT_CHAIN },
  });
  const pending = new Map<number, { resolve(v: unknown): void; reject(e: unknown): void }>();
  let next = 0;
  worker.on("message", (m: { id: number; event?: unknown; error?: string }) => {
    const p = pending.get(m.id);
    pending.delete(m.id);
    if (m.error !== undefined) p?.reject(new Error(m.error));
    else p?.resolve(m.event);
  });
  const call = <T>(message: object) =>
    new Promise<T>((resolvePromise, reject) => {
      const id = next++;
      pending.set(id, { resolve: resolvePromise as (v: unknown) => void, reject });
      worker.postMessage({ id, ...message });
    });
  await call({ op: "ready" });
  return {
    append: (content) => call({ op: "append", content }),
    flush: () => call({ op: "flush" }),
    async close() {
      await call({ op: "close" });
      await worker.terminate();
    },
  };
}

function noopAudit(): AuditLog {
  let seq = 0;
  return {
    async append(content) {
      seq += 1;
      return { ...content, id: content.id ?? crypto.randomUUID(), at: content.at ?? new Date().toISOString(), chain: "noop", seq, prevHash: "", hash: "" };
    },
    async flush() {},
  };
}

/**
 * Decisions memoised per revision and input, leaving out `time.iso` (the Rego reads only weekday and hour): the same
 * consumer, purpose, fields, subjects and consent state within the same hour get the same answer.
 */
function memoPolicy(holder: PolicyHolder): PolicyHolder {
  const wrap = (policy: AccessPolicy): AccessPolicy => {
    const memo = new Map<string, Decision>();
    return {
      revision: policy.revision,
      evaluate(input: AccessInput) {
        const { time, ...rest } = input;
        const key = JSON.stringify([rest, time.weekday, time.hour, time.timezone]);
        let decision = memo.get(key);
        if (decision === undefined) {
          decision = policy.evaluate(input);
          if (memo.size >= 10_000) memo.delete(memo.keys().next().value ?? "");
          memo.set(key, decision);
        }
        return decision;
      },
    };
  };
  let source = holder.current;
  let wrapped = wrap(source);
  return {
    get current() {
      if (holder.current !== source) {
        source = holder.current;
        wrapped = wrap(source);
      }
      return wrapped;
    },
    set current(_v) {
      throw new Error("read-only");
    },
    close: () => holder.close(),
  };
}

/** sendRequest over an undici Pool per subgraph: no WHATWG Request/Response, web streams or per-call timer. */
class UndiciSource extends RemoteGraphQLDataSource<Record<string, unknown>> {
  readonly #pool: Pool;
  readonly #path: string;
  readonly #name: string;
  readonly #token: string;
  constructor(name: string, url: string, token: string, timeoutMs: number) {
    super({ url });
    const u = new URL(url);
    this.#pool = new Pool(u.origin, { connections: 64, headersTimeout: timeoutMs, bodyTimeout: timeoutMs, keepAliveTimeout: 60_000 });
    this.#path = `${u.pathname}${u.search}`;
    this.#name = name;
    this.#token = token;
  }
  override async process(options: GraphQLDataSourceProcessOptions<Record<string, unknown>>) {
    const { request, context } = options;
    const caller = (context as { ndxCaller?: ForwardedCaller }).ndxCaller;
    const headers: Record<string, string> = { "content-type": "application/json", ...gatewayHeaders(this.#token, caller) };
    const body = JSON.stringify({ query: request.query, variables: request.variables, operationName: request.operationName });
    let status: number | undefined;
    try {
      const response = await this.#pool.request({ path: this.#path, method: "POST", headers, body });
      status = response.statusCode;
      if (status < 200 || status >= 300) {
        await response.body.dump();
        throw new Error(`HTTP ${status}`);
      }
      const json = (await response.body.json()) as object;
      return json;
    } catch (error) {
      const e = error instanceof Error ? error : new Error(String(error));
      // undici names its timeouts HeadersTimeoutError / BodyTimeoutError.
      const timeout = /Timeout/.test(e.name) ? Object.assign(new Error(e.message), { name: "TimeoutError" }) : e;
      throw upstreamError(this.#name, timeout.name === "TimeoutError", status);
    }
  }
}

await runService("gateway", logger, async () => {
  const supergraphSdl = readFileSync(config.SUPERGRAPH_FILE, "utf8");
  const plugins: Plugin[] = [];
  const closers: (() => Promise<void> | void)[] = [];
  const readiness: Record<string, () => Promise<void>> = {};
  if (config.ACCESS_CONTROL) {
    let audit: AuditLog;
    if (auditMode === "noop") audit = noopAudit();
    else if (auditMode === "worker") {
      const a = await workerAudit();
      closers.push(() => a.close());
      audit = a;
    } else {
      const opened = await openDb({ url: config.DATABASE_URL, dataDir: config.PGLITE_DIR, schema: "gateway" });
      await migrate(opened, readMigrations(gatewayMigrationsDir), "ndx:gateway");
      // EXP_AUDIT_STATS=1: how many INSERTs, how many events each, how long each took (logged every 5 s).
      const stats = { statements: 0, events: 0, ms: 0 };
      const database: typeof opened =
        process.env["EXP_AUDIT_STATS"] === "1"
          ? {
              ...opened,
              async query(sql, params) {
                const t0 = performance.now();
                try {
                  return await opened.query(sql, params);
                } finally {
                  if (sql.includes("INSERT INTO audit_event")) {
                    stats.statements += 1;
                    stats.events += Array.isArray(params?.[0]) ? params[0].length : 1;
                    stats.ms += performance.now() - t0;
                  }
                }
              },
            }
          : opened;
      if (process.env["EXP_AUDIT_STATS"] === "1") {
        setInterval(() => {
          if (stats.statements === 0) return;
          process.stderr.write(
            `audit: ${stats.statements} INSERTs, ${(stats.events / stats.statements).toFixed(1)} events each, ${(stats.ms / stats.statements).toFixed(2)} ms each (wall)\n`,
          );
          stats.statements = 0;
          stats.events = 0;
          stats.ms = 0;
        }, 5000).unref();
      }
      const a =
        auditMode === "grouped"
          ? await openGroupedAuditLog({ db: database, chain: config.AUDIT_CHAIN })
          : await openAuditLog({ db: database, chain: config.AUDIT_CHAIN });
      closers.push(async () => {
        await a.flush();
        await database.close();
      });
      audit = a;
    }
    const holder = await watchAccessPolicy(config.POLICY_DIR);
    const policy = policyMode === "memo" ? memoPolicy(holder) : holder;
    const consent = createConsentCheck({ url: config.CONSENT_ENGINE_URL, serviceToken: config.CONSENT_SERVICE_TOKEN, maxAgeMs: config.CONSENT_CACHE_MS, logger });
    const authenticator = createAuthenticator({ issuer: config.OIDC_ISSUER, audience: config.OIDC_AUDIENCE, jwksUri: config.OIDC_JWKS_URI });
    closers.push(() => consent.close(), () => holder.close());
    plugins.push(
      useAccess({
        authenticator,
        catalogue: buildFieldCatalogue(supergraphSdl),
        policy,
        consent,
        audit,
        logger,
        timezone: config.NDX_TIMEZONE,
        anonymousIntrospection: config.GRAPHIQL,
      }) as Plugin,
    );
  }
  const routes = subgraphRoutes(supergraphSdl, config.subgraphUrls);
  const urlOf = new Map(routes.map((r) => [r.name, r.url]));
  const gateway = new ApolloGateway({
    supergraphSdl,
    buildService: ({ name, url }) =>
      fetchMode === "undici"
        ? new UndiciSource(name, urlOf.get(name) ?? url ?? "", config.SUBGRAPH_TOKEN, config.SUBGRAPH_TIMEOUT_MS)
        : createSubgraphSource({ name, url: urlOf.get(name) ?? url ?? "", timeoutMs: config.SUBGRAPH_TIMEOUT_MS, logger, serviceToken: config.SUBGRAPH_TOKEN }),
  });
  await gateway.load();
  const yoga = createYoga<Record<string, unknown>>({
    graphiql: config.GRAPHIQL,
    landingPage: false,
    logging: false,
    maskedErrors: { maskError: createMaskError((err) => logger.error({ err }, "unexpected error in the gateway")) },
    plugins: [
      useInputErrorCodes(),
      useHealth(readiness),
      ...requestLimitPlugins(config.limits),
      ...plugins,
      useApolloFederation({ gateway, logger }),
    ],
  });
  const http = await listen(yoga, config.PORT, config.HOST);
  logger.info({ auditMode, fetchMode, policyMode }, "experimental gateway listening");
  return {
    async close() {
      await http.close();
      await gateway.stop();
      for (const c of closers) await c();
    },
  };
});
