-- Issue 18 (asynchronous consent): a consumer with a registered webhook URL learns each answer to its requests by a
-- signed POST. The notice is queued here in the same transaction as the answer, then delivered (with retries and
-- backoff) by whichever engine instance claims it first (a lease on next_attempt_at, FOR UPDATE SKIP LOCKED).
CREATE TABLE consent_webhook_outbox (
  id              bigserial PRIMARY KEY,
  consent_id      text NOT NULL REFERENCES consents (id),
  consumer_id     text NOT NULL,
  url             text NOT NULL,
  payload         jsonb NOT NULL,
  created_at      timestamptz NOT NULL,
  attempts        integer NOT NULL DEFAULT 0,
  next_attempt_at timestamptz NOT NULL,
  delivered_at    timestamptz,
  -- Given up after the last attempt.
  failed_at       timestamptz,
  last_error      text
);
CREATE INDEX consent_webhook_outbox_due ON consent_webhook_outbox (next_attempt_at) WHERE delivered_at IS NULL AND failed_at IS NULL;
