-- Partitioning by month, step 1 of 3. events, deliveries and handler_runs become tables range-partitioned by time,
-- so that retention drops a whole month at once. The rows stay where they are: each table as it is becomes the first
-- partition of its new parent, covering everything before the month boundary chosen here. Each step is a
-- transaction of its own, so none holds a long exclusive lock:
--   0010 declares the bound as a CHECK constraint NOT VALID (a catalog change, no scan under the table's lock);
--   0011 validates it (a scan that lets reads and writes go on);
--   0012 makes the partitioned tables and attaches the old ones, which the validated constraint spares a scan.
-- The bound is the start of the month after the latest time any row holds, in UTC, and the constraint's name says it:
-- 0012 reads it back from there.
DO $$
DECLARE
  latest timestamptz := greatest(
    now(),
    (SELECT max(created) FROM {{schema}}.events),
    (SELECT max(event_created) FROM {{schema}}.handler_runs),
    (SELECT max(received_at) FROM {{schema}}.deliveries));
  bound timestamptz := (date_trunc('month', latest AT TIME ZONE 'UTC') + interval '1 month') AT TIME ZONE 'UTC';
  suffix text := to_char(bound AT TIME ZONE 'UTC', 'YYYY_MM');
BEGIN
  EXECUTE format('ALTER TABLE {{schema}}.events ADD CONSTRAINT %I CHECK (created < %L) NOT VALID',
                 'events_before_' || suffix, bound);
  EXECUTE format('ALTER TABLE {{schema}}.handler_runs ADD CONSTRAINT %I CHECK (event_created < %L) NOT VALID',
                 'handler_runs_before_' || suffix, bound);
  EXECUTE format('ALTER TABLE {{schema}}.deliveries ADD CONSTRAINT %I CHECK (received_at < %L) NOT VALID',
                 'deliveries_before_' || suffix, bound);
END
$$;
