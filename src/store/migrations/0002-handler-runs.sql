-- Handler runs: one row per (event, handler), the unit of work the workers claim.
-- status: pending -> running -> succeeded | failed (retried at run_at) | dead (out of attempts).

CREATE TABLE {{schema}}.handler_runs (
  event_id         text NOT NULL REFERENCES {{schema}}.events (id),
  handler          text NOT NULL,
  status           text NOT NULL DEFAULT 'pending',
  attempts         integer NOT NULL DEFAULT 0,
  max_attempts     integer NOT NULL,
  run_at           timestamptz NOT NULL,
  locked_by        text,
  locked_until     timestamptz,
  -- data.object.id, set only for handlers that asked for per-object ordering.
  ordering_key     text,
  event_created    timestamptz NOT NULL,
  last_error       text,
  last_error_stack text,
  started_at       timestamptz,
  finished_at      timestamptz,
  created_at       timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (event_id, handler),
  CONSTRAINT handler_runs_status_known CHECK (status IN ('pending', 'running', 'succeeded', 'failed', 'dead'))
);

-- What the claim query scans: runs that may be due, oldest first.
CREATE INDEX handler_runs_due_idx ON {{schema}}.handler_runs (run_at) WHERE status IN ('pending', 'failed', 'running');
CREATE INDEX handler_runs_ordering_idx ON {{schema}}.handler_runs (handler, ordering_key, event_created, event_id)
  WHERE ordering_key IS NOT NULL AND status NOT IN ('succeeded', 'dead');

-- Events not yet fanned out into runs.
CREATE INDEX events_pending_idx ON {{schema}}.events (received_at, id) WHERE status = 'pending';
