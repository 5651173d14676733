-- Issue 18: the consent artefact's terms, PAUSED and SUPERSEDED, and the uses spent per window.
-- Every existing consent keeps today's meaning: usable from its grant, PERIODIC without a frequency (unlimited),
-- a data life no longer than the consent itself.
ALTER TABLE consents DROP CONSTRAINT consents_status_check;
ALTER TABLE consents ADD CONSTRAINT consents_status_check
  CHECK (status IN ('PENDING', 'ACTIVE', 'PAUSED', 'REJECTED', 'REVOKED', 'EXPIRED', 'SUPERSEDED'));
ALTER TABLE consents DROP CONSTRAINT consents_check;
ALTER TABLE consents ADD CONSTRAINT consents_granted_times
  CHECK (status NOT IN ('ACTIVE', 'PAUSED') OR (granted_at IS NOT NULL AND expires_at IS NOT NULL));

ALTER TABLE consents
  -- Proposed by the consumer: not usable before (null: from the grant).
  ADD COLUMN starts_at       timestamptz,
  ADD COLUMN fetch_type      text NOT NULL DEFAULT 'PERIODIC' CHECK (fetch_type IN ('ONETIME', 'PERIODIC')),
  -- PERIODIC: at most frequency_value uses per calendar frequency_unit (UTC); both null: unlimited.
  ADD COLUMN frequency_unit  text CHECK (frequency_unit IN ('HOUR', 'DAY', 'MONTH', 'YEAR')),
  ADD COLUMN frequency_value integer CHECK (frequency_value > 0),
  -- How long the consumer may keep what it read; both null: no longer than the consent.
  ADD COLUMN data_life_unit  text CHECK (data_life_unit IN ('HOUR', 'DAY', 'MONTH', 'YEAR')),
  ADD COLUMN data_life_value integer CHECK (data_life_value > 0),
  -- The terms in a canonical form, with scope_key what makes an open request "identical".
  ADD COLUMN terms_key       text NOT NULL DEFAULT '',
  -- The purpose's text as registered when the request was opened (what the citizen was asked about).
  ADD COLUMN purpose_text    text,
  ADD COLUMN paused_at       timestamptz,
  -- The request that replaced this one (SUPERSEDED).
  ADD COLUMN superseded_by   text,
  ADD CONSTRAINT consents_frequency_whole CHECK ((frequency_unit IS NULL) = (frequency_value IS NULL)),
  ADD CONSTRAINT consents_data_life_whole CHECK ((data_life_unit IS NULL) = (data_life_value IS NULL)),
  ADD CONSTRAINT consents_onetime_no_frequency CHECK (fetch_type = 'PERIODIC' OR frequency_unit IS NULL);

-- The check now reads paused consents too (to say PAUSED rather than "missing").
CREATE INDEX consents_check_live ON consents (consumer_id, citizen_id, purpose) WHERE status IN ('ACTIVE', 'PAUSED');
DROP INDEX consents_check;
DROP INDEX consents_active_expiry;
CREATE INDEX consents_live_expiry ON consents (expires_at) WHERE status IN ('ACTIVE', 'PAUSED');
-- Open requests of an application and purpose for a citizen, which a new one supersedes.
CREATE INDEX consents_open ON consents (consumer_id, citizen_id, purpose) WHERE status = 'PENDING';

-- Uses spent per consent and window (window_start: the start of the calendar HOUR/DAY/MONTH/YEAR in UTC, or the
-- epoch for ONETIME's one window). A use is spent by one conditional upsert (used < limit), so two gateways never
-- spend the same use.
CREATE TABLE consent_uses (
  consent_id   text NOT NULL REFERENCES consents (id),
  window_start timestamptz NOT NULL,
  used         integer NOT NULL CHECK (used > 0),
  last_used_at timestamptz NOT NULL,
  PRIMARY KEY (consent_id, window_start)
);
