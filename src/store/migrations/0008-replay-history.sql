-- Replay keeps a run's history: `attempts` goes on counting across replays (the run record shows every attempt,
-- and a claim is never confused with one made before the replay), while the retry budget and backoff start afresh
-- from `attempts_before_replay`, the count when the run was last replayed.
ALTER TABLE {{schema}}.handler_runs
  ADD COLUMN attempts_before_replay integer NOT NULL DEFAULT 0,
  ADD COLUMN replays integer NOT NULL DEFAULT 0,
  ADD COLUMN replayed_at timestamptz;
