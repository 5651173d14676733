/**
 * The consent check, `POST /v1/consents/check` on the consent engine, called by the gateway: which of a scope's
 * (provider, field) pairs the citizen's live grants cover for this consumer and purpose, at which revision, until
 * when; with `openRequest`, the consent request opened (or reused) for exactly the missing pairs.
 */
import type { JSONSchemaType } from "ajv";
import { contract } from "./contract.ts";

/** One (provider, "Type.field") pair of a data scope. */
export interface ScopeItem {
  readonly provider: string;
  readonly field: string;
}

/** A unit of time for a consent's frequency and data life. */
export type TermUnit = "HOUR" | "DAY" | "MONTH" | "YEAR";

/** A number of units: `{unit: "DAY", value: 3}`. */
export interface TermPeriod {
  readonly unit: TermUnit;
  readonly value: number;
}

/**
 * The terms a consumer proposes when it opens a consent request (issue 18); the citizen sees each in plain words
 * and grants them (the duration stays the citizen's choice). Every one is optional; the defaults are what a consent
 * meant before terms existed.
 */
export interface ConsentTerms {
  /** Not usable before this time. @default the moment of the grant */
  readonly start?: string;
  /** ONETIME: one use in all; PERIODIC: `frequency` uses per window. @default "PERIODIC" */
  readonly fetchType?: "ONETIME" | "PERIODIC";
  /** PERIODIC only: at most `value` uses per calendar `unit` (UTC). @default unlimited */
  readonly frequency?: TermPeriod;
  /** How long the consumer may keep what it read. @default no longer than the consent lasts */
  readonly dataLife?: TermPeriod;
}

/** What a consumer asks about a citizen: the scope of a check, or of a consent request. */
export interface ScopeRequest {
  readonly consumerId: string;
  readonly citizenId: string;
  readonly purpose: string;
  readonly fields: readonly ScopeItem[];
  /** With a request opened: the terms proposed. @default every term's default */
  readonly terms?: ConsentTerms;
}

export type ConsentCheckRequest = ScopeRequest & {
  /** Open (or reuse) a consent request for exactly the missing fields in the same call. */
  readonly openRequest?: boolean;
  /**
   * A decision about to read the data: when every field is covered, one use of each consent with a frequency that
   * the answer relies on is spent, atomically in the engine's database (no double spend across gateways).
   * @default false: a question only
   */
  readonly spend?: boolean;
};

/** Why a field with a live consent cannot be read now. */
export type WithheldReason = "PAUSED" | "NOT_STARTED" | "EXHAUSTED";

/** A field whose consents are all held back now: paused, not started yet, or used up for their window. */
export interface WithheldItem extends ScopeItem {
  readonly consentIds: readonly string[];
  /** PAUSED when any of them is paused; otherwise NOT_STARTED or EXHAUSTED. */
  readonly reason: WithheldReason;
  /** When one of them can be used again (its start, its next window), or null (paused; ONETIME used). */
  readonly renewsAt: string | null;
}

export interface CoveredItem extends ScopeItem {
  /** The live grants naming this field. */
  readonly consentIds: readonly string[];
  /** The latest of their expiries. */
  readonly validUntil: string;
}

/** A consent request opened (or reused) for what a check found missing; the consumer sends the citizen to `consentUrl`. */
export interface OpenedConsentRequest {
  readonly consentRequestId: string;
  readonly consentUrl: string;
  readonly expiresAt: string;
}

export interface ConsentCheckAnswer {
  /** covered: every field; partial: some; missing: none. */
  readonly status: "covered" | "partial" | "missing";
  /** The revision the answer was computed at; a cached answer is stale once a higher revision is announced. */
  readonly revision: number;
  readonly covered: readonly CoveredItem[];
  readonly missing: readonly ScopeItem[];
  /** When the answer stops being true by itself (the earliest expiry among the covered fields), or null. */
  readonly validUntil: string | null;
  readonly checkedAt: string;
  /** With `openRequest`, the request opened (or reused) for exactly the missing fields. */
  readonly request?: OpenedConsentRequest;
  /** Fields held back (not missing, not covered); the status is then never "covered". @default none */
  readonly withheld?: readonly WithheldItem[];
  /** A consent the answer relies on has a frequency: never answer from a cache (every use is spent). @default false */
  readonly metered?: boolean;
  /** The shortest data life among the consents relied on, or null (no longer than the consent). @default null */
  readonly dataLife?: TermPeriod | null;
}

const text = { type: "string" } as const;
const time = { type: "string", format: "date-time" } as const;
/** JSONSchemaType's form of "a time or null" for a required property. */
const timeOrNull = { anyOf: [time, { type: "null", nullable: true }] } as const;
const item = {
  type: "object",
  required: ["provider", "field"],
  properties: { provider: text, field: text },
} as const;

const unit = { type: "string", enum: ["HOUR", "DAY", "MONTH", "YEAR"] } as const;
const period = {
  type: "object",
  required: ["unit", "value"],
  properties: { unit, value: { type: "integer", minimum: 1 } },
} as const;

const answerSchema: JSONSchemaType<ConsentCheckAnswer> = {
  type: "object",
  required: ["status", "revision", "covered", "missing", "validUntil", "checkedAt"],
  properties: {
    status: { type: "string", enum: ["covered", "partial", "missing"] },
    revision: { type: "integer", minimum: 0 },
    covered: {
      type: "array",
      items: {
        type: "object",
        required: ["provider", "field", "consentIds", "validUntil"],
        properties: { provider: text, field: text, consentIds: { type: "array", items: text }, validUntil: time },
      },
    },
    missing: { type: "array", items: item },
    validUntil: timeOrNull,
    checkedAt: time,
    request: {
      type: "object",
      nullable: true,
      required: ["consentRequestId", "consentUrl", "expiresAt"],
      properties: { consentRequestId: text, consentUrl: text, expiresAt: time },
    },
    withheld: {
      type: "array",
      nullable: true,
      items: {
        type: "object",
        required: ["provider", "field", "consentIds", "reason", "renewsAt"],
        properties: {
          provider: text,
          field: text,
          consentIds: { type: "array", items: text },
          reason: { type: "string", enum: ["PAUSED", "NOT_STARTED", "EXHAUSTED"] },
          renewsAt: timeOrNull,
        },
      },
    },
    metered: { type: "boolean", nullable: true },
    dataLife: { ...period, nullable: true },
  },
};

const termsSchema: JSONSchemaType<ConsentTerms> = {
  type: "object",
  additionalProperties: false,
  properties: {
    start: { ...time, nullable: true },
    fetchType: { type: "string", enum: ["ONETIME", "PERIODIC"], nullable: true },
    frequency: { ...period, properties: { unit, value: { type: "integer", minimum: 1, maximum: 10_000 } }, nullable: true },
    dataLife: { ...period, properties: { unit, value: { type: "integer", minimum: 1, maximum: 10_000 } }, nullable: true },
  },
};

/** The terms a consumer proposes (the gateway reads them from the request's `X-Consent-Terms` header, JSON). */
export const consentTerms = contract<ConsentTerms>("consent terms", termsSchema);

/** The engine's answer to a check, as the gateway receives it. */
export const consentCheckAnswer = contract<ConsentCheckAnswer>("consent check answer", answerSchema);
