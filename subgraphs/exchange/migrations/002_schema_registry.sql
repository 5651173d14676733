-- The schema registry (issue 17): each subgraph's published SDL versions with their checks, the supergraph composed
-- for each activation, and per-operation field usage reported by the gateways (no personal data, no variables).

CREATE TABLE schema_version (
  id text PRIMARY KEY,
  subgraph text NOT NULL,
  number integer NOT NULL,
  -- The routing URL composed into the supergraph (gateways override it by name).
  url text NOT NULL,
  sdl text NOT NULL,
  status text NOT NULL CHECK (status IN ('PUBLISHED', 'ACTIVE', 'SUPERSEDED', 'REFUSED')),
  published_by text NOT NULL,
  published_at timestamptz NOT NULL DEFAULT now(),
  checks jsonb NOT NULL,
  activated_by text,
  activated_at timestamptz,
  override_reason text,
  UNIQUE (subgraph, number)
);
-- One active version per subgraph.
CREATE UNIQUE INDEX schema_version_active ON schema_version (subgraph) WHERE status = 'ACTIVE';

-- Every activation's composed supergraph; the one with the highest position is the active supergraph.
CREATE TABLE schema_supergraph (
  position bigserial PRIMARY KEY,
  hash text NOT NULL,
  sdl text NOT NULL,
  -- { subgraph: version number } of the active set it was composed from.
  versions jsonb NOT NULL,
  activated_by text NOT NULL,
  activated_at timestamptz NOT NULL DEFAULT now()
);

-- How often an operation of a consumer read a field of a provider, per day.
CREATE TABLE schema_usage (
  day date NOT NULL,
  operation text NOT NULL,
  consumer text NOT NULL,
  provider text NOT NULL,
  coordinate text NOT NULL,
  count bigint NOT NULL,
  last_seen timestamptz NOT NULL,
  PRIMARY KEY (provider, coordinate, operation, consumer, day)
);
