-- Global rate limits (access/globalRateLimit.ts): requests taken from a caller's budget in one window, summed over
-- every gateway replica. Replicas lease slices of the budget (used grows by the slice) and spend them in memory.
-- Old windows are deleted by the replicas themselves.
CREATE TABLE rate_window (
  key text NOT NULL,
  window_start bigint NOT NULL,
  used integer NOT NULL,
  PRIMARY KEY (key, window_start)
);
