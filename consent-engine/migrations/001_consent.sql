-- Consumer applications that may ask for consent, seeded from the fixtures.
CREATE TABLE consumers (
  id            text PRIMARY KEY,
  name          text NOT NULL,
  purposes      jsonb NOT NULL,
  redirect_uris jsonb NOT NULL,
  updated_at    timestamptz NOT NULL
);

-- One row per consent: opened as a request (PENDING), then granted (ACTIVE) or refused (REJECTED), later REVOKED or
-- EXPIRED. `status` is the current state; every change is also a row of consent_events.
CREATE TABLE consents (
  id                 text PRIMARY KEY,
  consumer_id        text NOT NULL REFERENCES consumers (id),
  citizen_id         text NOT NULL,
  purpose            text NOT NULL,
  -- [{provider, field}], sorted; scope_key is the same, canonical, for finding an identical pending request.
  scope              jsonb NOT NULL,
  scope_key          text NOT NULL,
  status             text NOT NULL CHECK (status IN ('PENDING', 'ACTIVE', 'REJECTED', 'REVOKED', 'EXPIRED')),
  created_at         timestamptz NOT NULL,
  request_expires_at timestamptz NOT NULL,
  decided_at         timestamptz,
  granted_at         timestamptz,
  expires_at         timestamptz,
  revoked_at         timestamptz,
  CHECK (status <> 'ACTIVE' OR (granted_at IS NOT NULL AND expires_at IS NOT NULL))
);

-- The check: this consumer's live consents for this citizen and purpose.
CREATE INDEX consents_check ON consents (consumer_id, citizen_id, purpose) WHERE status = 'ACTIVE';
CREATE INDEX consents_citizen ON consents (citizen_id, created_at DESC);
CREATE INDEX consents_pending ON consents (request_expires_at) WHERE status = 'PENDING';
CREATE INDEX consents_active_expiry ON consents (expires_at) WHERE status = 'ACTIVE';

-- Every state change: who, when, from, to. Append-only: the trigger below refuses updates and deletes.
CREATE TABLE consent_events (
  id          bigserial PRIMARY KEY,
  consent_id  text NOT NULL REFERENCES consents (id),
  at          timestamptz NOT NULL,
  actor       text NOT NULL,
  from_status text,
  to_status   text NOT NULL,
  detail      jsonb NOT NULL DEFAULT '{}'::jsonb
);
CREATE INDEX consent_events_consent ON consent_events (consent_id, id);

CREATE FUNCTION consent_events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'consent_events is append-only';
END
$$;
CREATE TRIGGER consent_events_no_rewrite BEFORE UPDATE OR DELETE ON consent_events
  FOR EACH ROW EXECUTE FUNCTION consent_events_append_only();
CREATE TRIGGER consent_events_no_truncate BEFORE TRUNCATE ON consent_events
  FOR EACH STATEMENT EXECUTE FUNCTION consent_events_append_only();

-- A counter raised in the same transaction as every change that can alter a check's answer (grant, revoke,
-- expiry). A cached answer carries the revision it was computed at; a higher revision invalidates it.
CREATE TABLE consent_revision (
  singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
  value     bigint NOT NULL
);
INSERT INTO consent_revision (singleton, value) VALUES (true, 0);

-- Portal sessions (the cookie holds a random id; only its hash is stored) and one-time form tokens (CSRF).
CREATE TABLE portal_sessions (
  id_hash    text PRIMARY KEY,
  created_at timestamptz NOT NULL,
  expires_at timestamptz NOT NULL,
  data       jsonb NOT NULL
);
CREATE INDEX portal_sessions_expiry ON portal_sessions (expires_at);

CREATE TABLE portal_form_tokens (
  token_hash   text PRIMARY KEY,
  session_hash text NOT NULL,
  action       text NOT NULL,
  target       text NOT NULL,
  data         jsonb NOT NULL,
  created_at   timestamptz NOT NULL,
  expires_at   timestamptz NOT NULL,
  used_at      timestamptz
);
CREATE INDEX portal_form_tokens_expiry ON portal_form_tokens (expires_at);
