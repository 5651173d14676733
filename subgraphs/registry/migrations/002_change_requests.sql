-- Registers described by metadata, writes as change requests, envelope encryption, an outbox.
-- Every record of every register changes only when an approved change request is applied (see README.md).

-- The person register keeps its typed table; fields its metadata marks sensitive are stored here, encrypted.
ALTER TABLE person ADD COLUMN sealed jsonb NOT NULL DEFAULT '{}'::jsonb;

-- Records of registers whose metadata names no table of their own: one generic table for them all.
CREATE TABLE register_record (
  register text NOT NULL,
  id text NOT NULL,
  version integer NOT NULL CHECK (version > 0),
  -- The record's fields that are not sensitive, as JSON.
  fields jsonb NOT NULL,
  -- Its sensitive fields: field name -> AES-256-GCM ciphertext envelope (never plaintext).
  sealed jsonb NOT NULL DEFAULT '{}'::jsonb,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (register, id)
);

-- One data key per register, stored only wrapped by the key-encryption key (which never enters the database).
CREATE TABLE data_key (
  id text PRIMARY KEY,
  register text NOT NULL UNIQUE,
  kek_id text NOT NULL,
  wrapped text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  rewrapped_at timestamptz
);

CREATE TABLE change_request (
  id uuid PRIMARY KEY,
  -- Submission order, for keyset pagination.
  seq bigserial NOT NULL UNIQUE,
  register text NOT NULL,
  record_id text NOT NULL,
  operation text NOT NULL CHECK (operation IN ('CREATE', 'UPDATE', 'DELETE')),
  base_version integer,
  -- The payload's fields that are not sensitive; null for a deletion.
  payload jsonb,
  -- Its sensitive fields, encrypted like a record's.
  sealed_payload jsonb NOT NULL DEFAULT '{}'::jsonb,
  reason text NOT NULL,
  status text NOT NULL CHECK (status IN ('PENDING', 'APPROVED', 'REJECTED', 'WITHDRAWN')),
  submitted_by text NOT NULL,
  submitted_at timestamptz NOT NULL DEFAULT now(),
  idempotency_key text NOT NULL,
  -- Keyed digest of what was submitted: a replay with the same key must be the same request.
  request_digest text NOT NULL,
  -- Possible duplicates found when a create was submitted: [{recordId, reasons}].
  duplicates jsonb NOT NULL DEFAULT '[]'::jsonb,
  decided_by text,
  decided_at timestamptz,
  decision_comment text,
  applied_version integer,
  UNIQUE (submitted_by, idempotency_key)
);

CREATE INDEX change_request_status_seq ON change_request (status, seq);
CREATE INDEX change_request_record_seq ON change_request (register, record_id, seq);

-- Every state change of a change request: who, when, from which state to which, and why.
CREATE TABLE change_request_transition (
  id bigserial PRIMARY KEY,
  change_request_id uuid NOT NULL REFERENCES change_request (id),
  from_status text,
  to_status text NOT NULL,
  actor text NOT NULL,
  actor_roles text[] NOT NULL,
  comment text,
  at timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX change_request_transition_request ON change_request_transition (change_request_id, id);

-- Each version of each record: the change request that made it (null for records imported by the seed), who
-- submitted and who approved it, and the record as of that version (sensitive fields encrypted; null after deletion).
CREATE TABLE record_history (
  id bigserial PRIMARY KEY,
  register text NOT NULL,
  record_id text NOT NULL,
  version integer NOT NULL,
  operation text NOT NULL CHECK (operation IN ('IMPORT', 'CREATE', 'UPDATE', 'DELETE')),
  change_request_id uuid REFERENCES change_request (id),
  submitted_by text NOT NULL,
  approved_by text,
  fields jsonb,
  sealed jsonb,
  at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (register, record_id, version)
);

-- Keyed digests (HMAC) of each record's identifiers and of its normalised resemblance fields, to find possible
-- duplicates without storing, or being able to reveal, the values.
CREATE TABLE record_match (
  register text NOT NULL,
  record_id text NOT NULL,
  rule text NOT NULL,
  digest text NOT NULL,
  PRIMARY KEY (register, record_id, rule)
);

CREATE INDEX record_match_digest ON record_match (register, rule, digest);

-- The outbox: one event per applied change, written in the change's transaction. `outbox_head` hands out gapless
-- positions; its row lock orders the appliers, so positions become visible in order.
CREATE TABLE outbox_head (
  singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
  position bigint NOT NULL
);

INSERT INTO outbox_head (singleton, position) VALUES (true, 0);

CREATE TABLE outbox (
  position bigint PRIMARY KEY,
  event_id uuid NOT NULL UNIQUE,
  type text NOT NULL,
  register text NOT NULL,
  record_id text NOT NULL,
  version integer NOT NULL,
  change_request_id uuid NOT NULL REFERENCES change_request (id),
  body jsonb NOT NULL,
  occurred_at timestamptz NOT NULL DEFAULT now()
);
