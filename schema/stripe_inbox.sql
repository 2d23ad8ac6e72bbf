--
-- PostgreSQL database dump
--

SET statement_timeout = 0;
SET lock_timeout = 0;
SET idle_in_transaction_session_timeout = 0;
SET client_encoding = 'UTF8';
SET standard_conforming_strings = on;
SELECT pg_catalog.set_config('search_path', '', false);
SET check_function_bodies = false;
SET xmloption = content;
SET client_min_messages = warning;
SET row_security = off;

--
-- Name: stripe_inbox; Type: SCHEMA; Schema: -; Owner: -
--

CREATE SCHEMA stripe_inbox;

SET default_tablespace = '';

--
-- Name: deliveries; Type: TABLE; Schema: stripe_inbox; Owner: -
--

CREATE TABLE stripe_inbox.deliveries (
    id bigint NOT NULL,
    received_at timestamp with time zone NOT NULL,
    event_id text,
    outcome text NOT NULL,
    error_code text,
    error_message text,
    body_bytes integer NOT NULL,
    signature_timestamp timestamp with time zone,
    source_address text,
    attempts integer DEFAULT 1 NOT NULL,
    last_received_at timestamp with time zone,
    CONSTRAINT deliveries_outcome_check CHECK ((outcome = ANY (ARRAY['stored'::text, 'duplicate'::text, 'rejected'::text]))),
    CONSTRAINT deliveries_rejected_have_a_code CHECK (((outcome = 'rejected'::text) = (error_code IS NOT NULL))),
    CONSTRAINT deliveries_rejected_have_no_event CHECK (((outcome = 'rejected'::text) = (event_id IS NULL)))
)
PARTITION BY RANGE (received_at);

--
-- Name: deliveries_id_seq; Type: SEQUENCE; Schema: stripe_inbox; Owner: -
--

CREATE SEQUENCE stripe_inbox.deliveries_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;

--
-- Name: deliveries_id_seq; Type: SEQUENCE OWNED BY; Schema: stripe_inbox; Owner: -
--

ALTER SEQUENCE stripe_inbox.deliveries_id_seq OWNED BY stripe_inbox.deliveries.id;

SET default_table_access_method = heap;

--
-- Name: deliveries_default; Type: TABLE; Schema: stripe_inbox; Owner: -
--

CREATE TABLE stripe_inbox.deliveries_default (
    id bigint DEFAULT nextval('stripe_inbox.deliveries_id_seq'::regclass) NOT NULL,
    received_at timestamp with time zone NOT NULL,
    event_id text,
    outcome text NOT NULL,
    error_code text,
    error_message text,
    body_bytes integer NOT NULL,
    signature_timestamp timestamp with time zone,
    source_address text,
    attempts integer DEFAULT 1 NOT NULL,
    last_received_at timestamp with time zone,
    CONSTRAINT deliveries_only_rejections_are_summarised CHECK (((attempts = 1) OR ((attempts > 1) AND (outcome = 'rejected'::text)))),
    CONSTRAINT deliveries_outcome_check CHECK ((outcome = ANY (ARRAY['stored'::text, 'duplicate'::text, 'rejected'::text]))),
    CONSTRAINT deliveries_rejected_have_a_code CHECK (((outcome = 'rejected'::text) = (error_code IS NOT NULL))),
    CONSTRAINT deliveries_rejected_have_no_event CHECK (((outcome = 'rejected'::text) = (event_id IS NULL)))
);

--
-- Name: events; Type: TABLE; Schema: stripe_inbox; Owner: -
--

CREATE TABLE stripe_inbox.events (
    id text NOT NULL,
    type text NOT NULL,
    object text NOT NULL,
    api_version text,
    created timestamp with time zone NOT NULL,
    livemode boolean NOT NULL,
    account text,
    data_object_id text,
    data_object_type text,
    payload json NOT NULL,
    received_at timestamp with time zone NOT NULL,
    status text DEFAULT 'pending'::text NOT NULL
)
PARTITION BY RANGE (created);
ALTER TABLE ONLY stripe_inbox.events ALTER COLUMN payload SET COMPRESSION lz4;

--
-- Name: events_default; Type: TABLE; Schema: stripe_inbox; Owner: -
--

CREATE TABLE stripe_inbox.events_default (
    id text NOT NULL,
    type text NOT NULL,
    object text NOT NULL,
    api_version text,
    created timestamp with time zone NOT NULL,
    livemode boolean NOT NULL,
    account text,
    data_object_id text,
    data_object_type text,
    payload json NOT NULL,
    received_at timestamp with time zone NOT NULL,
    status text DEFAULT 'pending'::text NOT NULL
)
WITH (autovacuum_vacuum_scale_factor='0.02', autovacuum_analyze_scale_factor='0.02');
ALTER TABLE ONLY stripe_inbox.events_default ALTER COLUMN payload SET COMPRESSION lz4;

--
-- Name: handler_pauses; Type: TABLE; Schema: stripe_inbox; Owner: -
--

CREATE TABLE stripe_inbox.handler_pauses (
    handler text NOT NULL,
    paused_at timestamp with time zone NOT NULL,
    paused_by text NOT NULL,
    reason text,
    consecutive_failures integer,
    CONSTRAINT handler_pauses_paused_by_check CHECK ((paused_by = ANY (ARRAY['operator'::text, 'circuit_breaker'::text])))
);

--
-- Name: handler_runs; Type: TABLE; Schema: stripe_inbox; Owner: -
--

CREATE TABLE stripe_inbox.handler_runs (
    event_id text NOT NULL,
    handler text NOT NULL,
    status text DEFAULT 'pending'::text NOT NULL,
    attempts integer DEFAULT 0 NOT NULL,
    max_attempts integer NOT NULL,
    run_at timestamp with time zone NOT NULL,
    locked_by text,
    locked_until timestamp with time zone,
    ordering_key text,
    event_created timestamp with time zone NOT NULL,
    last_error text,
    last_error_stack text,
    started_at timestamp with time zone,
    finished_at timestamp with time zone,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    attempts_before_replay integer DEFAULT 0 NOT NULL,
    replays integer DEFAULT 0 NOT NULL,
    replayed_at timestamp with time zone,
    CONSTRAINT handler_runs_status_known CHECK ((status = ANY (ARRAY['pending'::text, 'running'::text, 'succeeded'::text, 'failed'::text, 'dead'::text])))
)
PARTITION BY RANGE (event_created);

--
-- Name: handler_runs_default; Type: TABLE; Schema: stripe_inbox; Owner: -
--

CREATE TABLE stripe_inbox.handler_runs_default (
    event_id text NOT NULL,
    handler text NOT NULL,
    status text DEFAULT 'pending'::text NOT NULL,
    attempts integer DEFAULT 0 NOT NULL,
    max_attempts integer NOT NULL,
    run_at timestamp with time zone NOT NULL,
    locked_by text,
    locked_until timestamp with time zone,
    ordering_key text,
    event_created timestamp with time zone NOT NULL,
    last_error text,
    last_error_stack text,
    started_at timestamp with time zone,
    finished_at timestamp with time zone,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    attempts_before_replay integer DEFAULT 0 NOT NULL,
    replays integer DEFAULT 0 NOT NULL,
    replayed_at timestamp with time zone,
    CONSTRAINT handler_runs_status_known CHECK ((status = ANY (ARRAY['pending'::text, 'running'::text, 'succeeded'::text, 'failed'::text, 'dead'::text])))
)
WITH (autovacuum_vacuum_scale_factor='0.02', autovacuum_analyze_scale_factor='0.02');

--
-- Name: migrations; Type: TABLE; Schema: stripe_inbox; Owner: -
--

CREATE TABLE stripe_inbox.migrations (
    id integer NOT NULL,
    name text NOT NULL,
    applied_at timestamp with time zone DEFAULT now() NOT NULL
);

--
-- Name: pruned_event_ids; Type: TABLE; Schema: stripe_inbox; Owner: -
--

CREATE TABLE stripe_inbox.pruned_event_ids (
    id text NOT NULL,
    pruned_at timestamp with time zone NOT NULL,
    keep_until timestamp with time zone NOT NULL
);

--
-- Name: webhook_secrets; Type: TABLE; Schema: stripe_inbox; Owner: -
--

CREATE TABLE stripe_inbox.webhook_secrets (
    endpoint_id text NOT NULL,
    url text NOT NULL,
    secret text NOT NULL,
    enabled_events text[] NOT NULL,
    livemode boolean NOT NULL,
    api_base text NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL
);

--
-- Name: deliveries_default; Type: TABLE ATTACH; Schema: stripe_inbox; Owner: -
--

ALTER TABLE ONLY stripe_inbox.deliveries ATTACH PARTITION stripe_inbox.deliveries_default DEFAULT;

--
-- Name: events_default; Type: TABLE ATTACH; Schema: stripe_inbox; Owner: -
--

ALTER TABLE ONLY stripe_inbox.events ATTACH PARTITION stripe_inbox.events_default DEFAULT;

--
-- Name: handler_runs_default; Type: TABLE ATTACH; Schema: stripe_inbox; Owner: -
--

ALTER TABLE ONLY stripe_inbox.handler_runs ATTACH PARTITION stripe_inbox.handler_runs_default DEFAULT;

--
-- Name: deliveries id; Type: DEFAULT; Schema: stripe_inbox; Owner: -
--

ALTER TABLE ONLY stripe_inbox.deliveries ALTER COLUMN id SET DEFAULT nextval('stripe_inbox.deliveries_id_seq'::regclass);

--
-- Name: deliveries_default deliveries_default_pkey; Type: CONSTRAINT; Schema: stripe_inbox; Owner: -
--

ALTER TABLE ONLY stripe_inbox.deliveries_default
    ADD CONSTRAINT deliveries_default_pkey PRIMARY KEY (id);

--
-- Name: deliveries deliveries_only_rejections_are_summarised; Type: CHECK CONSTRAINT; Schema: stripe_inbox; Owner: -
--

ALTER TABLE stripe_inbox.deliveries
    ADD CONSTRAINT deliveries_only_rejections_are_summarised CHECK (((attempts = 1) OR ((attempts > 1) AND (outcome = 'rejected'::text)))) NOT VALID;

--
-- Name: events_default events_default_pkey; Type: CONSTRAINT; Schema: stripe_inbox; Owner: -
--

ALTER TABLE ONLY stripe_inbox.events_default
    ADD CONSTRAINT events_default_pkey PRIMARY KEY (id);

--
-- Name: handler_pauses handler_pauses_pkey; Type: CONSTRAINT; Schema: stripe_inbox; Owner: -
--

ALTER TABLE ONLY stripe_inbox.handler_pauses
    ADD CONSTRAINT handler_pauses_pkey PRIMARY KEY (handler);

--
-- Name: handler_runs_default handler_runs_default_pkey; Type: CONSTRAINT; Schema: stripe_inbox; Owner: -
--

ALTER TABLE ONLY stripe_inbox.handler_runs_default
    ADD CONSTRAINT handler_runs_default_pkey PRIMARY KEY (event_id, handler);

--
-- Name: migrations migrations_pkey; Type: CONSTRAINT; Schema: stripe_inbox; Owner: -
--

ALTER TABLE ONLY stripe_inbox.migrations
    ADD CONSTRAINT migrations_pkey PRIMARY KEY (id);

--
-- Name: pruned_event_ids pruned_event_ids_pkey; Type: CONSTRAINT; Schema: stripe_inbox; Owner: -
--

ALTER TABLE ONLY stripe_inbox.pruned_event_ids
    ADD CONSTRAINT pruned_event_ids_pkey PRIMARY KEY (id);

--
-- Name: webhook_secrets webhook_secrets_pkey; Type: CONSTRAINT; Schema: stripe_inbox; Owner: -
--

ALTER TABLE ONLY stripe_inbox.webhook_secrets
    ADD CONSTRAINT webhook_secrets_pkey PRIMARY KEY (endpoint_id);

--
-- Name: deliveries_event_id_idx; Type: INDEX; Schema: stripe_inbox; Owner: -
--

CREATE INDEX deliveries_event_id_idx ON ONLY stripe_inbox.deliveries USING btree (event_id) WHERE (event_id IS NOT NULL);

--
-- Name: deliveries_default_event_id_idx; Type: INDEX; Schema: stripe_inbox; Owner: -
--

CREATE INDEX deliveries_default_event_id_idx ON stripe_inbox.deliveries_default USING btree (event_id) WHERE (event_id IS NOT NULL);

--
-- Name: deliveries_received_at_idx; Type: INDEX; Schema: stripe_inbox; Owner: -
--

CREATE INDEX deliveries_received_at_idx ON ONLY stripe_inbox.deliveries USING btree (received_at);

--
-- Name: deliveries_default_received_at_idx; Type: INDEX; Schema: stripe_inbox; Owner: -
--

CREATE INDEX deliveries_default_received_at_idx ON stripe_inbox.deliveries_default USING btree (received_at);

--
-- Name: events_data_object_id_idx; Type: INDEX; Schema: stripe_inbox; Owner: -
--

CREATE INDEX events_data_object_id_idx ON ONLY stripe_inbox.events USING btree (data_object_id, received_at, id) WHERE (data_object_id IS NOT NULL);

--
-- Name: events_pending_object_idx; Type: INDEX; Schema: stripe_inbox; Owner: -
--

CREATE INDEX events_pending_object_idx ON ONLY stripe_inbox.events USING btree (data_object_id, created, id) WHERE (status = 'pending'::text);

--
-- Name: events_default_data_object_id_created_id_idx; Type: INDEX; Schema: stripe_inbox; Owner: -
--

CREATE INDEX events_default_data_object_id_created_id_idx ON stripe_inbox.events_default USING btree (data_object_id, created, id) WHERE (status = 'pending'::text);

--
-- Name: events_default_data_object_id_received_at_id_idx; Type: INDEX; Schema: stripe_inbox; Owner: -
--

CREATE INDEX events_default_data_object_id_received_at_id_idx ON stripe_inbox.events_default USING btree (data_object_id, received_at, id) WHERE (data_object_id IS NOT NULL);

--
-- Name: events_received_at_idx; Type: INDEX; Schema: stripe_inbox; Owner: -
--

CREATE INDEX events_received_at_idx ON ONLY stripe_inbox.events USING btree (received_at, id);

--
-- Name: events_default_received_at_id_idx; Type: INDEX; Schema: stripe_inbox; Owner: -
--

CREATE INDEX events_default_received_at_id_idx ON stripe_inbox.events_default USING btree (received_at, id);

--
-- Name: events_pending_idx; Type: INDEX; Schema: stripe_inbox; Owner: -
--

CREATE INDEX events_pending_idx ON ONLY stripe_inbox.events USING btree (received_at, id) WHERE (status = 'pending'::text);

--
-- Name: events_default_received_at_id_idx1; Type: INDEX; Schema: stripe_inbox; Owner: -
--

CREATE INDEX events_default_received_at_id_idx1 ON stripe_inbox.events_default USING btree (received_at, id) WHERE (status = 'pending'::text);

--
-- Name: handler_runs_dead_idx; Type: INDEX; Schema: stripe_inbox; Owner: -
--

CREATE INDEX handler_runs_dead_idx ON ONLY stripe_inbox.handler_runs USING btree (event_id) WHERE (status = 'dead'::text);

--
-- Name: handler_runs_default_event_id_idx; Type: INDEX; Schema: stripe_inbox; Owner: -
--

CREATE INDEX handler_runs_default_event_id_idx ON stripe_inbox.handler_runs_default USING btree (event_id) WHERE (status = 'dead'::text);

--
-- Name: handler_runs_ordering_idx; Type: INDEX; Schema: stripe_inbox; Owner: -
--

CREATE INDEX handler_runs_ordering_idx ON ONLY stripe_inbox.handler_runs USING btree (handler, ordering_key, event_created, event_id) WHERE ((ordering_key IS NOT NULL) AND (status <> ALL (ARRAY['succeeded'::text, 'dead'::text])));

--
-- Name: handler_runs_default_handler_ordering_key_event_created_eve_idx; Type: INDEX; Schema: stripe_inbox; Owner: -
--

CREATE INDEX handler_runs_default_handler_ordering_key_event_created_eve_idx ON stripe_inbox.handler_runs_default USING btree (handler, ordering_key, event_created, event_id) WHERE ((ordering_key IS NOT NULL) AND (status <> ALL (ARRAY['succeeded'::text, 'dead'::text])));

--
-- Name: handler_runs_lease_idx; Type: INDEX; Schema: stripe_inbox; Owner: -
--

CREATE INDEX handler_runs_lease_idx ON ONLY stripe_inbox.handler_runs USING btree (locked_until) WHERE (status = 'running'::text);

--
-- Name: handler_runs_default_locked_until_idx; Type: INDEX; Schema: stripe_inbox; Owner: -
--

CREATE INDEX handler_runs_default_locked_until_idx ON stripe_inbox.handler_runs_default USING btree (locked_until) WHERE (status = 'running'::text);

--
-- Name: handler_runs_ready_idx; Type: INDEX; Schema: stripe_inbox; Owner: -
--

CREATE INDEX handler_runs_ready_idx ON ONLY stripe_inbox.handler_runs USING btree (run_at) WHERE (status = ANY (ARRAY['pending'::text, 'failed'::text]));

--
-- Name: handler_runs_default_run_at_idx; Type: INDEX; Schema: stripe_inbox; Owner: -
--

CREATE INDEX handler_runs_default_run_at_idx ON stripe_inbox.handler_runs_default USING btree (run_at) WHERE (status = ANY (ARRAY['pending'::text, 'failed'::text]));

--
-- Name: pruned_event_ids_keep_until_idx; Type: INDEX; Schema: stripe_inbox; Owner: -
--

CREATE INDEX pruned_event_ids_keep_until_idx ON stripe_inbox.pruned_event_ids USING btree (keep_until);

--
-- Name: deliveries_default_event_id_idx; Type: INDEX ATTACH; Schema: stripe_inbox; Owner: -
--

ALTER INDEX stripe_inbox.deliveries_event_id_idx ATTACH PARTITION stripe_inbox.deliveries_default_event_id_idx;

--
-- Name: deliveries_default_received_at_idx; Type: INDEX ATTACH; Schema: stripe_inbox; Owner: -
--

ALTER INDEX stripe_inbox.deliveries_received_at_idx ATTACH PARTITION stripe_inbox.deliveries_default_received_at_idx;

--
-- Name: events_default_data_object_id_created_id_idx; Type: INDEX ATTACH; Schema: stripe_inbox; Owner: -
--

ALTER INDEX stripe_inbox.events_pending_object_idx ATTACH PARTITION stripe_inbox.events_default_data_object_id_created_id_idx;

--
-- Name: events_default_data_object_id_received_at_id_idx; Type: INDEX ATTACH; Schema: stripe_inbox; Owner: -
--

ALTER INDEX stripe_inbox.events_data_object_id_idx ATTACH PARTITION stripe_inbox.events_default_data_object_id_received_at_id_idx;

--
-- Name: events_default_received_at_id_idx; Type: INDEX ATTACH; Schema: stripe_inbox; Owner: -
--

ALTER INDEX stripe_inbox.events_received_at_idx ATTACH PARTITION stripe_inbox.events_default_received_at_id_idx;

--
-- Name: events_default_received_at_id_idx1; Type: INDEX ATTACH; Schema: stripe_inbox; Owner: -
--

ALTER INDEX stripe_inbox.events_pending_idx ATTACH PARTITION stripe_inbox.events_default_received_at_id_idx1;

--
-- Name: handler_runs_default_event_id_idx; Type: INDEX ATTACH; Schema: stripe_inbox; Owner: -
--

ALTER INDEX stripe_inbox.handler_runs_dead_idx ATTACH PARTITION stripe_inbox.handler_runs_default_event_id_idx;

--
-- Name: handler_runs_default_handler_ordering_key_event_created_eve_idx; Type: INDEX ATTACH; Schema: stripe_inbox; Owner: -
--

ALTER INDEX stripe_inbox.handler_runs_ordering_idx ATTACH PARTITION stripe_inbox.handler_runs_default_handler_ordering_key_event_created_eve_idx;

--
-- Name: handler_runs_default_locked_until_idx; Type: INDEX ATTACH; Schema: stripe_inbox; Owner: -
--

ALTER INDEX stripe_inbox.handler_runs_lease_idx ATTACH PARTITION stripe_inbox.handler_runs_default_locked_until_idx;

--
-- Name: handler_runs_default_run_at_idx; Type: INDEX ATTACH; Schema: stripe_inbox; Owner: -
--

ALTER INDEX stripe_inbox.handler_runs_ready_idx ATTACH PARTITION stripe_inbox.handler_runs_default_run_at_idx;

--
-- PostgreSQL database dump complete
--
