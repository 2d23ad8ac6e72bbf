-- A flood of rejected requests must not grow the delivery log by a row each. Beyond a few per reason and source in
-- a window, rejected attempts are counted in one summary row: `attempts` says how many attempts a row stands for,
-- from `received_at` to `last_received_at`. Accepted attempts keep a row each (attempts = 1).
ALTER TABLE {{schema}}.deliveries
  ADD COLUMN attempts integer NOT NULL DEFAULT 1,
  ADD COLUMN last_received_at timestamptz;

-- NOT VALID: every existing row has attempts = 1, so there is nothing to scan under the table's lock; new rows
-- are checked all the same.
ALTER TABLE {{schema}}.deliveries
  ADD CONSTRAINT deliveries_only_rejections_are_summarised
  CHECK (attempts = 1 OR (attempts > 1 AND outcome = 'rejected')) NOT VALID;
