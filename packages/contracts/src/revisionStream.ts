/**
 * The consent engine's revision stream and its acknowledgements, between consent-engine (revisionStream.ts, api.ts)
 * and the gateway's follower (gateway/src/access/revisionFollower.ts). `GET /v1/revision/stream` sends Server-Sent
 * Events: first `event: revision` with the current revision and the subscriber id ({@link StreamOpened}), then one
 * `event: revision` per grant, revocation or expiry ({@link RevisionEvent}) and `event: heartbeat` with the latest
 * revision ({@link RevisionHeartbeat}). The follower acknowledges each with `POST /v1/revision/ack`
 * ({@link RevisionAck}); the answer ({@link RevisionAckAnswer}) says whether it was confirmed.
 */
import type { JSONSchemaType } from "ajv";
import { contract } from "./contract.ts";

/** A consent changed: every cached answer older than `revision` may be wrong. */
export interface ConsentChanged {
  readonly revision: number;
  /** paused and resumed: the citizen held a consent back, or let it be used again (issue 18). */
  readonly change: "granted" | "revoked" | "expired" | "paused" | "resumed";
  readonly consentId: string;
  readonly consumerId: string;
  readonly citizenId: string;
  readonly at: string;
}

/** The revision moved on without the engine seeing why (e.g. a lost database connection): drop everything older. */
export interface RevisionResync {
  readonly revision: number;
  readonly change: "resync";
  readonly at: string;
}

/** What the engine announces after a change commits. */
export type RevisionEvent = ConsentChanged | RevisionResync;

/** The stream's first event: the current revision and how this subscriber acknowledges. */
export interface StreamOpened {
  readonly revision: number;
  readonly change: "current";
  readonly at: string;
  /** The id the follower names in its acknowledgements. */
  readonly subscriber: string;
  /** A heartbeat comes this often. The engine always names it; a follower treats an engine that does not as one whose cache it must not trust. */
  readonly heartbeatMs?: number;
  /** The deadline: no cached answer is used once this long has passed since the last confirmed acknowledgement (named as heartbeatMs is). */
  readonly staleAfterMs?: number;
}

/** The data of an `event: revision`. */
export type RevisionStreamEvent = RevisionEvent | StreamOpened;

/** The data of an `event: heartbeat`: the latest revision. */
export interface RevisionHeartbeat {
  readonly revision: number;
  readonly at: string;
}

/** `POST /v1/revision/ack`: the subscriber has emptied its cache up to `revision`. */
export interface RevisionAck {
  readonly subscriber: string;
  readonly revision: number;
}

export interface RevisionAckAnswer {
  readonly subscriber: string;
  readonly revision: number;
  /** The newest revision there is. */
  readonly latest: number;
  /** The subscriber is up to date and may trust its cache for `staleAfterMs` from when it sent the acknowledgement. */
  readonly confirmed: boolean;
  readonly staleAfterMs: number;
}

const revision = { type: "integer", minimum: 0 } as const;
const text = { type: "string" } as const;
const time = { type: "string", format: "date-time" } as const;
const period = { type: "integer", minimum: 1, nullable: true } as const;

// By `change`, so that a problem is named in the branch the event says it is.
const streamEventSchema: JSONSchemaType<RevisionStreamEvent> = {
  type: "object",
  discriminator: { propertyName: "change" },
  oneOf: [
    {
      type: "object",
      required: ["revision", "change", "consentId", "consumerId", "citizenId", "at"],
      properties: {
        revision,
        change: { type: "string", enum: ["granted", "revoked", "expired", "paused", "resumed"] },
        consentId: text,
        consumerId: text,
        citizenId: text,
        at: time,
      },
    },
    { type: "object", required: ["revision", "change", "at"], properties: { revision, change: { type: "string", const: "resync" }, at: time } },
    {
      type: "object",
      required: ["revision", "change", "at", "subscriber"],
      properties: { revision, change: { type: "string", const: "current" }, at: time, subscriber: text, heartbeatMs: period, staleAfterMs: period },
    },
  ],
};

const heartbeatSchema: JSONSchemaType<RevisionHeartbeat> = {
  type: "object",
  required: ["revision", "at"],
  properties: { revision, at: time },
};

const ackAnswerSchema: JSONSchemaType<RevisionAckAnswer> = {
  type: "object",
  required: ["subscriber", "revision", "latest", "confirmed", "staleAfterMs"],
  properties: { subscriber: text, revision, latest: revision, confirmed: { type: "boolean" }, staleAfterMs: { type: "integer", minimum: 1 } },
};

export const revisionStreamEvent = contract<RevisionStreamEvent>("revision event", streamEventSchema);
export const revisionHeartbeat = contract<RevisionHeartbeat>("revision heartbeat", heartbeatSchema);
export const revisionAckAnswer = contract<RevisionAckAnswer>("revision acknowledgement answer", ackAnswerSchema);
