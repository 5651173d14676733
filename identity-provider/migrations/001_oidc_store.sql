-- What oidc-provider must keep across a restart: dynamically registered clients (model Client) and their
-- registration access tokens (model RegistrationAccessToken), each as the provider's own JSON payload.
CREATE TABLE oidc_store (
  model text NOT NULL,
  id text NOT NULL,
  payload jsonb NOT NULL,
  -- NULL: no expiry (clients, registration access tokens).
  expires_at timestamptz,
  consumed_at timestamptz,
  PRIMARY KEY (model, id)
);

CREATE INDEX oidc_store_expires_at ON oidc_store (expires_at) WHERE expires_at IS NOT NULL;
