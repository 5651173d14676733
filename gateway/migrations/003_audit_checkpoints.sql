-- Signed, time-stamped checkpoints of the audit chains (issue 19, docs/evidence.md). Each row is one chain's head
-- (seq, hash) signed by the gateway's checkpoint key as a compact JWS; `tst` is the RFC 3161 time-stamp token (DER,
-- base64) over the SHA-256 of that JWS, added when the time-stamping authority answers. A rebuilt chain no longer
-- matches the signed heads. Append-only like the events: the token may be added once, nothing else changes.
CREATE TABLE audit_checkpoint (
  chain text NOT NULL,
  seq bigint NOT NULL,
  hash text NOT NULL,
  at timestamptz NOT NULL,
  policy_revision text,
  kid text NOT NULL,
  jws text NOT NULL,
  tst text,
  tst_at timestamptz,
  PRIMARY KEY (chain, seq)
);

CREATE INDEX audit_checkpoint_unstamped ON audit_checkpoint (chain, seq) WHERE tst IS NULL;

CREATE FUNCTION audit_checkpoint_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'UPDATE' AND OLD.tst IS NULL AND NEW.tst IS NOT NULL
     AND (NEW.chain, NEW.seq, NEW.hash, NEW.at, NEW.kid, NEW.jws) IS NOT DISTINCT FROM (OLD.chain, OLD.seq, OLD.hash, OLD.at, OLD.kid, OLD.jws)
     AND NEW.policy_revision IS NOT DISTINCT FROM OLD.policy_revision THEN
    RETURN NEW;
  END IF;
  RAISE EXCEPTION 'audit checkpoints are append-only: % refused', TG_OP USING ERRCODE = 'insufficient_privilege';
END
$$;

CREATE TRIGGER audit_checkpoint_append_only BEFORE UPDATE OR DELETE ON audit_checkpoint
  FOR EACH ROW EXECUTE FUNCTION audit_checkpoint_refuse_change();

CREATE TRIGGER audit_checkpoint_no_truncate BEFORE TRUNCATE ON audit_checkpoint
  FOR EACH STATEMENT EXECUTE FUNCTION audit_checkpoint_refuse_change();
