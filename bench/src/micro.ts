/**
 * The access plugin's own cost per request, in-process and without HTTP: the scope (its operation planned once), the
 * consent check with a warm cache, and policy.evaluate — called the way useAccess calls them for a permitted consumer
 * read about one citizen whose consent answer is cached (scope; the cached answer per citizen; one policy answer —
 * the early answer without consent is asked only when some answer must come from the engine). Also each piece alone,
 * and the awaited audit append of the decision event (PGlite), which the plugin pays before execution too.
 *
 *   node bench/src/micro.ts '<json MicroSpec>'   → prints one line of JSON (MicroResult) on stdout
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { getOperationAST, parse } from "graphql";
import {
  accessTime,
  buildFieldCatalogue,
  createConsentCheck,
  createScopes,
  type Scope,
  gatewayMigrationsDir,
  openAuditLog,
} from "@ndx/gateway";
import { createLogger, migrate, openDb, readMigrations } from "@ndx/platform";
import { loadAccessPolicy, rememberFrozen, type AccessInput, type FieldAccess } from "@ndx/policy";
import { supergraphFile } from "@ndx/schema";
// The gateway's own derivation of policy data from the register (not exported by @ndx/gateway: used as the gateway uses it).
import { policyDataOf } from "../../gateway/src/access/registerData.ts";
// The schema registry's usage counting, as the access plugin's onDecided hook calls it (issue 17).
import { createUsageCounts } from "../../gateway/src/usage/usageCounts.ts";
import { createGlobalLimiter } from "../../gateway/src/access/globalRateLimit.ts";
import { fetchRegister, grantConsent } from "./ndx.ts";

export interface MicroSpec {
  readonly consentEngineUrl: string;
  /** The exchange whose register gives the policy its consumers (as the NDX gateway follows it). */
  readonly exchangeUrl: string;
  readonly policyDir: string;
  readonly consumerId: string;
  readonly purpose: string;
  readonly subject: string;
  readonly query: string;
  readonly variables: Record<string, unknown>;
  readonly iterations: number;
}

export interface Percentiles {
  readonly p50Us: number;
  readonly p99Us: number;
}

export interface MicroResult extends Percentiles {
  readonly iterations: number;
  readonly pieces: {
    readonly scope: Percentiles;
    readonly consentWarm: Percentiles;
    /** A decision remembered for a request of the same shape (policy decisionMemo.ts). */
    readonly policyEvaluate: Percentiles;
    /** One evaluation by the OPA wasm, as on the first request of a shape. */
    readonly policyEvaluateFresh: Percentiles;
    readonly auditAppend: Percentiles;
    /** Counting a permitted request's field usage for the schema registry (target: p99 under 20 µs). */
    readonly usageCount?: Percentiles;
    /** The global rate-limit check (leased from the database, PGlite here) at 500 requests a second. */
    readonly rateLimitGlobal?: Percentiles;
  };
  /** policy.evaluate calls per permitted consumer read in useAccess with the consent answers cached. */
  readonly policyEvaluationsPerRequest: number;
}

function percentiles(samples: Float64Array): Percentiles {
  const sorted = samples.slice().sort();
  const at = (p: number) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))] ?? Number.NaN;
  const round = (v: number) => Math.round(v * 10) / 10;
  return { p50Us: round(at(0.5)), p99Us: round(at(0.99)) };
}

async function measure(iterations: number, warmup: number, body: () => unknown): Promise<Percentiles> {
  for (let i = 0; i < warmup; i += 1) await body();
  const samples = new Float64Array(iterations);
  for (let i = 0; i < iterations; i += 1) {
    const t0 = process.hrtime.bigint();
    await body();
    samples[i] = Number(process.hrtime.bigint() - t0) / 1000;
  }
  return percentiles(samples);
}

const personal = (f: FieldAccess) => f.classification === "PERSONAL" || f.classification === "SENSITIVE";

async function micro(spec: MicroSpec, consentServiceToken: string, exchangeServiceToken: string): Promise<MicroResult> {
  const logger = createLogger("bench", "silent");
  const catalogue = buildFieldCatalogue(readFileSync(supergraphFile, "utf8"));
  const document = parse(spec.query);
  const operation = getOperationAST(document);
  if (operation === null || operation === undefined) throw new Error("the query has no operation");
  // The consumers come from the exchange's register, as the gateway sets them (setData): the bundle has none.
  const { data } = policyDataOf(await fetchRegister(spec.exchangeUrl, exchangeServiceToken), Date.now());
  const policy = await loadAccessPolicy(spec.policyDir, { data });
  const freshPolicy = await loadAccessPolicy(spec.policyDir, { memoise: false, data });
  const consent = createConsentCheck({ url: spec.consentEngineUrl, serviceToken: consentServiceToken, logger });
  await consent.ready();

  const clock = accessTime("UTC");
  const caller = { kind: "consumer" as const, id: spec.consumerId, roles: [] as string[], scopes: [] as string[] };
  const input = (scope: Scope, covered: NonNullable<AccessInput["consent"]>): AccessInput => ({
    caller: caller.kind,
    operation: scope.operation,
    consumer: { id: caller.id, scopes: caller.scopes },
    roles: caller.roles,
    purpose: spec.purpose,
    subjects: [...scope.subjects.keys()],
    fields: scope.fields,
    mutations: [],
    consent: covered,
    time: clock(new Date()),
  });

  // As useAccess: the operation is planned once, and a scope's personal fields are worked out once per field list.
  const scopes = createScopes(catalogue);
  const personalFields = rememberFrozen((fields: readonly FieldAccess[]) => Object.freeze(fields.filter(personal)));
  const scope0 = scopes.of(document, operation, spec.variables);
  const wanted0 = (scope0.subjects.get(spec.subject) ?? []).filter(personal);
  if (wanted0.length === 0) throw new Error(`the query reads nothing personal about ${spec.subject}`);
  // The cache is warm only with a granted consent: grant one when the citizen has none yet.
  let first = await consent.check(spec.consumerId, spec.subject, spec.purpose, wanted0);
  if (!first.covered) {
    const opened = await consent.openRequest(spec.consumerId, spec.subject, spec.purpose, wanted0);
    await grantConsent({ url: spec.consentEngineUrl, serviceToken: consentServiceToken }, opened.consentRequestId, spec.subject);
    for (let i = 0; i < 50 && !first.covered; i += 1) {
      await new Promise((r) => setTimeout(r, 100));
      first = await consent.check(spec.consumerId, spec.subject, spec.purpose, wanted0);
    }
    if (!first.covered) throw new Error("the consent is still not covered after granting it");
  }
  await consent.check(spec.consumerId, spec.subject, spec.purpose, wanted0);
  const missesBefore = consent.stats.misses;

  const n = spec.iterations;
  const warm = Math.min(1000, n);
  const pipeline = async () => {
    const scope = scopes.of(document, operation, spec.variables);
    const checks = [...scope.subjects].map(([nic, fields]) => consent.cached(caller.id, nic, spec.purpose, personalFields(fields)));
    if (!checks.every((c) => c !== undefined)) throw new Error("a consent answer was not cached");
    const verdict = policy.evaluate(input(scope, { covered: checks.every((c) => c.covered), consentIds: checks.flatMap((c) => c.consentIds) }));
    if (!verdict.allow) throw new Error(`not allowed: ${JSON.stringify(verdict)}`);
  };
  const total = await measure(n, warm, pipeline);
  const scope = await measure(n, warm, () => scopes.of(document, operation, spec.variables));
  const consentWarm = await measure(n, warm, () => consent.check(caller.id, spec.subject, spec.purpose, wanted0));
  const policyEvaluate = await measure(n, warm, () => policy.evaluate(input(scope0, { covered: true, consentIds: first.consentIds })));
  const policyEvaluateFresh = await measure(n, warm, () => freshPolicy.evaluate(input(scope0, { covered: true, consentIds: first.consentIds })));
  const usage = createUsageCounts();
  const usageCount = await measure(n, warm, () => usage.count(document, "Person", caller.id, scope0.fields));
  if (consent.stats.misses !== missesBefore) {
    throw new Error(`the consent cache was not warm: ${consent.stats.misses - missesBefore} misses while measuring`);
  }
  consent.close();

  // The decision event is awaited before execution: one append, alone in its batch, on PGlite.
  const dir = mkdtempSync(join(tmpdir(), "ndx-bench-audit-"));
  let auditAppend: Percentiles;
  let rateLimitGlobal: Percentiles;
  try {
    const db = await openDb({ url: undefined, dataDir: dir, schema: "gateway" });
    await migrate(db, readMigrations(gatewayMigrationsDir), "ndx:gateway");
    const audit = await openAuditLog({ db });
    const event = {
      kind: "decision" as const,
      traceId: "0".repeat(32),
      caller: "consumer" as const,
      consumer: spec.consumerId,
      purpose: spec.purpose,
      operationName: "Person",
      subjects: [spec.subject],
      fields: scope0.fields,
      consentIds: [...first.consentIds],
      policyRevision: policy.revision,
      decision: "permit" as const,
      reasons: [],
      decisionId: null,
      outcome: null,
    };
    auditAppend = await measure(Math.min(n, 1000), 200, () => audit.append(event));
    await audit.flush();
    // A check at 500/s: leases of 25 from the database, in the background; each take is spent locally. The clock
    // steps 2 ms a check, so the budget holds and a lease is taken every 25 checks, as at the limit.
    let t = 0;
    const limiter = createGlobalLimiter({ db, clock: () => (t += 2) });
    rateLimitGlobal = await measure(n, warm, () => limiter.take(spec.consumerId, 500));
    await limiter.settled();
    await db.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }

  return {
    ...total,
    iterations: n,
    pieces: { scope, consentWarm, policyEvaluate, policyEvaluateFresh, auditAppend, usageCount, rateLimitGlobal },
    policyEvaluationsPerRequest: 1,
  };
}

if (import.meta.main) {
  const spec = JSON.parse(process.argv[2] ?? "{}") as MicroSpec;
  // The credentials come in the environment, not on the command line (which `ps` shows).
  const result = await micro(spec, process.env["BENCH_CONSENT_SERVICE_TOKEN"] ?? "", process.env["BENCH_EXCHANGE_SERVICE_TOKEN"] ?? "");
  process.stdout.write(`${JSON.stringify(result)}\n`);
  process.exit(0);
}
