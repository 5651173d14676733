-- The gateways' confirmed acknowledgements of the revision stream, shared by every engine instance, so that a
-- revocation answers as soon as every gateway following any instance has applied it (revisionAcks.ts), not after the
-- whole deadline. One row per stream subscriber: the newest revision it confirmed and when (the database's clock).
-- Rows past the deadline mean nothing any more and are removed.
CREATE TABLE consent_revision_ack (
  subscriber   text PRIMARY KEY,
  revision     bigint NOT NULL,
  confirmed_at timestamptz NOT NULL
);
CREATE INDEX consent_revision_ack_confirmed ON consent_revision_ack (confirmed_at);
