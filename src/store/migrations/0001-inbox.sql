-- The durable inbox: one row per verified event, one row per delivery attempt.
-- {{schema}} is replaced by the configured, validated schema name.

CREATE TABLE {{schema}}.events (
  id               text PRIMARY KEY,
  type             text NOT NULL,
  object           text NOT NULL,          -- 'event' (snapshot) or 'v2.core.event' (thin)
  api_version      text,
  created          timestamptz NOT NULL,   -- Stripe's created, not our receipt time
  livemode         boolean NOT NULL,
  account          text,                   -- Connect account, null for the platform
  data_object_id   text,
  data_object_type text,
  -- The verified body byte for byte. json (not jsonb) keeps Stripe's exact text and ingests faster.
  payload          json NOT NULL,
  received_at      timestamptz NOT NULL,
  status           text NOT NULL DEFAULT 'pending'
);

CREATE INDEX events_received_at_idx ON {{schema}}.events (received_at, id);

-- Every attempt, accepted or not. Rejected attempts keep the reason and size, never the unverified body.
-- No foreign key to events: a rejected attempt has no event, and the check would slow the hot insert.
CREATE TABLE {{schema}}.deliveries (
  id                  bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  received_at         timestamptz NOT NULL,
  event_id            text,
  outcome             text NOT NULL CHECK (outcome IN ('stored', 'duplicate', 'rejected')),
  error_code          text,
  error_message       text,
  body_bytes          integer NOT NULL,
  signature_timestamp timestamptz,
  source_address      text,
  CONSTRAINT deliveries_rejected_have_a_code CHECK ((outcome = 'rejected') = (error_code IS NOT NULL)),
  CONSTRAINT deliveries_rejected_have_no_event CHECK ((outcome = 'rejected') = (event_id IS NULL))
);

CREATE INDEX deliveries_event_id_idx ON {{schema}}.deliveries (event_id) WHERE event_id IS NOT NULL;
CREATE INDEX deliveries_received_at_idx ON {{schema}}.deliveries (received_at);
