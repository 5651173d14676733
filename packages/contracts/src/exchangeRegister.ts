/**
 * The exchange's register as its followers read it: between subgraphs/exchange (which keeps members, applications and
 * field grants) and the parts that enforce them without a restart — the gateway (policy data: who may read what, for
 * which purpose, until when; suspensions) and the consent engine (application names, purpose texts, redirect URIs;
 * suspensions).
 *
 * `GET /v1/register` (bearer `EXCHANGE_SERVICE_TOKEN`) answers the whole {@link ExchangeRegister} at its revision.
 * `GET /v1/register/stream` sends Server-Sent Events: first `event: revision` with the current revision and the
 * stream's periods ({@link RegisterRevision}), then one `event: revision` per committed change, and `event: heartbeat`
 * ({@link RegisterRevision} without periods) every `heartbeatMs`. A follower fetches the register whenever it hears a
 * revision newer than the one it applied, and acknowledges each revision it holds with `POST /v1/register/ack`
 * ({@link RegisterAck}, naming the `subscriber` of the stream's first event); the answer ({@link RegisterAckAnswer})
 * says whether it was *confirmed* (the revision is the latest). What a follower holds is current only while its last
 * confirmed acknowledgement was *sent* less than `staleAfterMs` ago; past that it refuses what depends on the register.
 * The exchange answers a tightening change (a grant revoked, an application suspended) only once every follower has
 * acknowledged it or passed that bound, so the very next request after the answer is decided on the new register.
 */
import type { JSONSchemaType } from "ajv";
import { contract } from "./contract.ts";

export type RegisterDataClass = "PUBLIC" | "INTERNAL" | "PERSONAL" | "SENSITIVE";

/** A registered text in another language than the application's. */
export interface RegisterTranslation {
  /** BCP 47 language tag, e.g. `fr`, `ar`, `fr-CA`. */
  readonly language: string;
  readonly text: string;
}

export interface RegisterPurpose {
  /** Unique across the exchange; what a request declares in `X-Purpose`. */
  readonly code: string;
  /** What the citizen reads on the consent page. */
  readonly text: string;
  readonly legalBasis: string;
  /** The longest a citizen's consent for it may last. */
  readonly maxConsentDays: number;
  /** The longest a field grant for it may last. */
  readonly maxGrantDays: number;
  /**
   * `text` in other languages (issue 22). Added after the first version: a register without it is read as carrying
   * no translation.
   */
  readonly translations?: readonly RegisterTranslation[];
}

/** A live grant: approved, not revoked, not yet ended. */
export interface RegisterGrant {
  readonly id: string;
  readonly purpose: string;
  readonly provider: string;
  /** `Type.field` */
  readonly field: string;
  /** ISO 8601; the grant no longer applies from this instant (followers drop it then without waiting for an event). */
  readonly endsAt: string;
}

export interface RegisterApplication {
  /** Its OAuth client id: the `client_id` of its access tokens, the consumer id everywhere else. */
  readonly id: string;
  readonly name: string;
  readonly description: string;
  /**
   * The BCP 47 tag of the language its name, description and purpose texts are registered in. Added after the first
   * version: absent is `en`.
   */
  readonly language?: string;
  /** `name` in other languages. Added after the first version: absent is none. */
  readonly nameTranslations?: readonly RegisterTranslation[];
  readonly member: { readonly code: string; readonly name: string };
  readonly status: "ACTIVE" | "SUSPENDED";
  /** Exact-match redirect URIs for the consent portal. */
  readonly redirectUris: readonly string[];
  readonly purposes: readonly RegisterPurpose[];
  /** The most protected data class it is cleared for. */
  readonly clearance: RegisterDataClass;
  /** Whether it may read personal data without naming the citizen. */
  readonly bulkAccess: boolean;
  readonly grants: readonly RegisterGrant[];
}

/** A member of the exchange: the providers it operates and its people (account names and their member roles). */
export interface RegisterMember {
  readonly code: string;
  readonly name: string;
  /** The providers (subgraphs) it operates. */
  readonly providers: readonly string[];
  readonly people: readonly { readonly username: string; readonly role: "MEMBER_ADMIN" | "PROVIDER_DATA_OWNER" }[];
}

export interface ExchangeRegister {
  readonly revision: number;
  readonly at: string;
  readonly applications: readonly RegisterApplication[];
  /**
   * Every member, for what a member may see of the exchange's traffic (the gateway's operational records). Added
   * after the first version: a register without it is read as naming no member.
   */
  readonly members?: readonly RegisterMember[];
}

/** The data of `event: revision` and `event: heartbeat` on the register stream. */
export interface RegisterRevision {
  readonly revision: number;
  readonly at: string;
  /** On the first event: a heartbeat comes this often. */
  readonly heartbeatMs?: number;
  /** On the first event: what a follower holds is stale once its last confirmed acknowledgement was sent this long ago. */
  readonly staleAfterMs?: number;
  /** On the first event: the id the follower names in its acknowledgements (`POST /v1/register/ack`). */
  readonly subscriber?: string;
}

/** `POST /v1/register/ack`: the subscriber holds the register at `revision`. */
export interface RegisterAck {
  readonly subscriber: string;
  readonly revision: number;
}

export interface RegisterAckAnswer {
  /** `revision` is at least `latest`: what the subscriber holds is current for `staleAfterMs` from when it sent this. */
  readonly confirmed: boolean;
  /** The newest revision there is. */
  readonly latest: number;
  readonly staleAfterMs: number;
}

const text = { type: "string" } as const;
const time = { type: "string", format: "date-time" } as const;
const days = { type: "integer", minimum: 1 } as const;
const period = { type: "integer", minimum: 1, nullable: true } as const;
const dataClass = { type: "string", enum: ["PUBLIC", "INTERNAL", "PERSONAL", "SENSITIVE"] } as const;

const language = { type: "string", minLength: 2, maxLength: 35, pattern: "^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*$" } as const;
const translations = {
  type: "array",
  nullable: true,
  items: { type: "object", required: ["language", "text"], properties: { language, text } },
} as const;

const purposeSchema: JSONSchemaType<RegisterPurpose> = {
  type: "object",
  required: ["code", "text", "legalBasis", "maxConsentDays", "maxGrantDays"],
  properties: { code: text, text, legalBasis: text, maxConsentDays: days, maxGrantDays: days, translations },
};

const grantSchema: JSONSchemaType<RegisterGrant> = {
  type: "object",
  required: ["id", "purpose", "provider", "field", "endsAt"],
  properties: { id: text, purpose: text, provider: text, field: text, endsAt: time },
};

const applicationSchema: JSONSchemaType<RegisterApplication> = {
  type: "object",
  required: ["id", "name", "description", "member", "status", "redirectUris", "purposes", "clearance", "bulkAccess", "grants"],
  properties: {
    id: text,
    name: text,
    description: text,
    language: { ...language, nullable: true },
    nameTranslations: translations,
    member: { type: "object", required: ["code", "name"], properties: { code: text, name: text } },
    status: { type: "string", enum: ["ACTIVE", "SUSPENDED"] },
    redirectUris: { type: "array", items: text },
    purposes: { type: "array", items: purposeSchema },
    clearance: dataClass,
    bulkAccess: { type: "boolean" },
    grants: { type: "array", items: grantSchema },
  },
};

const memberSchema: JSONSchemaType<RegisterMember> = {
  type: "object",
  required: ["code", "name", "providers", "people"],
  properties: {
    code: text,
    name: text,
    providers: { type: "array", items: text },
    people: {
      type: "array",
      items: {
        type: "object",
        required: ["username", "role"],
        properties: { username: text, role: { type: "string", enum: ["MEMBER_ADMIN", "PROVIDER_DATA_OWNER"] } },
      },
    },
  },
};

const registerSchema: JSONSchemaType<ExchangeRegister> = {
  type: "object",
  required: ["revision", "at", "applications"],
  properties: {
    revision: { type: "integer", minimum: 0 },
    at: time,
    applications: { type: "array", items: applicationSchema },
    members: { type: "array", items: memberSchema, nullable: true },
  },
};

const revisionSchema: JSONSchemaType<RegisterRevision> = {
  type: "object",
  required: ["revision", "at"],
  properties: {
    revision: { type: "integer", minimum: 0 },
    at: time,
    heartbeatMs: period,
    staleAfterMs: period,
    subscriber: { type: "string", minLength: 1, maxLength: 64, nullable: true },
  },
};

const ackSchema: JSONSchemaType<RegisterAck> = {
  type: "object",
  required: ["subscriber", "revision"],
  properties: { subscriber: { type: "string", minLength: 1, maxLength: 64 }, revision: { type: "integer", minimum: 0 } },
};

const ackAnswerSchema: JSONSchemaType<RegisterAckAnswer> = {
  type: "object",
  required: ["confirmed", "latest", "staleAfterMs"],
  properties: { confirmed: { type: "boolean" }, latest: { type: "integer", minimum: 0 }, staleAfterMs: { type: "integer", minimum: 1 } },
};

export const exchangeRegister = contract<ExchangeRegister>("exchange register", registerSchema);
export const registerRevision = contract<RegisterRevision>("exchange register revision", revisionSchema);
export const registerAck = contract<RegisterAck>("exchange register acknowledgement", ackSchema);
export const registerAckAnswer = contract<RegisterAckAnswer>("exchange register acknowledgement answer", ackAnswerSchema);
