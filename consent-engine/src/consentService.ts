/**
 * The consent rules: open a request for a scope, check a (consumer, citizen, purpose, fields) tuple, grant, refuse,
 * revoke, list, expire. Every state change is one transaction holding the change, its event (who, when, from, to)
 * and, when a check's answer can change, the revision bump; subscribers hear of a new revision once it commits.
 */
import type { Db, Queryable } from "@ndx/platform";
import { badInput, conflict, forbidden, notFound } from "./apiError.ts";
import type { FieldCatalogue } from "./catalogue.ts";
import type { ConsentEvents } from "./consentMetrics.ts";
import {
  appendEvent,
  bumpRevision,
  changeStatus,
  currentRevision,
  dueForExpiry,
  findConsent,
  findOpenIdentical,
  insertPending,
  listEvents,
  listForCitizen,
  liveConsents,
  type ConsentEvent,
  type ConsentRow,
  type ConsentStatus,
} from "./consentStore.ts";
import { findConsumer, type ConsumerRegistration } from "./consumerStore.ts";
import type { RevisionEvent, RevisionFeed, Settlement } from "./revisionFeed.ts";
import { consentIdPattern, consentView, effectiveStatus, isoOrNull, newConsentId, type ConsentView } from "./consentView.ts";
import { itemKey, normaliseScope, scopeKey, type ScopeItem } from "./scope.ts";

export interface ConsentServiceOptions {
  readonly db: Db;
  readonly catalogue: FieldCatalogue;
  readonly feed: RevisionFeed;
  /** The portal's public base URL; a request's consentUrl is <portalUrl>/consent/<id>. */
  readonly portalUrl: string;
  /** The longest a grant may last, in days. @default 30 */
  readonly maxDays?: number;
  /** Per-purpose maximum durations in days. @default {} */
  readonly maxDaysByPurpose?: Readonly<Record<string, number>>;
  /** How long a request waits for an answer. @default 3600 */
  readonly requestTtlSeconds?: number;
  /** The clock (tests move it). @default () => new Date() */
  readonly now?: () => Date;
  /** Told of checks, requests opened and state changes (consentMetrics.ts). @default none */
  readonly metrics?: ConsentEvents | undefined;
}

export interface ScopeRequest {
  readonly consumerId: string;
  readonly citizenId: string;
  readonly purpose: string;
  readonly fields: readonly ScopeItem[];
}

export interface CheckResult {
  /** covered: every field; partial: some; missing: none. */
  readonly status: "covered" | "partial" | "missing";
  /** The revision the answer was computed at; a cached answer is stale once a higher revision is announced. */
  readonly revision: number;
  readonly covered: readonly (ScopeItem & { readonly consentIds: readonly string[]; readonly validUntil: string })[];
  readonly missing: readonly ScopeItem[];
  /** When the answer stops being true by itself (the earliest expiry among the covered fields), or null. */
  readonly validUntil: string | null;
  readonly checkedAt: string;
  /** With `openRequest`, the request opened (or reused) for exactly the missing fields. */
  readonly request?: { readonly consentRequestId: string; readonly consentUrl: string; readonly expiresAt: string };
}

export interface Acting {
  /** The citizen acting: must be the citizen the consent is about. */
  readonly citizenId: string;
  /** Where the action came from, recorded in the event. */
  readonly via: "portal" | "api";
}

/**
 * A revocation's answer: given only once it holds on every gateway following the revision stream (each acknowledged
 * it, or its cache could no longer be trusted: revisionFollowers.ts), so no query answered after it reads the data.
 */
export type RevokedConsent = ConsentView & {
  readonly effectiveEverywhere: true;
  /** From when no gateway could answer from a cached "yes" any more. */
  readonly effectiveAt: string;
  /** Gateways that acknowledged the revocation, and those that did not and were waited out to their deadline. */
  readonly gateways: { readonly acknowledged: number; readonly lapsed: number; readonly waitedMs: number };
};

/** Runs first inside the state change's transaction (e.g. consuming a one-time form token). */
export type Guard = (tx: Queryable) => Promise<void>;

export interface ConsentService {
  readonly catalogue: FieldCatalogue;
  consumer(id: string): Promise<ConsumerRegistration | undefined>;
  maxDurationDays(purpose: string): number;
  openRequest(input: ScopeRequest): Promise<{ consent: ConsentView; created: boolean }>;
  get(id: string, options?: { history?: boolean }): Promise<ConsentView | undefined>;
  check(input: ScopeRequest & { readonly openRequest?: boolean }): Promise<CheckResult>;
  grant(id: string, acting: Acting & { readonly durationDays: number }, guard?: Guard): Promise<ConsentView>;
  reject(id: string, acting: Acting, guard?: Guard): Promise<ConsentView>;
  revoke(id: string, acting: Acting, guard?: Guard): Promise<RevokedConsent>;
  listForCitizen(citizenId: string): Promise<ConsentView[]>;
  /** Records EXPIRED for what is due and announces expired grants; returns how many changed. */
  expireDue(): Promise<number>;
  revision(): Promise<number>;
}

const maxFields = 200;
export function createConsentService(options: ConsentServiceOptions): ConsentService {
  const { db, catalogue, feed, metrics } = options;
  const now = options.now ?? (() => new Date());
  const maxDays = options.maxDays ?? 30;
  const byPurpose = options.maxDaysByPurpose ?? {};
  const requestTtlMs = (options.requestTtlSeconds ?? 3600) * 1000;
  const consumers = new Map<string, ConsumerRegistration>();

  const maxDurationDays = (purpose: string): number => byPurpose[purpose] ?? maxDays;
  const consentUrl = (id: string): string => new URL(`/consent/${id}`, options.portalUrl).toString();

  async function consumer(id: string): Promise<ConsumerRegistration | undefined> {
    const cached = consumers.get(id);
    if (cached !== undefined) return cached;
    const found = await findConsumer(db, id);
    if (found !== undefined) consumers.set(id, found);
    return found;
  }

  async function view(row: ConsentRow, history?: readonly ConsentEvent[]): Promise<ConsentView> {
    const registration = await consumer(row.consumerId);
    const context = {
      consumerName: registration?.name ?? row.consumerId,
      now: now(),
      consentUrl: consentUrl(row.id),
      maxDurationDays: maxDurationDays(row.purpose),
    };
    return consentView(row, context, history);
  }

  /** Validates a scope request against the registrations and the catalogue; returns the normalised fields. */
  async function validate(input: ScopeRequest): Promise<ScopeItem[]> {
    const registration = await consumer(input.consumerId);
    if (registration === undefined) throw badInput(`Unknown consumer ${input.consumerId}`, { consumerId: input.consumerId });
    if (!registration.purposes.includes(input.purpose)) {
      throw badInput(`Purpose ${input.purpose} is not registered for consumer ${input.consumerId}`, {
        purpose: input.purpose,
        registeredPurposes: registration.purposes,
      });
    }
    if (input.fields.length === 0) throw badInput("fields must name at least one (provider, field) pair");
    if (input.fields.length > maxFields) throw badInput(`fields may name at most ${maxFields} pairs`);
    const unknown = input.fields.filter((f) => !catalogue.has(f));
    if (unknown.length > 0) {
      throw badInput(`Unknown field${unknown.length > 1 ? "s" : ""}: ${unknown.map(itemKey).join(", ")}`, {
        unknownFields: unknown.map((f) => ({ provider: f.provider, field: f.field })),
      });
    }
    return normaliseScope(input.fields);
  }

  async function openRequest(input: ScopeRequest): Promise<{ consent: ConsentView; created: boolean }> {
    const fields = await validate(input);
    const key = scopeKey(fields);
    const at = now();
    const row = await db.transaction(async (tx) => {
      const open = await findOpenIdentical(tx, { ...input, scopeKey: key }, at);
      if (open !== undefined) return { row: open, created: false };
      const id = newConsentId();
      await insertPending(tx, {
        id,
        consumerId: input.consumerId,
        citizenId: input.citizenId,
        purpose: input.purpose,
        scope: fields,
        scopeKey: key,
        createdAt: at,
        requestExpiresAt: new Date(at.getTime() + requestTtlMs),
      });
      await appendEvent(tx, id, { at, actor: `consumer:${input.consumerId}`, from: null, to: "PENDING", detail: {} });
      const inserted = await findConsent(tx, id);
      if (inserted === undefined) throw new Error("inserted consent not found");
      return { row: inserted, created: true };
    });
    metrics?.opened(row.created);
    return { consent: await view(row.row), created: row.created };
  }

  async function get(id: string, opts: { history?: boolean } = {}): Promise<ConsentView | undefined> {
    if (!consentIdPattern.test(id)) return undefined;
    const row = await findConsent(db, id);
    if (row === undefined) return undefined;
    return view(row, opts.history === true ? await listEvents(db, id) : undefined);
  }

  async function check(input: ScopeRequest & { readonly openRequest?: boolean }): Promise<CheckResult> {
    const fields = await validate(input);
    const at = now();
    const live = await liveConsents(db, input, at);
    const covered: (ScopeItem & { consentIds: string[]; validUntil: string })[] = [];
    const missing: ScopeItem[] = [];
    let validUntil: Date | null = null;
    for (const item of fields) {
      const matching = live.consents.filter((c) => c.scope.some((s) => s.provider === item.provider && s.field === item.field));
      if (matching.length === 0) {
        missing.push(item);
        continue;
      }
      const until = new Date(Math.max(...matching.map((c) => c.expiresAt.getTime())));
      if (validUntil === null || until < validUntil) validUntil = until;
      covered.push({ ...item, consentIds: matching.map((c) => c.id), validUntil: until.toISOString() });
    }
    const status = missing.length === 0 ? "covered" : covered.length === 0 ? "missing" : "partial";
    const result: CheckResult = {
      status,
      revision: live.revision,
      covered,
      missing,
      validUntil: isoOrNull(validUntil),
      checkedAt: at.toISOString(),
    };
    metrics?.checked(status);
    if (input.openRequest !== true || missing.length === 0) return result;
    const { consent } = await openRequest({ ...input, fields: missing });
    return {
      ...result,
      request: { consentRequestId: consent.consentId, consentUrl: consent.consentUrl, expiresAt: consent.requestExpiresAt },
    };
  }

  /** One state change: lock, check who and what, change, record, maybe bump; announce after commit. */
  async function transition(
    id: string,
    acting: Acting,
    guard: Guard | undefined,
    decide: (row: ConsentRow, at: Date) => { to: ConsentStatus; change: Parameters<typeof changeStatus>[3]; announce?: RevisionEvent["change"]; detail?: Record<string, unknown> },
  ): Promise<{ view: ConsentView; settlement?: Settlement }> {
    if (!consentIdPattern.test(id)) throw notFound(`No consent ${id}`);
    const at = now();
    const { row, event, to } = await db.transaction(async (tx) => {
      if (guard !== undefined) await guard(tx);
      const current = await findConsent(tx, id, true);
      if (current === undefined) throw notFound(`No consent ${id}`);
      if (current.citizenId !== acting.citizenId) throw forbidden("This consent is about another person");
      const decision = decide(current, at);
      if (!(await changeStatus(tx, id, current.status, decision.change))) throw conflict("The consent changed meanwhile; nothing was changed");
      await appendEvent(tx, id, {
        at,
        actor: `citizen:${acting.citizenId}`,
        from: current.status,
        to: decision.to,
        detail: { via: acting.via, ...decision.detail },
      });
      let announced: RevisionEvent | undefined;
      if (decision.announce !== undefined) {
        const base = { change: decision.announce, consentId: id, consumerId: current.consumerId, citizenId: current.citizenId, at: at.toISOString() };
        announced = { ...base, revision: await bumpRevision(tx, base) };
      }
      const changed = await findConsent(tx, id);
      if (changed === undefined) throw new Error("changed consent not found");
      return { row: changed, event: announced, to: decision.to };
    });
    const change = to === "ACTIVE" ? "granted" : to === "REJECTED" ? "rejected" : to === "REVOKED" ? "revoked" : undefined;
    if (change !== undefined) metrics?.changed(change, acting.via);
    if (event === undefined) return { view: await view(row) };
    feed.publish(event);
    // A revocation is answered once no gateway following the stream can answer from what it cached.
    const settlement = event.change === "revoked" ? await feed.settled(event.revision) : undefined;
    return { view: await view(row), ...(settlement === undefined ? {} : { settlement }) };
  }

  const changed = async (...args: Parameters<typeof transition>): Promise<ConsentView> => (await transition(...args)).view;

  function mustBePending(row: ConsentRow, at: Date): void {
    const status = effectiveStatus(row, at);
    if (status === "PENDING") return;
    if (row.status === "PENDING") {
      throw conflict("This consent request has expired unanswered; the application must ask again", { status });
    }
    throw conflict(`This consent request was already answered (${status})`, { status });
  }

  async function grant(id: string, acting: Acting & { readonly durationDays: number }, guard?: Guard): Promise<ConsentView> {
    return changed(id, acting, guard, (row, at) => {
      mustBePending(row, at);
      const max = maxDurationDays(row.purpose);
      const days = acting.durationDays;
      if (!Number.isInteger(days) || days < 1 || days > max) {
        throw badInput(`durationDays must be a whole number of days from 1 to ${max} for this purpose`, { maxDurationDays: max });
      }
      return {
        to: "ACTIVE",
        change: { status: "ACTIVE", decidedAt: at, grantedAt: at, expiresAt: new Date(at.getTime() + days * 86_400_000) },
        announce: "granted",
        detail: { durationDays: days },
      };
    });
  }

  async function reject(id: string, acting: Acting, guard?: Guard): Promise<ConsentView> {
    return changed(id, acting, guard, (row, at) => {
      mustBePending(row, at);
      return { to: "REJECTED", change: { status: "REJECTED", decidedAt: at } };
    });
  }

  async function revoke(id: string, acting: Acting, guard?: Guard): Promise<RevokedConsent> {
    const { view: revoked, settlement } = await transition(id, acting, guard, (row, at) => {
      const status = effectiveStatus(row, at);
      if (status !== "ACTIVE") throw conflict(`Only an active consent can be revoked; this one is ${status}`, { status });
      return { to: "REVOKED", change: { status: "REVOKED", revokedAt: at }, announce: "revoked" };
    });
    if (settlement === undefined) throw new Error("a revocation was not announced");
    const { at, acknowledged, lapsed, waitedMs } = settlement;
    return { ...revoked, effectiveEverywhere: true, effectiveAt: at.toISOString(), gateways: { acknowledged, lapsed, waitedMs } };
  }

  async function listCitizen(citizenId: string): Promise<ConsentView[]> {
    const rows = await listForCitizen(db, citizenId);
    return Promise.all(rows.map((r) => view(r)));
  }

  async function expireDue(): Promise<number> {
    const at = now();
    let changed = 0;
    for (const due of await dueForExpiry(db, at)) {
      const event = await db.transaction(async (tx) => {
        const row = await findConsent(tx, due.id, true);
        if (row === undefined || effectiveStatus(row, at) !== "EXPIRED" || row.status === "EXPIRED") return undefined;
        if (!(await changeStatus(tx, row.id, row.status, { status: "EXPIRED" }))) return undefined;
        await appendEvent(tx, row.id, { at, actor: "system:expiry", from: row.status, to: "EXPIRED", detail: {} });
        changed += 1;
        if (row.status !== "ACTIVE") return undefined;
        const base = { change: "expired" as const, consentId: row.id, consumerId: row.consumerId, citizenId: row.citizenId, at: at.toISOString() };
        return { ...base, revision: await bumpRevision(tx, base) };
      });
      if (event !== undefined) feed.publish(event);
    }
    if (changed > 0) metrics?.changed("expired", "system", changed);
    // Catch up on anything this process did not hear about (another instance, a lost notification).
    const revision = await currentRevision(db);
    if (revision > feed.latest) feed.publish({ revision, change: "resync", at: at.toISOString() });
    return changed;
  }

  return {
    catalogue,
    consumer,
    maxDurationDays,
    openRequest,
    get,
    check,
    grant,
    reject,
    revoke,
    listForCitizen: listCitizen,
    expireDue,
    revision: () => currentRevision(db),
  };
}
