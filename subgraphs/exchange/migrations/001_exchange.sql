-- The exchange's register: members and their people, applications (OAuth clients) with their purposes, grant requests
-- with one part per provider, and the field grants they make live. `exchange_revision` moves in the same transaction
-- as every change; followers (gateway replicas, the consent engine) refetch the register when it moves.

CREATE TABLE exchange_revision (
  id boolean PRIMARY KEY DEFAULT true CHECK (id),
  revision bigint NOT NULL,
  changed_at timestamptz NOT NULL
);
INSERT INTO exchange_revision (id, revision, changed_at) VALUES (true, 0, now());

CREATE TABLE member (
  code text PRIMARY KEY,
  name text NOT NULL,
  contact_email text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);

-- A provider (subgraph) is operated by one member at most.
CREATE TABLE member_provider (
  provider text PRIMARY KEY,
  member_code text NOT NULL REFERENCES member (code)
);
CREATE INDEX member_provider_member ON member_provider (member_code);

CREATE TABLE member_person (
  member_code text NOT NULL REFERENCES member (code),
  username text NOT NULL,
  role text NOT NULL CHECK (role IN ('MEMBER_ADMIN', 'PROVIDER_DATA_OWNER')),
  PRIMARY KEY (member_code, username)
);
CREATE INDEX member_person_username ON member_person (username);

CREATE TABLE application (
  id text PRIMARY KEY,
  member_code text NOT NULL REFERENCES member (code),
  name text NOT NULL,
  description text NOT NULL,
  redirect_uris jsonb NOT NULL,
  auth_method text NOT NULL CHECK (auth_method IN ('CLIENT_SECRET_BASIC', 'PRIVATE_KEY_JWT')),
  client_registration text NOT NULL CHECK (client_registration IN ('STATIC', 'DYNAMIC')),
  -- DYNAMIC only: the RFC 7592 registration access token and client URI, sealed with AES-256-GCM (EXCHANGE_SECRET_KEY).
  registration_sealed text,
  clearance text NOT NULL DEFAULT 'PERSONAL' CHECK (clearance IN ('PUBLIC', 'INTERNAL', 'PERSONAL', 'SENSITIVE')),
  bulk_access boolean NOT NULL DEFAULT false,
  status text NOT NULL DEFAULT 'ACTIVE' CHECK (status IN ('ACTIVE', 'SUSPENDED')),
  suspended_reason text,
  created_at timestamptz NOT NULL DEFAULT now(),
  secret_issued_at timestamptz,
  CHECK ((client_registration = 'DYNAMIC') = (registration_sealed IS NOT NULL))
);
CREATE INDEX application_member ON application (member_code);

-- Purpose codes are unique across the exchange: a request's X-Purpose names one application's purpose.
CREATE TABLE purpose (
  code text PRIMARY KEY,
  application_id text NOT NULL REFERENCES application (id),
  position integer NOT NULL,
  text text NOT NULL,
  legal_basis text NOT NULL,
  max_consent_days integer NOT NULL CHECK (max_consent_days BETWEEN 1 AND 365),
  max_grant_days integer NOT NULL CHECK (max_grant_days BETWEEN 1 AND 1825)
);
CREATE INDEX purpose_application ON purpose (application_id);

CREATE TABLE grant_request (
  id text PRIMARY KEY,
  application_id text NOT NULL REFERENCES application (id),
  purpose_code text NOT NULL REFERENCES purpose (code),
  justification text NOT NULL,
  ends_at timestamptz NOT NULL,
  status text NOT NULL CHECK (status IN ('PROVIDER_REVIEW', 'EXCHANGE_REVIEW', 'APPROVED', 'REJECTED', 'WITHDRAWN')),
  requested_by text NOT NULL,
  requested_at timestamptz NOT NULL DEFAULT now(),
  decided_by text,
  decided_at timestamptz,
  comment text
);
CREATE INDEX grant_request_application ON grant_request (application_id);

CREATE TABLE grant_request_part (
  request_id text NOT NULL REFERENCES grant_request (id),
  provider text NOT NULL,
  -- The `Type.field` coordinates asked of this provider, in order.
  fields jsonb NOT NULL,
  status text NOT NULL DEFAULT 'PENDING' CHECK (status IN ('PENDING', 'APPROVED', 'REJECTED')),
  reviewed_by text,
  reviewed_at timestamptz,
  comment text,
  PRIMARY KEY (request_id, provider)
);
CREATE INDEX grant_request_part_provider ON grant_request_part (provider);

CREATE TABLE field_grant (
  id text PRIMARY KEY,
  application_id text NOT NULL REFERENCES application (id),
  purpose_code text NOT NULL REFERENCES purpose (code),
  provider text NOT NULL,
  coordinate text NOT NULL,
  ends_at timestamptz NOT NULL,
  granted_at timestamptz NOT NULL DEFAULT now(),
  -- Null for grants seeded in a development database.
  request_id text REFERENCES grant_request (id),
  revoked_at timestamptz,
  revoked_by text,
  revoke_reason text
);
CREATE INDEX field_grant_application ON field_grant (application_id);

-- Who did what, with the state before and after and the gateway's decision: appended, never changed.
CREATE TABLE admin_history (
  position bigserial PRIMARY KEY,
  at timestamptz NOT NULL DEFAULT now(),
  actor text NOT NULL,
  action text NOT NULL,
  target text NOT NULL,
  before jsonb,
  after jsonb,
  decision_id text,
  revision bigint NOT NULL
);

CREATE FUNCTION admin_history_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'admin_history is append-only';
END;
$$;

CREATE TRIGGER admin_history_append_only BEFORE UPDATE OR DELETE ON admin_history
  FOR EACH ROW EXECUTE FUNCTION admin_history_append_only();
