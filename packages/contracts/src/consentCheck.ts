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

/** What a consumer asks about a citizen: the scope of a check, or of a consent request. */
export interface ScopeRequest {
  readonly consumerId: string;
  readonly citizenId: string;
  readonly purpose: string;
  readonly fields: readonly ScopeItem[];
}

export type ConsentCheckRequest = ScopeRequest & {
  /** Open (or reuse) a consent request for exactly the missing fields in the same call. */
  readonly openRequest?: boolean;
};

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
  },
};

/** The engine's answer to a check, as the gateway receives it. */
export const consentCheckAnswer = contract<ConsentCheckAnswer>("consent check answer", answerSchema);
