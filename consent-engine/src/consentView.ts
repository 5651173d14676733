/** A consent as the API and the portal show it: its status now, its times in ISO 8601, where the citizen answers it. */
import { randomBytes } from "node:crypto";
import type { ConsentTerms } from "@ndx/contracts";
import type { ConsentEvent, ConsentRow, ConsentStatus } from "./consentStore.ts";
import { wireTerms } from "./consentTerms.ts";
import { dataScope, type DataScope } from "./scope.ts";

export interface ConsentHistoryEntry {
  readonly at: string;
  readonly actor: string;
  readonly from: ConsentStatus | null;
  readonly to: ConsentStatus;
}

/** Who answered a request: the citizen themselves, or their guardian (with the basis the registry gave). */
export interface DecidedBy {
  readonly nic: string;
  readonly role: "principal" | "guardian";
  /** e.g. "guardian per household HH-IB-000412"; null when the citizen answered themselves. */
  readonly basis: string | null;
}

export interface ConsentView {
  readonly consentId: string;
  /** The same id: a consent starts life as the request for it. */
  readonly consentRequestId: string;
  readonly citizenId: string;
  readonly consumerId: string;
  readonly consumerName: string;
  readonly purpose: string;
  readonly dataScope: DataScope;
  /** The status now: a request or grant past its time is EXPIRED even before the sweeper records it. */
  readonly status: ConsentStatus;
  readonly createdAt: string;
  readonly requestExpiresAt: string;
  readonly decidedAt: string | null;
  readonly grantedAt: string | null;
  readonly expiresAt: string | null;
  readonly revokedAt: string | null;
  readonly consentUrl: string;
  readonly maxDurationDays: number;
  /** The artefact's terms (only those that differ from the default: consent-engine/README.md#the-consent-artefact). */
  readonly terms: ConsentTerms;
  /** The purpose's text as registered when granted (what the citizen read), or when asked until then; null for older consents. */
  readonly purposeText: string | null;
  readonly pausedAt: string | null;
  /** SUPERSEDED: the request that replaced this one. */
  readonly supersededBy: string | null;
  readonly history?: readonly ConsentHistoryEntry[];
  /** With the history: who answered the request (null: not answered). */
  readonly decidedBy?: DecidedBy | null;
}

export const consentIdPattern = /^cns_[A-Za-z0-9_-]{22}$/;

export function newConsentId(): string {
  return `cns_${randomBytes(16).toString("base64url")}`;
}

export function effectiveStatus(row: ConsentRow, now: Date): ConsentStatus {
  if (row.status === "PENDING" && row.requestExpiresAt <= now) return "EXPIRED";
  if ((row.status === "ACTIVE" || row.status === "PAUSED") && row.expiresAt !== null && row.expiresAt <= now) return "EXPIRED";
  return row.status;
}

export const isoOrNull = (d: Date | null): string | null => (d === null ? null : d.toISOString());

/** What a view needs beyond the row. */
export interface ViewContext {
  readonly consumerName: string;
  readonly now: Date;
  readonly consentUrl: string;
  readonly maxDurationDays: number;
}

export function consentView(row: ConsentRow, context: ViewContext, history?: readonly ConsentEvent[]): ConsentView {
  return {
    consentId: row.id,
    consentRequestId: row.id,
    citizenId: row.citizenId,
    consumerId: row.consumerId,
    consumerName: context.consumerName,
    purpose: row.purpose,
    dataScope: dataScope(row.scope),
    status: effectiveStatus(row, context.now),
    createdAt: row.createdAt.toISOString(),
    requestExpiresAt: row.requestExpiresAt.toISOString(),
    decidedAt: isoOrNull(row.decidedAt),
    grantedAt: isoOrNull(row.grantedAt),
    expiresAt: isoOrNull(row.expiresAt),
    revokedAt: isoOrNull(row.revokedAt),
    consentUrl: context.consentUrl,
    maxDurationDays: context.maxDurationDays,
    terms: wireTerms(row.terms),
    purposeText: row.purposeText,
    pausedAt: isoOrNull(row.pausedAt),
    supersededBy: row.supersededBy,
    ...(history === undefined
      ? {}
      : { history: history.map((e) => ({ at: e.at.toISOString(), actor: e.actor, from: e.from, to: e.to })), decidedBy: decidedBy(history) }),
  };
}

/** The answer to the request (PENDING → ACTIVE or REJECTED) and who gave it, from the append-only events. */
function decidedBy(history: readonly ConsentEvent[]): DecidedBy | null {
  const answer = history.find((e) => e.from === "PENDING" && (e.to === "ACTIVE" || e.to === "REJECTED"));
  if (answer === undefined) return null;
  const [kind, nic = ""] = answer.actor.split(":");
  const basis = answer.detail["basis"];
  return kind === "guardian" ? { nic, role: "guardian", basis: typeof basis === "string" ? basis : null } : { nic, role: "principal", basis: null };
}
