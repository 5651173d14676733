-- Operational records (issue 19 item 6, gateway/src/operations/): one row per GraphQL request — who asked (the
-- consumer application; people by kind only), purpose, operation, decision, each provider called with its duration
-- and outcome, sizes, total duration, status. No subject, NIC, variable or data. Kept OPERATIONAL_RECORDS_DAYS (7),
-- written in batches off the request path. Not evidence (the audit trail is): an ordinary table, deleted by age.
CREATE TABLE operational_record (
  at timestamptz NOT NULL,
  replica text NOT NULL,
  trace_id text,
  caller text,
  consumer text,
  purpose text,
  operation_name text,
  decision text,
  providers jsonb NOT NULL DEFAULT '[]',
  provider_names text[] NOT NULL DEFAULT '{}',
  request_bytes integer NOT NULL,
  response_bytes integer,
  duration_ms real NOT NULL,
  status smallint NOT NULL
);

CREATE INDEX operational_record_at ON operational_record (at);
CREATE INDEX operational_record_consumer ON operational_record (consumer, at);
CREATE INDEX operational_record_providers ON operational_record USING gin (provider_names);
