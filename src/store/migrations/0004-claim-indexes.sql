-- The claim looked for due runs and expired leases in one index on run_at, so every run claimed and still
-- running lay in the path of the next claim: at 4,800 running runs, 4,679 index entries read to claim 8.
-- Each kind of claimable run now has an index of its own, ordered the way the claim takes them.
CREATE INDEX handler_runs_ready_idx ON {{schema}}.handler_runs (run_at) WHERE status IN ('pending', 'failed');
CREATE INDEX handler_runs_lease_idx ON {{schema}}.handler_runs (locked_until) WHERE status = 'running';
DROP INDEX {{schema}}.handler_runs_due_idx;

-- Queue tables: rows are inserted, updated twice and left behind at a high rate. Vacuum them after a small
-- share of changes instead of Postgres's default 20 %, so the claim indexes do not fill with dead entries.
ALTER TABLE {{schema}}.handler_runs SET (autovacuum_vacuum_scale_factor = 0.02, autovacuum_analyze_scale_factor = 0.02);
ALTER TABLE {{schema}}.events SET (autovacuum_vacuum_scale_factor = 0.02, autovacuum_analyze_scale_factor = 0.02);
