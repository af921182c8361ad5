-- The coordinator's inbox over a regency with a million reports:
-- escalated reports of a region were found by reading every report;
CREATE INDEX reports_escalated ON reports(due_on) WHERE escalated_for IS NOT NULL;
-- reports waiting in a state are listed by deadline, then arrival: in index order, no sort of
-- the tens of thousands waiting.
CREATE INDEX reports_state_due_received ON reports(state, due_on, received_at);
DROP INDEX reports_state_due;
