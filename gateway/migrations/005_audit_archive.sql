-- The audit archive (issue 19 item 5, docs/evidence.md): events older than AUDIT_HOT_RETENTION_DAYS leave the hot
-- table for signed, time-stamped evidence packages in the archive store. Each row records one package: the chain
-- range it holds (it ends at a checkpoint), the previous hash of its first event and the hash of its last, the
-- package's name in the store and its SHA-256. The archiver writes the package, reads it back and verifies it, then
-- records it here, then removes its events from audit_event and sets removed_at, in one transaction.
CREATE TABLE audit_archive (
  chain text NOT NULL,
  from_seq bigint NOT NULL,
  to_seq bigint NOT NULL,
  first_prev_hash text NOT NULL,
  last_hash text NOT NULL,
  name text NOT NULL UNIQUE,
  sha256 text NOT NULL,
  archived_at timestamptz NOT NULL DEFAULT now(),
  removed_at timestamptz,
  PRIMARY KEY (chain, from_seq),
  CHECK (to_seq >= from_seq)
);

-- A record is accepted only where it continues the chain's archive and matches the hot events it covers: every one
-- of them present, the first's previous hash and the last's hash as recorded (so a record cannot be made for events
-- that are not there, or for a range with a gap). Then it changes once (removed_at set) and is never deleted.
CREATE FUNCTION audit_archive_guard() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  expected bigint;
BEGIN
  IF TG_OP = 'INSERT' THEN
    SELECT COALESCE(max(to_seq), 0) + 1 INTO expected FROM audit_archive WHERE chain = NEW.chain;
    IF NEW.from_seq <> expected THEN
      RAISE EXCEPTION 'audit archive of chain % must start at event %', NEW.chain, expected USING ERRCODE = 'check_violation';
    END IF;
    IF (SELECT count(*) FROM audit_event WHERE chain = NEW.chain AND seq BETWEEN NEW.from_seq AND NEW.to_seq) <> NEW.to_seq - NEW.from_seq + 1
       OR NOT EXISTS (SELECT 1 FROM audit_event WHERE chain = NEW.chain AND seq = NEW.from_seq AND prev_hash = NEW.first_prev_hash)
       OR NOT EXISTS (SELECT 1 FROM audit_event WHERE chain = NEW.chain AND seq = NEW.to_seq AND hash = NEW.last_hash) THEN
      RAISE EXCEPTION 'audit archive of chain % does not match its events % to %', NEW.chain, NEW.from_seq, NEW.to_seq USING ERRCODE = 'check_violation';
    END IF;
    RETURN NEW;
  END IF;
  IF TG_OP = 'UPDATE' AND OLD.removed_at IS NULL AND NEW.removed_at IS NOT NULL
     AND (NEW.chain, NEW.from_seq, NEW.to_seq, NEW.first_prev_hash, NEW.last_hash, NEW.name, NEW.sha256, NEW.archived_at)
         IS NOT DISTINCT FROM (OLD.chain, OLD.from_seq, OLD.to_seq, OLD.first_prev_hash, OLD.last_hash, OLD.name, OLD.sha256, OLD.archived_at) THEN
    RETURN NEW;
  END IF;
  RAISE EXCEPTION 'audit archive records are append-only: % refused', TG_OP USING ERRCODE = 'insufficient_privilege';
END
$$;

CREATE TRIGGER audit_archive_guard BEFORE INSERT OR UPDATE OR DELETE ON audit_archive
  FOR EACH ROW EXECUTE FUNCTION audit_archive_guard();

CREATE TRIGGER audit_archive_no_truncate BEFORE TRUNCATE ON audit_archive
  FOR EACH STATEMENT EXECUTE FUNCTION audit_archive_guard();

-- The one removal the trail allows: a DELETE of an event that a recorded archive covers and whose removal is not yet
-- done. UPDATE and TRUNCATE stay refused, and so does deleting any event no archive record covers.
CREATE OR REPLACE FUNCTION audit_event_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'DELETE' AND EXISTS (
    SELECT 1 FROM audit_archive a
     WHERE a.chain = OLD.chain AND a.from_seq <= OLD.seq AND a.to_seq >= OLD.seq AND a.removed_at IS NULL
  ) THEN
    RETURN OLD;
  END IF;
  RAISE EXCEPTION 'the audit trail is append-only: % refused', TG_OP USING ERRCODE = 'insufficient_privilege';
END
$$;
