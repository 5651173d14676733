/**
 * The schema registry: publish a subgraph's SDL as its next version (checked: checks.ts), activate a version (the
 * supergraph composed again for the active set, stored, and announced on the register stream so every gateway swaps
 * to it), roll back to a version that was active before. Each write is one transaction through recordChange (history,
 * revision, audit entry without the SDL).
 */
import type { Queryable } from "@ndx/platform";
import { badInput, conflict, forbidden, notFound } from "../errors.ts";
import { recordChange, type AuditEntry, type ChangeDeps } from "../history/changes.ts";
import { requireExchangeAdmin, type Scope } from "../members/scope.ts";
import { overridable, type ChangeUse, type SchemaChecks } from "./checkTypes.ts";
import { runChecks } from "./checks.ts";
import { composeSubgraphs, parseSdl } from "./composition.ts";
import type { ConsentCoverage } from "./consentCoverage.ts";
import { usageStore } from "./usageStore.ts";
import { versionId, versionStore, type SchemaVersion } from "./versionStore.ts";

export interface SchemaRegistryOptions extends ChangeDeps {
  /** ACTIVE consents per field (the consent engine). */
  readonly coverage: ConsentCoverage;
  /** How far back operations count as use. @default 30 */
  readonly usageDays?: number;
  /** After an activation or rollback has committed, before it is answered (the field catalogue follows). @default nothing */
  readonly onActivated?: () => Promise<void>;
}

type Request = { readonly scope: Scope; readonly audit: AuditEntry[] };

const maxSdlBytes = 1_000_000;

export function createSchemaRegistry(options: SchemaRegistryOptions) {
  const { db, coverage, usageDays = 30 } = options;

  const useOf = (subgraph: string) => async (coordinate: string): Promise<ChangeUse> => {
    const [operations, applications, activeConsents] = await Promise.all([
      usageStore.operations(db, subgraph, coordinate, usageDays),
      usageStore.grantedTo(db, subgraph, coordinate),
      coverage.activeConsents(subgraph, coordinate),
    ]);
    const inUse = operations.length > 0 || applications.length > 0 || activeConsents !== 0;
    return { coordinate, operations, applications, activeConsents, inUse };
  };

  async function checksOf(subgraph: string, sdl: string, active: readonly SchemaVersion[]): Promise<SchemaChecks> {
    const previous = active.find((v) => v.subgraph === subgraph);
    const composition = composeSubgraphs([
      ...active.filter((v) => v.subgraph !== subgraph).map((v) => ({ name: v.subgraph, url: v.url, sdl: v.sdl })),
      { name: subgraph, url: previous?.url ?? "", sdl },
    ]);
    const parsed = parseSdl(sdl);
    if ("error" in parsed) return { passed: false, against: previous?.number ?? null, compositionErrors: [parsed.error], compositionHints: [], changes: [], findings: [] };
    const old = previous === undefined ? undefined : parseSdl(previous.sdl);
    return runChecks({
      previous: previous === undefined || old === undefined || "error" in old ? undefined : { number: previous.number, document: old.document },
      document: parsed.document,
      composition,
      use: useOf(subgraph),
    });
  }

  /** Composes the active set with `version` in its subgraph's place, and makes it the active supergraph. */
  async function activate(tx: Queryable, version: SchemaVersion, by: string, overrideReason: string | null) {
    // One activation at a time: each composes the set the previous one left.
    await tx.query("LOCK TABLE schema_supergraph IN EXCLUSIVE MODE");
    const others = (await versionStore.active(tx)).filter((v) => v.subgraph !== version.subgraph);
    const set = [...others, version].sort((a, b) => a.subgraph.localeCompare(b.subgraph));
    const composition = composeSubgraphs(set.map((v) => ({ name: v.subgraph, url: v.url, sdl: v.sdl })));
    if (!composition.ok) {
      throw conflict(`${version.id} does not compose with the active subgraphs: ${composition.errors.join("; ")}`, { compositionErrors: composition.errors });
    }
    const before = await versionStore.activeSupergraph(tx);
    const activated = await versionStore.activate(tx, version.id, version.subgraph, by, overrideReason);
    const supergraph = await versionStore.insertSupergraph(tx, {
      hash: composition.hash,
      sdl: composition.supergraphSdl,
      versions: Object.fromEntries(set.map((v) => [v.subgraph, v.number])),
      activatedBy: by,
    });
    return {
      result: activated,
      target: activated.id,
      before: before === null ? null : { supergraph: before.hash, versions: before.versions },
      after: { supergraph: supergraph.hash, versions: supergraph.versions, ...(overrideReason === null ? {} : { override: overrideReason }) },
    };
  }

  const afterActivation = async (activated: Promise<SchemaVersion>): Promise<SchemaVersion> => {
    const version = await activated;
    await options.onActivated?.();
    return version;
  };

  return {
    list: (subgraph: string) => versionStore.list(db, subgraph),
    activeSupergraph: () => versionStore.activeSupergraph(db),

    async publish(request: Request, subgraph: string, sdl: string): Promise<SchemaVersion> {
      const { scope } = request;
      if (!scope.isExchangeAdmin && !scope.ownerOf.has(subgraph)) {
        throw forbidden(`To publish a schema of ${subgraph}, ${scope.id} must be a PROVIDER_DATA_OWNER of a member operating it, or an exchange administrator`, { subgraph });
      }
      if (Buffer.byteLength(sdl) > maxSdlBytes) throw badInput(`sdl is larger than ${maxSdlBytes} bytes`, { field: "sdl" });
      const active = await versionStore.active(db);
      const previous = active.find((v) => v.subgraph === subgraph);
      if (previous === undefined) throw notFound(`No subgraph ${subgraph} is registered`, { subgraph });
      const checks = await checksOf(subgraph, sdl, active);
      return recordChange(options, request, "publishSchemaVersion", async (tx) => {
        await tx.query("LOCK TABLE schema_version IN SHARE ROW EXCLUSIVE MODE");
        const number = await versionStore.nextNumber(tx, subgraph);
        const version = await versionStore.insert(tx, {
          subgraph,
          number,
          url: previous.url,
          sdl,
          status: checks.passed ? "PUBLISHED" : "REFUSED",
          publishedBy: scope.id,
          checks,
          activatedBy: null,
          activatedAt: null,
          overrideReason: null,
        });
        return { result: version, target: version.id, before: null, after: { status: version.status, against: checks.against } };
      });
    },

    async activate(request: Request, id: string, override: string | null): Promise<SchemaVersion> {
      requireExchangeAdmin(request.scope, "activate a schema version");
      const reason = override?.trim() ?? "";
      if (reason.length > 2000) throw badInput("override is longer than 2000 characters", { field: "override" });
      return afterActivation(recordChange(options, request, "activateSchemaVersion", async (tx) => {
        const version = await versionStore.byId(tx, id, true);
        if (version === null) throw notFound(`No schema version ${id}`, { id });
        if (version.status === "ACTIVE") throw conflict(`${id} is already active`, { id });
        if (version.status === "REFUSED") {
          if (!overridable(version.checks)) throw conflict(`${id} was refused by its checks and cannot be activated`, { id });
          if (reason === "") throw badInput(`${id} has breaking changes in use: activating it needs override, the reason`, { field: "override" });
        }
        return activate(tx, version, request.scope.id, version.status === "REFUSED" ? reason : null);
      }));
    },

    async rollback(request: Request, subgraph: string, number: number): Promise<SchemaVersion> {
      requireExchangeAdmin(request.scope, "roll back a schema");
      const id = versionId(subgraph, number);
      return afterActivation(recordChange(options, request, "rollbackSchema", async (tx) => {
        const version = await versionStore.byId(tx, id, true);
        if (version === null) throw notFound(`No schema version ${id}`, { id });
        if (version.status === "ACTIVE") throw conflict(`${id} is already active`, { id });
        if (version.activatedAt === null) throw conflict(`${id} was never active: activate it instead`, { id });
        return activate(tx, version, request.scope.id, null);
      }));
    },
  };
}

export type SchemaRegistry = ReturnType<typeof createSchemaRegistry>;
