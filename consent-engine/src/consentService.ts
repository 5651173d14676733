/**
 * The consent rules: open a request for a scope, check a (consumer, citizen, purpose, fields) tuple, grant, refuse,
 * revoke, list, expire. Every state change is one transaction holding the change, its event (who, when, from, to)
 * and, when a check's answer can change, the revision bump; subscribers hear of a new revision once it commits.
 * Each rule lives in its own file; this one puts them together behind one interface.
 */
import type { Db } from "@ndx/platform";
import type { FieldCatalogue } from "./catalogue.ts";
import type { ConsentEvents } from "./consentMetrics.ts";
import { createDecisions } from "./consentDecisions.ts";
import { createExpirySweep } from "./consentExpiry.ts";
import { createConsentReads } from "./consentReads.ts";
import { createRequestOpening } from "./consentRequests.ts";
import { createRevocation, type RevokedConsent } from "./consentRevocation.ts";
import { currentRevision } from "./consentStore.ts";
import { createTransition, type Acting, type Guard } from "./consentTransition.ts";
import type { ConsentView } from "./consentView.ts";
import type { ConsumerRegistration } from "./consumerStore.ts";
import { createCoverageCheck, type CheckRequest, type CheckResult } from "./coverageCheck.ts";
import type { RevisionFeed } from "./revisionFeed.ts";
import { validateScopeRequest, type ScopeRequest } from "./scopeRequest.ts";

export type { Acting, CheckResult, Guard, RevokedConsent, ScopeRequest };

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

export interface ConsentService {
  readonly catalogue: FieldCatalogue;
  consumer(id: string): Promise<ConsumerRegistration | undefined>;
  maxDurationDays(purpose: string): number;
  openRequest(input: ScopeRequest): Promise<{ consent: ConsentView; created: boolean }>;
  get(id: string, options?: { history?: boolean }): Promise<ConsentView | undefined>;
  check(input: CheckRequest): Promise<CheckResult>;
  grant(id: string, acting: Acting & { readonly durationDays: number }, guard?: Guard): Promise<ConsentView>;
  reject(id: string, acting: Acting, guard?: Guard): Promise<ConsentView>;
  revoke(id: string, acting: Acting, guard?: Guard): Promise<RevokedConsent>;
  listForCitizen(citizenId: string): Promise<ConsentView[]>;
  /** Records EXPIRED for what is due and announces expired grants; returns how many changed. */
  expireDue(): Promise<number>;
  revision(): Promise<number>;
}

export function createConsentService(options: ConsentServiceOptions): ConsentService {
  const { db, catalogue, feed, metrics } = options;
  const now = options.now ?? (() => new Date());
  const maxDays = options.maxDays ?? 30;
  const byPurpose = options.maxDaysByPurpose ?? {};
  const maxDurationDays = (purpose: string): number => byPurpose[purpose] ?? maxDays;

  const reads = createConsentReads({ db, now, portalUrl: options.portalUrl, maxDurationDays });
  const validate = (input: ScopeRequest) => validateScopeRequest(input, { consumer: reads.consumer, catalogue });
  const requestTtlMs = (options.requestTtlSeconds ?? 3600) * 1000;
  const openRequest = createRequestOpening({ db, now, requestTtlMs, validate, view: reads.view, metrics });
  const transition = createTransition({ db, now, feed, view: reads.view, metrics });
  const decisions = createDecisions(transition, maxDurationDays);

  return {
    catalogue,
    consumer: reads.consumer,
    maxDurationDays,
    openRequest,
    get: reads.get,
    check: createCoverageCheck({ db, now, validate, openRequest, metrics }),
    grant: decisions.grant,
    reject: decisions.reject,
    revoke: createRevocation(transition),
    listForCitizen: reads.listForCitizen,
    expireDue: createExpirySweep({ db, now, feed, metrics }),
    revision: () => currentRevision(db),
  };
}
