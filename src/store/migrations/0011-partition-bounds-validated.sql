-- Partitioning by month, step 2 of 3 (see 0010): VALIDATE reads every row under a SHARE UPDATE EXCLUSIVE lock, which
-- lets receiving, workers and the dashboard read and write while it runs.
DO $$
DECLARE
  bound record;
BEGIN
  FOR bound IN
    SELECT conrelid::regclass AS relation, conname FROM pg_constraint
     WHERE connamespace = '{{schema}}'::regnamespace AND contype = 'c' AND NOT convalidated
       AND conname ~ '^(events|handler_runs|deliveries)_before_[0-9]{4}_[0-9]{2}$'
  LOOP
    EXECUTE format('ALTER TABLE %s VALIDATE CONSTRAINT %I', bound.relation, bound.conname);
  END LOOP;
END
$$;
