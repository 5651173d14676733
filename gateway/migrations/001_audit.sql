-- The audit trail: append-only and hash-chained. Each event carries the hash of the one before it in its chain
-- (one chain per gateway replica), so any change to a stored event breaks every link after it.
CREATE TABLE audit_event (
  chain text NOT NULL,
  seq bigint NOT NULL,
  id uuid NOT NULL UNIQUE,
  at timestamptz NOT NULL,
  kind text NOT NULL CHECK (kind IN ('decision', 'outcome')),
  trace_id text NOT NULL,
  caller text,
  consumer text,
  purpose text,
  operation_name text,
  subjects text[] NOT NULL DEFAULT '{}',
  fields jsonb NOT NULL DEFAULT '[]',
  consent_ids text[] NOT NULL DEFAULT '{}',
  policy_revision text,
  decision text,
  reasons jsonb NOT NULL DEFAULT '[]',
  decision_id uuid,
  outcome text,
  prev_hash text NOT NULL,
  hash text NOT NULL,
  PRIMARY KEY (chain, seq)
);

CREATE INDEX audit_event_subjects ON audit_event USING gin (subjects);

CREATE FUNCTION audit_event_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'the audit trail is append-only: % refused', TG_OP USING ERRCODE = 'insufficient_privilege';
END
$$;

CREATE TRIGGER audit_event_append_only BEFORE UPDATE OR DELETE ON audit_event
  FOR EACH ROW EXECUTE FUNCTION audit_event_refuse_change();

CREATE TRIGGER audit_event_no_truncate BEFORE TRUNCATE ON audit_event
  FOR EACH STATEMENT EXECUTE FUNCTION audit_event_refuse_change();
