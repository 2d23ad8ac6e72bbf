-- Handlers paused by an operator (dashboard, admin API, `stripe-inbox handlers pause`) or by the circuit breaker
-- after consecutive failures. Workers leave a paused handler's runs unclaimed: events keep arriving and wait.
CREATE TABLE {{schema}}.handler_pauses (
  handler              text PRIMARY KEY,
  paused_at            timestamptz NOT NULL,
  paused_by            text NOT NULL CHECK (paused_by IN ('operator', 'circuit_breaker')),
  reason               text,
  -- The failures in a row that tripped the breaker; null for an operator's pause.
  consecutive_failures integer
);

-- The metrics scrape and the health samples count dead runs; without this they scanned every run.
CREATE INDEX handler_runs_dead_idx ON {{schema}}.handler_runs (event_id) WHERE status = 'dead';

-- The dashboard's object filter, object search and object page: the events about one object, newest first.
CREATE INDEX events_data_object_id_idx ON {{schema}}.events (data_object_id, received_at, id)
  WHERE data_object_id IS NOT NULL;
