/**
 * The consent rules: open a request for a scope, check a (consumer, citizen, purpose, fields) tuple, grant, refuse,
 * revoke, list, expire. Every state change is one transaction holding the change, its event (who, when, from, to)
 * and, when a check's answer can change, the revision bump; subscribers hear of a new revision once it commits.
 * Each rule lives in its own file; this one puts them together behind one interface.
 */
import type { Db, Queryable } from "@ndx/platform";
import { unregisteredPurpose, type FieldCatalogue } from "./catalogue.ts";
import type { ConsentEvents } from "./consentMetrics.ts";
import { createDecisions } from "./consentDecisions.ts";
import { createExpirySweep } from "./consentExpiry.ts";
import { createConsentReads } from "./consentReads.ts";
import { createRequestOpening } from "./consentRequests.ts";
import { createPause, type PausedConsent } from "./consentPause.ts";
import { createRevocation, type RevokedConsent } from "./consentRevocation.ts";
import { currentRevision, type ConsentRow } from "./consentStore.ts";
import { consentSummary, type ConsentSummary } from "./consentSummary.ts";
import { createTransition, type Acting, type Guard } from "./consentTransition.ts";
import type { ConsentView } from "./consentView.ts";
import { createCoverageCheck, type CheckRequest, type CheckResult } from "./coverageCheck.ts";
import { purposeOf, type ApplicationRegister } from "./register/applicationRegister.ts";
import type { RevisionFeed } from "./revisionFeed.ts";
import type { DecisionAuthority } from "./guardianship/decisionAuthority.ts";
import { validateScopeRequest, type ScopeRequest } from "./scopeRequest.ts";

export type { Acting, CheckResult, Guard, PausedConsent, RevokedConsent, ScopeRequest };

export interface ConsentServiceOptions {
  readonly db: Db;
  readonly catalogue: FieldCatalogue;
  readonly feed: RevisionFeed;
  /** The applications, their purposes (texts, maximum consent durations) and status: the exchange's register. */
  readonly applications: ApplicationRegister;
  /** The portal's public base URL; a request's consentUrl is <portalUrl>/consent/<id>. */
  readonly portalUrl: string;
  /** How long a request waits for an answer. @default 3600 */
  readonly requestTtlSeconds?: number;
  /** The clock (tests move it). @default () => new Date() */
  readonly now?: () => Date;
  /** Told of checks, requests opened and state changes (consentMetrics.ts). @default none */
  readonly metrics?: ConsentEvents | undefined;
  /** Run in the transaction of each answer to a request: queues webhook notices (webhookDelivery.ts). @default none */
  readonly answered?: ((tx: Queryable, row: ConsentRow, at: Date) => Promise<void>) | undefined;
  /** Who may decide for a citizen: themselves, or a guardian the registry names for a minor (decisionAuthority.ts). @default themselves only */
  readonly authority?: DecisionAuthority | undefined;
}

export interface ConsentService {
  readonly catalogue: FieldCatalogue;
  readonly applications: ApplicationRegister;
  /** The longest a consent for this application's purpose may last (its last known registration; 0 when not registered). */
  maxDurationDays(consumerId: string, purpose: string): number;
  /** What the citizen reads for the purpose: its registered text, or that it is not a registered purpose. */
  purposeText(consumerId: string, purpose: string): string;
  openRequest(input: ScopeRequest): Promise<{ consent: ConsentView; created: boolean }>;
  get(id: string, options?: { history?: boolean }): Promise<ConsentView | undefined>;
  check(input: CheckRequest): Promise<CheckResult>;
  grant(id: string, acting: Acting & { readonly durationDays: number }, guard?: Guard): Promise<ConsentView>;
  reject(id: string, acting: Acting, guard?: Guard): Promise<ConsentView>;
  revoke(id: string, acting: Acting, guard?: Guard): Promise<RevokedConsent>;
  /** Holds an active consent back; answered once that holds on every gateway. */
  pause(id: string, acting: Acting, guard?: Guard): Promise<PausedConsent>;
  resume(id: string, acting: Acting, guard?: Guard): Promise<ConsentView>;
  listForCitizen(citizenId: string): Promise<ConsentView[]>;
  /** Counts of requests and answers per day and application over the last `days` days (no citizen in it). */
  summary(days: number): Promise<ConsentSummary>;
  /** Records EXPIRED for what is due and announces expired grants; returns how many changed. */
  expireDue(): Promise<number>;
  revision(): Promise<number>;
}

export function createConsentService(options: ConsentServiceOptions): ConsentService {
  const { db, catalogue, feed, metrics, applications } = options;
  const now = options.now ?? (() => new Date());
  const maxDurationDays = (consumerId: string, purpose: string): number =>
    purposeOf(applications.lastKnown(consumerId), purpose)?.maxConsentDays ?? 0;
  const purposeText = (consumerId: string, purpose: string): string =>
    purposeOf(applications.lastKnown(consumerId), purpose)?.text ?? unregisteredPurpose;

  const reads = createConsentReads({ db, now, portalUrl: options.portalUrl, applications, maxDurationDays });
  const validate = async (input: ScopeRequest) => validateScopeRequest(input, { application: (id) => applications.current(id), catalogue });
  const requestTtlMs = (options.requestTtlSeconds ?? 3600) * 1000;
  const openRequest = createRequestOpening({ db, now, requestTtlMs, validate, purposeText, view: reads.view, metrics });
  const transition = createTransition({ db, now, feed, view: reads.view, metrics, answered: options.answered, authority: options.authority });
  const decisions = createDecisions(transition, (id) => applications.current(id));

  return {
    catalogue,
    applications,
    maxDurationDays,
    purposeText,
    openRequest,
    get: reads.get,
    check: createCoverageCheck({ db, now, validate, openRequest, metrics }),
    grant: decisions.grant,
    reject: decisions.reject,
    revoke: createRevocation(transition),
    ...createPause(transition),
    listForCitizen: reads.listForCitizen,
    summary: (days) => consentSummary(db, { days, now: now(), applicationName: (id) => applications.lastKnown(id)?.name }),
    expireDue: createExpirySweep({ db, now, feed, metrics }),
    revision: () => currentRevision(db),
  };
}
