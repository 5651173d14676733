/**
 * Per-request state: the caller the gateway's assertion names, who they act for (read once, on first use), the audit
 * entries of this request's changes, and loaders that batch the lookups of one request into one query each.
 */
import DataLoader from "dataloader";
import type { ForwardedCaller } from "@ndx/platform";
import { applicationStore, type Application, type Purpose } from "../applications/applicationStore.ts";
import { fieldGrantStore, type FieldGrant } from "../grants/fieldGrantStore.ts";
import { grantRequestStore, type GrantRequest, type GrantRequestPart } from "../grants/grantRequestStore.ts";
import type { AuditEntry } from "../history/changes.ts";
import { memberStore, type Member, type MemberPerson } from "../members/memberStore.ts";
import { loadScope, requireStaffCaller, type Scope } from "../members/scope.ts";
import { visibleApplications } from "../applications/visibility.ts";
import type { ExchangeServices } from "./services.ts";

export interface ExchangeContext {
  readonly services: ExchangeServices;
  readonly caller: ForwardedCaller | undefined;
  /** Who the staff caller acts for; UNAUTHENTICATED or FORBIDDEN for anyone else. */
  scope(): Promise<Scope>;
  /** The applications the caller may see (visibility.ts), read once per request on first use. */
  visibleApplications(): Promise<ReadonlySet<string> | "all">;
  /** What this request changed, for `extensions.ndxAudit`. */
  readonly audit: AuditEntry[];
  readonly member: DataLoader<string, Member | null>;
  readonly peopleOf: DataLoader<string, MemberPerson[]>;
  readonly application: DataLoader<string, Application | null>;
  readonly purposesOf: DataLoader<string, Purpose[]>;
  readonly grantRequest: DataLoader<string, GrantRequest | null>;
  readonly partsOf: DataLoader<string, GrantRequestPart[]>;
  /** An application's grants the caller may see, ended and revoked ones included. */
  readonly grantsOf: DataLoader<string, FieldGrant[]>;
}

const byKey = <K, V>(keys: readonly K[], values: readonly V[], key: (v: V) => K): (V | null)[] => {
  const found = new Map(values.map((v) => [key(v), v]));
  return keys.map((k) => found.get(k) ?? null);
};
const groupBy = <K, V>(keys: readonly K[], values: readonly V[], key: (v: V) => K): V[][] =>
  keys.map((k) => values.filter((v) => key(v) === k));

export function createContext(services: ExchangeServices, caller: ForwardedCaller | undefined): ExchangeContext {
  const { db } = services;
  let scope: Promise<Scope> | undefined;
  let visible: Promise<ReadonlySet<string> | "all"> | undefined;
  const scopeOnce = () => (scope ??= Promise.resolve().then(() => loadScope(db, requireStaffCaller(caller))));
  return {
    services,
    caller,
    scope: scopeOnce,
    visibleApplications: () => (visible ??= scopeOnce().then((s) => visibleApplications(db, s))),
    audit: [],
    member: new DataLoader(async (codes) => byKey(codes, await memberStore.byCodes(db, codes), (m) => m.code)),
    peopleOf: new DataLoader(async (codes) =>
      groupBy(codes, await memberStore.peopleOf(db, codes), (p) => p.member).map((list) => list.map(({ username, role }) => ({ username, role }))),
    ),
    application: new DataLoader(async (ids) => byKey(ids, await applicationStore.list(db, { ids }), (a) => a.id)),
    purposesOf: new DataLoader(async (ids) => groupBy(ids, await applicationStore.purposesOf(db, ids), (p) => p.application)),
    grantRequest: new DataLoader(async (ids) => byKey(ids, await grantRequestStore.byIds(db, ids), (r) => r.id)),
    partsOf: new DataLoader(async (ids) => groupBy(ids, await grantRequestStore.partsOf(db, ids), (p) => p.request)),
    grantsOf: new DataLoader(async (ids) =>
      groupBy(ids, await fieldGrantStore.list(db, await scopeOnce(), { applications: ids, includeEnded: true }), (g) => g.application),
    ),
  };
}
