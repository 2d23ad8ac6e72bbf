-- Partitioning by month, step 3 of 3 (see 0010). Each old table is renamed after its bound (events_before_2025_08),
-- and attached under a new partitioned table of the old name as the partition from MINVALUE to the bound: the validated
-- constraint proves its rows fit, so ATTACH reads none of them, and no row is copied. The locks of this step last as
-- long as catalog changes do.
--
-- Partition keys: an event's Stripe `created` (part of the signed payload, so a redelivery of an event lands in the
-- partition that holds it, whenever it comes); a run's event_created (its event's month: a month's events and runs go
-- together); a delivery's received_at. Postgres allows a unique index on a partitioned table only if it includes the
-- partition key, so each partition has its own primary key: events on id, and since an event id always lands in one
-- partition, the ON CONFLICT of receiving stays an exact dedupe across partitions.
--
-- Partitions of one month each are created ahead of time by migrate and by running processes (src/store/partitions.ts);
-- a default partition takes any row no month partition covers (a clock far off), so no insert fails for want of one.

DO $$
DECLARE
  legacy text;
  suffix text;
  bound timestamptz;
  next_delivery bigint;
  old_index record;
BEGIN
  -- All three at once, in the order receiving takes them (events, then deliveries): a delivery being committed finishes
  -- first, and none waits on one table while holding the other.
  LOCK TABLE {{schema}}.events, {{schema}}.deliveries, {{schema}}.handler_runs IN ACCESS EXCLUSIVE MODE;
  SELECT substring(conname FROM '[0-9]{4}_[0-9]{2}$') INTO suffix FROM pg_constraint
   WHERE conrelid = '{{schema}}.events'::regclass AND conname ~ '^events_before_[0-9]{4}_[0-9]{2}$';
  bound := to_date(suffix, 'YYYY_MM')::timestamp AT TIME ZONE 'UTC';

  -- The identity of deliveries.id cannot be kept (a partitioned table has none before Postgres 17): a sequence of the
  -- new table goes on from the last id. Nothing is inserted meanwhile: the rename below holds the table.
  ALTER TABLE {{schema}}.deliveries RENAME TO deliveries_before;
  SELECT coalesce(max(id), 0) + 1 INTO next_delivery FROM {{schema}}.deliveries_before;
  ALTER TABLE {{schema}}.deliveries_before ALTER COLUMN id DROP IDENTITY;
  EXECUTE format('CREATE SEQUENCE {{schema}}.deliveries_id_seq START %s', next_delivery);

  -- A foreign key to a partitioned table makes every DETACH or DROP of one of its partitions scan the referencing
  -- table; runs are removed with their events instead (prune, in one statement or one month at a time).
  ALTER TABLE {{schema}}.handler_runs DROP CONSTRAINT handler_runs_event_id_fkey;
  ALTER TABLE {{schema}}.handler_runs RENAME TO handler_runs_before;
  ALTER TABLE {{schema}}.events RENAME TO events_before;

  -- Index names are unique in a schema: the old tables' indexes take their table's new name.
  FOR old_index IN
    SELECT i.relname AS name, t.relname AS table_name FROM pg_index x
      JOIN pg_class i ON i.oid = x.indexrelid JOIN pg_class t ON t.oid = x.indrelid
     WHERE t.relnamespace = '{{schema}}'::regnamespace
       AND t.relname IN ('events_before', 'handler_runs_before', 'deliveries_before')
  LOOP
    EXECUTE format('ALTER INDEX {{schema}}.%I RENAME TO %I', old_index.name,
                   regexp_replace(old_index.name, '^(events|handler_runs|deliveries)_', '\1_before_' || suffix || '_'));
  END LOOP;
  FOR legacy IN SELECT unnest(ARRAY['events', 'handler_runs', 'deliveries']) LOOP
    EXECUTE format('ALTER TABLE {{schema}}.%I RENAME TO %I', legacy || '_before', legacy || '_before_' || suffix);
  END LOOP;

  CREATE TABLE {{schema}}.events (
    id               text NOT NULL,
    type             text NOT NULL,
    object           text NOT NULL,          -- 'event' (snapshot) or 'v2.core.event' (thin)
    api_version      text,
    created          timestamptz NOT NULL,   -- Stripe's created, not our receipt time: the partition key
    livemode         boolean NOT NULL,
    account          text,                   -- Connect account, null for the platform
    data_object_id   text,
    data_object_type text,
    -- The verified body byte for byte. json (not jsonb) keeps Stripe's exact text and ingests faster.
    payload          json NOT NULL,
    received_at      timestamptz NOT NULL,
    status           text NOT NULL DEFAULT 'pending'
  ) PARTITION BY RANGE (created);
  BEGIN
    ALTER TABLE {{schema}}.events ALTER COLUMN payload SET COMPRESSION lz4;
  EXCEPTION WHEN feature_not_supported OR undefined_object OR invalid_parameter_value THEN
    NULL;
  END;
  -- The indexes of the old table, defined alike so that ATTACH adopts them instead of building them.
  CREATE INDEX events_received_at_idx ON {{schema}}.events (received_at, id);
  CREATE INDEX events_pending_idx ON {{schema}}.events (received_at, id) WHERE status = 'pending';
  CREATE INDEX events_pending_object_idx ON {{schema}}.events (data_object_id, created, id) WHERE status = 'pending';
  CREATE INDEX events_data_object_id_idx ON {{schema}}.events (data_object_id, received_at, id)
    WHERE data_object_id IS NOT NULL;

  CREATE TABLE {{schema}}.handler_runs (
    event_id               text NOT NULL,
    handler                text NOT NULL,
    status                 text NOT NULL DEFAULT 'pending',
    attempts               integer NOT NULL DEFAULT 0,
    max_attempts           integer NOT NULL,
    run_at                 timestamptz NOT NULL,
    locked_by              text,
    locked_until           timestamptz,
    ordering_key           text,
    event_created          timestamptz NOT NULL,   -- the partition key: the run lives in its event's month
    last_error             text,
    last_error_stack       text,
    started_at             timestamptz,
    finished_at            timestamptz,
    created_at             timestamptz NOT NULL DEFAULT now(),
    attempts_before_replay integer NOT NULL DEFAULT 0,
    replays                integer NOT NULL DEFAULT 0,
    replayed_at            timestamptz,
    CONSTRAINT handler_runs_status_known CHECK (status IN ('pending', 'running', 'succeeded', 'failed', 'dead'))
  ) PARTITION BY RANGE (event_created);
  CREATE INDEX handler_runs_ordering_idx ON {{schema}}.handler_runs (handler, ordering_key, event_created, event_id)
    WHERE ordering_key IS NOT NULL AND status NOT IN ('succeeded', 'dead');
  CREATE INDEX handler_runs_ready_idx ON {{schema}}.handler_runs (run_at) WHERE status IN ('pending', 'failed');
  CREATE INDEX handler_runs_lease_idx ON {{schema}}.handler_runs (locked_until) WHERE status = 'running';
  CREATE INDEX handler_runs_dead_idx ON {{schema}}.handler_runs (event_id) WHERE status = 'dead';

  CREATE TABLE {{schema}}.deliveries (
    id                  bigint NOT NULL DEFAULT nextval('{{schema}}.deliveries_id_seq'),
    received_at         timestamptz NOT NULL,   -- the partition key
    event_id            text,
    outcome             text NOT NULL,
    error_code          text,
    error_message       text,
    body_bytes          integer NOT NULL,
    signature_timestamp timestamptz,
    source_address      text,
    attempts            integer NOT NULL DEFAULT 1,
    last_received_at    timestamptz,
    CONSTRAINT deliveries_outcome_check CHECK (outcome IN ('stored', 'duplicate', 'rejected')),
    CONSTRAINT deliveries_rejected_have_a_code CHECK ((outcome = 'rejected') = (error_code IS NOT NULL)),
    CONSTRAINT deliveries_rejected_have_no_event CHECK ((outcome = 'rejected') = (event_id IS NULL))
  ) PARTITION BY RANGE (received_at);
  -- NOT VALID as on the old table (0007); new partitions check it all the same.
  ALTER TABLE {{schema}}.deliveries
    ADD CONSTRAINT deliveries_only_rejections_are_summarised
    CHECK (attempts = 1 OR (attempts > 1 AND outcome = 'rejected')) NOT VALID;
  ALTER SEQUENCE {{schema}}.deliveries_id_seq OWNED BY {{schema}}.deliveries.id;
  CREATE INDEX deliveries_event_id_idx ON {{schema}}.deliveries (event_id) WHERE event_id IS NOT NULL;
  CREATE INDEX deliveries_received_at_idx ON {{schema}}.deliveries (received_at);

  FOR legacy IN SELECT unnest(ARRAY['events', 'handler_runs', 'deliveries']) LOOP
    EXECUTE format('ALTER TABLE {{schema}}.%I ATTACH PARTITION {{schema}}.%I FOR VALUES FROM (MINVALUE) TO (%L)',
                   legacy, legacy || '_before_' || suffix, bound);
    -- The partition bound says the same from now on.
    EXECUTE format('ALTER TABLE {{schema}}.%I DROP CONSTRAINT %I', legacy || '_before_' || suffix,
                   legacy || '_before_' || suffix);
  END LOOP;
END
$$;

CREATE TABLE {{schema}}.events_default PARTITION OF {{schema}}.events DEFAULT;
ALTER TABLE {{schema}}.events_default ADD PRIMARY KEY (id);
CREATE TABLE {{schema}}.handler_runs_default PARTITION OF {{schema}}.handler_runs DEFAULT;
ALTER TABLE {{schema}}.handler_runs_default ADD PRIMARY KEY (event_id, handler);
CREATE TABLE {{schema}}.deliveries_default PARTITION OF {{schema}}.deliveries DEFAULT;
ALTER TABLE {{schema}}.deliveries_default ADD PRIMARY KEY (id);

-- Queue tables (see 0004); storage parameters belong to each partition, not to a partitioned table.
ALTER TABLE {{schema}}.events_default SET (autovacuum_vacuum_scale_factor = 0.02, autovacuum_analyze_scale_factor = 0.02);
ALTER TABLE {{schema}}.handler_runs_default SET (autovacuum_vacuum_scale_factor = 0.02, autovacuum_analyze_scale_factor = 0.02);
