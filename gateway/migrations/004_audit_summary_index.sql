-- The audit summary (GET /audit/summary, gateway/src/audit/auditSummary.ts) counts the decisions of the last N days
-- per UTC day, caller, consumer and decision. Without an index that is a scan of the whole trail, growing with every
-- request ever served; with this one it is an index-only scan of the window's decisions (the outcome events are not in
-- it: partial on kind). The append path pays one more B-tree insert per decision event, at the end of the index (`at`
-- only grows), measured in the bench's micro numbers (auditAppend).
CREATE INDEX audit_event_decision_at ON audit_event (at) INCLUDE (caller, consumer, decision) WHERE kind = 'decision';
