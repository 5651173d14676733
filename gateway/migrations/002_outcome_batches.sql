-- Outcomes in batches: one outcome event can complete many decisions, listed in `outcomes` as
-- [{"decisionId", "traceId", "outcome", "reasons"}] (decision_id and outcome stay NULL on such an event). Each decision
-- still has its outcome on the chain; a write of N decisions costs about N+1 rows instead of 2N.
ALTER TABLE audit_event ADD COLUMN outcomes jsonb;
