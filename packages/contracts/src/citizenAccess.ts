/**
 * A citizen's access records, `GET {gateway}/audit/citizens/{nic}/accesses` (gateway/src/audit/auditApi.ts), read by
 * the consent portal's "Who saw my data" (consent-engine/src/portal/accessHistory.ts): the decisions about one
 * citizen, newest first.
 */
import type { JSONSchemaType } from "ajv";
import type { ScopeItem } from "./consentCheck.ts";
import { contract } from "./contract.ts";

export interface CitizenAccess {
  /** The audit event's id. */
  readonly id: string;
  /** When, ISO 8601. */
  readonly at: string;
  readonly consumer: string | null;
  readonly purpose: string | null;
  /** "permit", "consent_required", "forbidden", "unauthenticated", "bad_request" (or a later one). */
  readonly decision: string | null;
  readonly fields: readonly ScopeItem[];
  readonly consentIds: readonly string[];
}

export interface CitizenAccessesAnswer {
  readonly citizenId: string;
  readonly accesses: readonly CitizenAccess[];
}

const text = { type: "string" } as const;
/** JSONSchemaType's form of "a string or null" for a required property. */
const textOrNull = { anyOf: [text, { type: "null", nullable: true }] } as const;

const answerSchema: JSONSchemaType<CitizenAccessesAnswer> = {
  type: "object",
  required: ["citizenId", "accesses"],
  properties: {
    citizenId: text,
    accesses: {
      type: "array",
      items: {
        type: "object",
        required: ["id", "at", "consumer", "purpose", "decision", "fields", "consentIds"],
        properties: {
          id: text,
          at: { type: "string", format: "date-time" },
          consumer: textOrNull,
          purpose: textOrNull,
          decision: textOrNull,
          fields: {
            type: "array",
            items: { type: "object", required: ["provider", "field"], properties: { provider: text, field: text } },
          },
          consentIds: { type: "array", items: text },
        },
      },
    },
  },
};

/** The gateway's answer, as the portal receives it. */
export const citizenAccessesAnswer = contract<CitizenAccessesAnswer>("citizen accesses answer", answerSchema);
