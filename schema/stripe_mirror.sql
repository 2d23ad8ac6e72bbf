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
-- Name: stripe; Type: SCHEMA; Schema: -; Owner: -
--

CREATE SCHEMA stripe;

--
-- Name: compress_with_lz4(text); Type: FUNCTION; Schema: stripe; Owner: -
--

CREATE FUNCTION stripe.compress_with_lz4(name text) RETURNS void
    LANGUAGE plpgsql
    AS $$
BEGIN
  EXECUTE format('ALTER TABLE "stripe".%I ALTER COLUMN data SET COMPRESSION lz4', name);
EXCEPTION WHEN feature_not_supported OR undefined_object OR invalid_parameter_value THEN
  NULL;
END
$$;

--
-- Name: create_nested_table(text, text); Type: FUNCTION; Schema: stripe; Owner: -
--

CREATE FUNCTION stripe.create_nested_table(name text, parent text) RETURNS void
    LANGUAGE plpgsql
    AS $_$
BEGIN
  EXECUTE format($sql$
    CREATE TABLE IF NOT EXISTS "stripe".%1$I (
      account            text NOT NULL DEFAULT '',
      %2$I               text NOT NULL,
      id                 text NOT NULL,
      data               jsonb NOT NULL,
      livemode           boolean NOT NULL,
      updated_at         timestamptz NOT NULL DEFAULT now(),
      last_event_id      text COLLATE "C" NOT NULL,
      last_event_created timestamptz NOT NULL,
      last_event_type    text NOT NULL,
      api_version        text,
      metadata           jsonb GENERATED ALWAYS AS (data->'metadata') STORED,
      PRIMARY KEY (account, %2$I, id)
    )$sql$, name, parent);
  PERFORM "stripe".compress_with_lz4(name);
  -- Deletes a parent's rows missing from its new list. Called by the write of the parent, after it holds the
  -- parent's row: a VOLATILE function's statement takes a fresh snapshot (read committed), so it sees the rows of
  -- every concurrent writer of the same parent, which committed before that row lock was granted.
  EXECUTE format($sql$
    CREATE FUNCTION "stripe".%1$I(text, text, text[]) RETURNS bigint
    LANGUAGE plpgsql VOLATILE AS $body$
    DECLARE
      removed bigint;
    BEGIN
      DELETE FROM "stripe".%2$I AS item
      WHERE item.account = $1 AND item.%3$I = $2 AND item.id <> ALL ($3);
      GET DIAGNOSTICS removed = ROW_COUNT;
      RETURN removed;
    END
    $body$$sql$, 'prune_' || name, name, parent);
END
$_$;

--
-- Name: create_object_table(text); Type: FUNCTION; Schema: stripe; Owner: -
--

CREATE FUNCTION stripe.create_object_table(name text) RETURNS void
    LANGUAGE plpgsql
    AS $_$
BEGIN
  EXECUTE format($sql$
    CREATE TABLE IF NOT EXISTS "stripe".%I (
      account            text NOT NULL DEFAULT '',
      id                 text NOT NULL,
      data               jsonb NOT NULL,
      livemode           boolean NOT NULL,
      deleted            boolean NOT NULL DEFAULT false,
      updated_at         timestamptz NOT NULL DEFAULT now(),
      last_event_id      text COLLATE "C" NOT NULL,
      last_event_created timestamptz NOT NULL,
      last_event_type    text NOT NULL,
      api_version        text,
      created            timestamptz GENERATED ALWAYS AS (to_timestamp((data->>'created')::double precision)) STORED,
      metadata           jsonb GENERATED ALWAYS AS (data->'metadata') STORED,
      PRIMARY KEY (account, id)
    )$sql$, name);
  PERFORM "stripe".compress_with_lz4(name);
END
$_$;

--
-- Name: prune_credit_note_line_items(text, text, text[]); Type: FUNCTION; Schema: stripe; Owner: -
--

CREATE FUNCTION stripe.prune_credit_note_line_items(text, text, text[]) RETURNS bigint
    LANGUAGE plpgsql
    AS $_$
    DECLARE
      removed bigint;
    BEGIN
      DELETE FROM "stripe".credit_note_line_items AS item
      WHERE item.account = $1 AND item.credit_note = $2 AND item.id <> ALL ($3);
      GET DIAGNOSTICS removed = ROW_COUNT;
      RETURN removed;
    END
    $_$;

--
-- Name: prune_invoice_line_items(text, text, text[]); Type: FUNCTION; Schema: stripe; Owner: -
--

CREATE FUNCTION stripe.prune_invoice_line_items(text, text, text[]) RETURNS bigint
    LANGUAGE plpgsql
    AS $_$
    DECLARE
      removed bigint;
    BEGIN
      DELETE FROM "stripe".invoice_line_items AS item
      WHERE item.account = $1 AND item.invoice = $2 AND item.id <> ALL ($3);
      GET DIAGNOSTICS removed = ROW_COUNT;
      RETURN removed;
    END
    $_$;

--
-- Name: prune_subscription_items(text, text, text[]); Type: FUNCTION; Schema: stripe; Owner: -
--

CREATE FUNCTION stripe.prune_subscription_items(text, text, text[]) RETURNS bigint
    LANGUAGE plpgsql
    AS $_$
    DECLARE
      removed bigint;
    BEGIN
      DELETE FROM "stripe".subscription_items AS item
      WHERE item.account = $1 AND item.subscription = $2 AND item.id <> ALL ($3);
      GET DIAGNOSTICS removed = ROW_COUNT;
      RETURN removed;
    END
    $_$;

SET default_tablespace = '';

SET default_table_access_method = heap;

--
-- Name: _backfill_checkpoints; Type: TABLE; Schema: stripe; Owner: -
--

CREATE TABLE stripe._backfill_checkpoints (
    type text NOT NULL,
    since bigint,
    starting_after text,
    done boolean DEFAULT false NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL
);

--
-- Name: _migrations; Type: TABLE; Schema: stripe; Owner: -
--

CREATE TABLE stripe._migrations (
    id integer NOT NULL,
    name text NOT NULL,
    applied_at timestamp with time zone DEFAULT now() NOT NULL
);

--
-- Name: accounts; Type: TABLE; Schema: stripe; Owner: -
--

CREATE TABLE stripe.accounts (
    account text DEFAULT ''::text NOT NULL,
    id text NOT NULL,
    data jsonb NOT NULL,
    livemode boolean NOT NULL,
    deleted boolean DEFAULT false NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    last_event_id text NOT NULL COLLATE pg_catalog."C",
    last_event_created timestamp with time zone NOT NULL,
    last_event_type text NOT NULL,
    api_version text,
    created timestamp with time zone GENERATED ALWAYS AS (to_timestamp(((data ->> 'created'::text))::double precision)) STORED,
    metadata jsonb GENERATED ALWAYS AS ((data -> 'metadata'::text)) STORED,
    email text GENERATED ALWAYS AS ((data ->> 'email'::text)) STORED,
    country text GENERATED ALWAYS AS ((data ->> 'country'::text)) STORED,
    charges_enabled boolean GENERATED ALWAYS AS (((data ->> 'charges_enabled'::text))::boolean) STORED
);
ALTER TABLE ONLY stripe.accounts ALTER COLUMN data SET COMPRESSION lz4;

--
-- Name: balance_transactions; Type: TABLE; Schema: stripe; Owner: -
--

CREATE TABLE stripe.balance_transactions (
    account text DEFAULT ''::text NOT NULL,
    id text NOT NULL,
    data jsonb NOT NULL,
    livemode boolean NOT NULL,
    deleted boolean DEFAULT false NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    last_event_id text NOT NULL COLLATE pg_catalog."C",
    last_event_created timestamp with time zone NOT NULL,
    last_event_type text NOT NULL,
    api_version text,
    created timestamp with time zone GENERATED ALWAYS AS (to_timestamp(((data ->> 'created'::text))::double precision)) STORED,
    metadata jsonb GENERATED ALWAYS AS ((data -> 'metadata'::text)) STORED,
    source text GENERATED ALWAYS AS (COALESCE(((data -> 'source'::text) ->> 'id'::text), (data ->> 'source'::text))) STORED,
    type text GENERATED ALWAYS AS ((data ->> 'type'::text)) STORED,
    status text GENERATED ALWAYS AS ((data ->> 'status'::text)) STORED,
    amount bigint GENERATED ALWAYS AS (((data ->> 'amount'::text))::bigint) STORED,
    currency text GENERATED ALWAYS AS ((data ->> 'currency'::text)) STORED
);
ALTER TABLE ONLY stripe.balance_transactions ALTER COLUMN data SET COMPRESSION lz4;

--
-- Name: charges; Type: TABLE; Schema: stripe; Owner: -
--

CREATE TABLE stripe.charges (
    account text DEFAULT ''::text NOT NULL,
    id text NOT NULL,
    data jsonb NOT NULL,
    livemode boolean NOT NULL,
    deleted boolean DEFAULT false NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    last_event_id text NOT NULL COLLATE pg_catalog."C",
    last_event_created timestamp with time zone NOT NULL,
    last_event_type text NOT NULL,
    api_version text,
    created timestamp with time zone GENERATED ALWAYS AS (to_timestamp(((data ->> 'created'::text))::double precision)) STORED,
    metadata jsonb GENERATED ALWAYS AS ((data -> 'metadata'::text)) STORED,
    customer text GENERATED ALWAYS AS (COALESCE(((data -> 'customer'::text) ->> 'id'::text), (data ->> 'customer'::text))) STORED,
    payment_intent text GENERATED ALWAYS AS (COALESCE(((data -> 'payment_intent'::text) ->> 'id'::text), (data ->> 'payment_intent'::text))) STORED,
    status text GENERATED ALWAYS AS ((data ->> 'status'::text)) STORED,
    amount bigint GENERATED ALWAYS AS (((data ->> 'amount'::text))::bigint) STORED,
    amount_refunded bigint GENERATED ALWAYS AS (((data ->> 'amount_refunded'::text))::bigint) STORED,
    currency text GENERATED ALWAYS AS ((data ->> 'currency'::text)) STORED
);
ALTER TABLE ONLY stripe.charges ALTER COLUMN data SET COMPRESSION lz4;

--
-- Name: checkout_sessions; Type: TABLE; Schema: stripe; Owner: -
--

CREATE TABLE stripe.checkout_sessions (
    account text DEFAULT ''::text NOT NULL,
    id text NOT NULL,
    data jsonb NOT NULL,
    livemode boolean NOT NULL,
    deleted boolean DEFAULT false NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    last_event_id text NOT NULL COLLATE pg_catalog."C",
    last_event_created timestamp with time zone NOT NULL,
    last_event_type text NOT NULL,
    api_version text,
    created timestamp with time zone GENERATED ALWAYS AS (to_timestamp(((data ->> 'created'::text))::double precision)) STORED,
    metadata jsonb GENERATED ALWAYS AS ((data -> 'metadata'::text)) STORED,
    customer text GENERATED ALWAYS AS (COALESCE(((data -> 'customer'::text) ->> 'id'::text), (data ->> 'customer'::text))) STORED,
    customer_email text GENERATED ALWAYS AS (COALESCE(((data -> 'customer_details'::text) ->> 'email'::text), (data ->> 'customer_email'::text))) STORED,
    status text GENERATED ALWAYS AS ((data ->> 'status'::text)) STORED,
    payment_status text GENERATED ALWAYS AS ((data ->> 'payment_status'::text)) STORED,
    amount_total bigint GENERATED ALWAYS AS (((data ->> 'amount_total'::text))::bigint) STORED,
    currency text GENERATED ALWAYS AS ((data ->> 'currency'::text)) STORED
);
ALTER TABLE ONLY stripe.checkout_sessions ALTER COLUMN data SET COMPRESSION lz4;

--
-- Name: coupons; Type: TABLE; Schema: stripe; Owner: -
--

CREATE TABLE stripe.coupons (
    account text DEFAULT ''::text NOT NULL,
    id text NOT NULL,
    data jsonb NOT NULL,
    livemode boolean NOT NULL,
    deleted boolean DEFAULT false NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    last_event_id text NOT NULL COLLATE pg_catalog."C",
    last_event_created timestamp with time zone NOT NULL,
    last_event_type text NOT NULL,
    api_version text,
    created timestamp with time zone GENERATED ALWAYS AS (to_timestamp(((data ->> 'created'::text))::double precision)) STORED,
    metadata jsonb GENERATED ALWAYS AS ((data -> 'metadata'::text)) STORED,
    amount_off bigint GENERATED ALWAYS AS (((data ->> 'amount_off'::text))::bigint) STORED,
    percent_off numeric GENERATED ALWAYS AS (((data ->> 'percent_off'::text))::numeric) STORED,
    currency text GENERATED ALWAYS AS ((data ->> 'currency'::text)) STORED,
    valid boolean GENERATED ALWAYS AS (((data ->> 'valid'::text))::boolean) STORED
);
ALTER TABLE ONLY stripe.coupons ALTER COLUMN data SET COMPRESSION lz4;

--
-- Name: credit_note_line_items; Type: TABLE; Schema: stripe; Owner: -
--

CREATE TABLE stripe.credit_note_line_items (
    account text DEFAULT ''::text NOT NULL,
    credit_note text NOT NULL,
    id text NOT NULL,
    data jsonb NOT NULL,
    livemode boolean NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    last_event_id text NOT NULL COLLATE pg_catalog."C",
    last_event_created timestamp with time zone NOT NULL,
    last_event_type text NOT NULL,
    api_version text,
    metadata jsonb GENERATED ALWAYS AS ((data -> 'metadata'::text)) STORED,
    amount bigint GENERATED ALWAYS AS (((data ->> 'amount'::text))::bigint) STORED
);
ALTER TABLE ONLY stripe.credit_note_line_items ALTER COLUMN data SET COMPRESSION lz4;

--
-- Name: credit_notes; Type: TABLE; Schema: stripe; Owner: -
--

CREATE TABLE stripe.credit_notes (
    account text DEFAULT ''::text NOT NULL,
    id text NOT NULL,
    data jsonb NOT NULL,
    livemode boolean NOT NULL,
    deleted boolean DEFAULT false NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    last_event_id text NOT NULL COLLATE pg_catalog."C",
    last_event_created timestamp with time zone NOT NULL,
    last_event_type text NOT NULL,
    api_version text,
    created timestamp with time zone GENERATED ALWAYS AS (to_timestamp(((data ->> 'created'::text))::double precision)) STORED,
    metadata jsonb GENERATED ALWAYS AS ((data -> 'metadata'::text)) STORED,
    customer text GENERATED ALWAYS AS (COALESCE(((data -> 'customer'::text) ->> 'id'::text), (data ->> 'customer'::text))) STORED,
    invoice text GENERATED ALWAYS AS (COALESCE(((data -> 'invoice'::text) ->> 'id'::text), (data ->> 'invoice'::text))) STORED,
    status text GENERATED ALWAYS AS ((data ->> 'status'::text)) STORED,
    amount bigint GENERATED ALWAYS AS (((data ->> 'amount'::text))::bigint) STORED,
    currency text GENERATED ALWAYS AS ((data ->> 'currency'::text)) STORED
);
ALTER TABLE ONLY stripe.credit_notes ALTER COLUMN data SET COMPRESSION lz4;

--
-- Name: customers; Type: TABLE; Schema: stripe; Owner: -
--

CREATE TABLE stripe.customers (
    account text DEFAULT ''::text NOT NULL,
    id text NOT NULL,
    data jsonb NOT NULL,
    livemode boolean NOT NULL,
    deleted boolean DEFAULT false NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    last_event_id text NOT NULL COLLATE pg_catalog."C",
    last_event_created timestamp with time zone NOT NULL,
    last_event_type text NOT NULL,
    api_version text,
    created timestamp with time zone GENERATED ALWAYS AS (to_timestamp(((data ->> 'created'::text))::double precision)) STORED,
    metadata jsonb GENERATED ALWAYS AS ((data -> 'metadata'::text)) STORED,
    email text GENERATED ALWAYS AS ((data ->> 'email'::text)) STORED,
    name text GENERATED ALWAYS AS ((data ->> 'name'::text)) STORED,
    currency text GENERATED ALWAYS AS ((data ->> 'currency'::text)) STORED
);
ALTER TABLE ONLY stripe.customers ALTER COLUMN data SET COMPRESSION lz4;

--
-- Name: disputes; Type: TABLE; Schema: stripe; Owner: -
--

CREATE TABLE stripe.disputes (
    account text DEFAULT ''::text NOT NULL,
    id text NOT NULL,
    data jsonb NOT NULL,
    livemode boolean NOT NULL,
    deleted boolean DEFAULT false NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    last_event_id text NOT NULL COLLATE pg_catalog."C",
    last_event_created timestamp with time zone NOT NULL,
    last_event_type text NOT NULL,
    api_version text,
    created timestamp with time zone GENERATED ALWAYS AS (to_timestamp(((data ->> 'created'::text))::double precision)) STORED,
    metadata jsonb GENERATED ALWAYS AS ((data -> 'metadata'::text)) STORED,
    charge text GENERATED ALWAYS AS (COALESCE(((data -> 'charge'::text) ->> 'id'::text), (data ->> 'charge'::text))) STORED,
    status text GENERATED ALWAYS AS ((data ->> 'status'::text)) STORED,
    amount bigint GENERATED ALWAYS AS (((data ->> 'amount'::text))::bigint) STORED,
    currency text GENERATED ALWAYS AS ((data ->> 'currency'::text)) STORED
);
ALTER TABLE ONLY stripe.disputes ALTER COLUMN data SET COMPRESSION lz4;

--
-- Name: early_fraud_warnings; Type: TABLE; Schema: stripe; Owner: -
--

CREATE TABLE stripe.early_fraud_warnings (
    account text DEFAULT ''::text NOT NULL,
    id text NOT NULL,
    data jsonb NOT NULL,
    livemode boolean NOT NULL,
    deleted boolean DEFAULT false NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    last_event_id text NOT NULL COLLATE pg_catalog."C",
    last_event_created timestamp with time zone NOT NULL,
    last_event_type text NOT NULL,
    api_version text,
    created timestamp with time zone GENERATED ALWAYS AS (to_timestamp(((data ->> 'created'::text))::double precision)) STORED,
    metadata jsonb GENERATED ALWAYS AS ((data -> 'metadata'::text)) STORED,
    charge text GENERATED ALWAYS AS (COALESCE(((data -> 'charge'::text) ->> 'id'::text), (data ->> 'charge'::text))) STORED,
    payment_intent text GENERATED ALWAYS AS (COALESCE(((data -> 'payment_intent'::text) ->> 'id'::text), (data ->> 'payment_intent'::text))) STORED
);
ALTER TABLE ONLY stripe.early_fraud_warnings ALTER COLUMN data SET COMPRESSION lz4;

--
-- Name: invoice_line_items; Type: TABLE; Schema: stripe; Owner: -
--

CREATE TABLE stripe.invoice_line_items (
    account text DEFAULT ''::text NOT NULL,
    invoice text NOT NULL,
    id text NOT NULL,
    data jsonb NOT NULL,
    livemode boolean NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    last_event_id text NOT NULL COLLATE pg_catalog."C",
    last_event_created timestamp with time zone NOT NULL,
    last_event_type text NOT NULL,
    api_version text,
    metadata jsonb GENERATED ALWAYS AS ((data -> 'metadata'::text)) STORED,
    amount bigint GENERATED ALWAYS AS (((data ->> 'amount'::text))::bigint) STORED,
    currency text GENERATED ALWAYS AS ((data ->> 'currency'::text)) STORED
);
ALTER TABLE ONLY stripe.invoice_line_items ALTER COLUMN data SET COMPRESSION lz4;

--
-- Name: invoiceitems; Type: TABLE; Schema: stripe; Owner: -
--

CREATE TABLE stripe.invoiceitems (
    account text DEFAULT ''::text NOT NULL,
    id text NOT NULL,
    data jsonb NOT NULL,
    livemode boolean NOT NULL,
    deleted boolean DEFAULT false NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    last_event_id text NOT NULL COLLATE pg_catalog."C",
    last_event_created timestamp with time zone NOT NULL,
    last_event_type text NOT NULL,
    api_version text,
    created timestamp with time zone GENERATED ALWAYS AS (to_timestamp(((data ->> 'created'::text))::double precision)) STORED,
    metadata jsonb GENERATED ALWAYS AS ((data -> 'metadata'::text)) STORED,
    customer text GENERATED ALWAYS AS (COALESCE(((data -> 'customer'::text) ->> 'id'::text), (data ->> 'customer'::text))) STORED,
    invoice text GENERATED ALWAYS AS (COALESCE(((data -> 'invoice'::text) ->> 'id'::text), (data ->> 'invoice'::text))) STORED,
    amount bigint GENERATED ALWAYS AS (((data ->> 'amount'::text))::bigint) STORED,
    currency text GENERATED ALWAYS AS ((data ->> 'currency'::text)) STORED
);
ALTER TABLE ONLY stripe.invoiceitems ALTER COLUMN data SET COMPRESSION lz4;

--
-- Name: invoices; Type: TABLE; Schema: stripe; Owner: -
--

CREATE TABLE stripe.invoices (
    account text DEFAULT ''::text NOT NULL,
    id text NOT NULL,
    data jsonb NOT NULL,
    livemode boolean NOT NULL,
    deleted boolean DEFAULT false NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    last_event_id text NOT NULL COLLATE pg_catalog."C",
    last_event_created timestamp with time zone NOT NULL,
    last_event_type text NOT NULL,
    api_version text,
    created timestamp with time zone GENERATED ALWAYS AS (to_timestamp(((data ->> 'created'::text))::double precision)) STORED,
    metadata jsonb GENERATED ALWAYS AS ((data -> 'metadata'::text)) STORED,
    customer text GENERATED ALWAYS AS (COALESCE(((data -> 'customer'::text) ->> 'id'::text), (data ->> 'customer'::text))) STORED,
    customer_email text GENERATED ALWAYS AS ((data ->> 'customer_email'::text)) STORED,
    subscription text GENERATED ALWAYS AS (COALESCE((((data -> 'parent'::text) -> 'subscription_details'::text) ->> 'subscription'::text), ((data -> 'subscription'::text) ->> 'id'::text), (data ->> 'subscription'::text))) STORED,
    status text GENERATED ALWAYS AS ((data ->> 'status'::text)) STORED,
    amount_due bigint GENERATED ALWAYS AS (((data ->> 'amount_due'::text))::bigint) STORED,
    amount_paid bigint GENERATED ALWAYS AS (((data ->> 'amount_paid'::text))::bigint) STORED,
    total bigint GENERATED ALWAYS AS (((data ->> 'total'::text))::bigint) STORED,
    currency text GENERATED ALWAYS AS ((data ->> 'currency'::text)) STORED,
    period_start timestamp with time zone GENERATED ALWAYS AS (to_timestamp(((data ->> 'period_start'::text))::double precision)) STORED,
    period_end timestamp with time zone GENERATED ALWAYS AS (to_timestamp(((data ->> 'period_end'::text))::double precision)) STORED
);
ALTER TABLE ONLY stripe.invoices ALTER COLUMN data SET COMPRESSION lz4;

--
-- Name: payment_intents; Type: TABLE; Schema: stripe; Owner: -
--

CREATE TABLE stripe.payment_intents (
    account text DEFAULT ''::text NOT NULL,
    id text NOT NULL,
    data jsonb NOT NULL,
    livemode boolean NOT NULL,
    deleted boolean DEFAULT false NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    last_event_id text NOT NULL COLLATE pg_catalog."C",
    last_event_created timestamp with time zone NOT NULL,
    last_event_type text NOT NULL,
    api_version text,
    created timestamp with time zone GENERATED ALWAYS AS (to_timestamp(((data ->> 'created'::text))::double precision)) STORED,
    metadata jsonb GENERATED ALWAYS AS ((data -> 'metadata'::text)) STORED,
    customer text GENERATED ALWAYS AS (COALESCE(((data -> 'customer'::text) ->> 'id'::text), (data ->> 'customer'::text))) STORED,
    status text GENERATED ALWAYS AS ((data ->> 'status'::text)) STORED,
    amount bigint GENERATED ALWAYS AS (((data ->> 'amount'::text))::bigint) STORED,
    amount_received bigint GENERATED ALWAYS AS (((data ->> 'amount_received'::text))::bigint) STORED,
    currency text GENERATED ALWAYS AS ((data ->> 'currency'::text)) STORED
);
ALTER TABLE ONLY stripe.payment_intents ALTER COLUMN data SET COMPRESSION lz4;

--
-- Name: payment_methods; Type: TABLE; Schema: stripe; Owner: -
--

CREATE TABLE stripe.payment_methods (
    account text DEFAULT ''::text NOT NULL,
    id text NOT NULL,
    data jsonb NOT NULL,
    livemode boolean NOT NULL,
    deleted boolean DEFAULT false NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    last_event_id text NOT NULL COLLATE pg_catalog."C",
    last_event_created timestamp with time zone NOT NULL,
    last_event_type text NOT NULL,
    api_version text,
    created timestamp with time zone GENERATED ALWAYS AS (to_timestamp(((data ->> 'created'::text))::double precision)) STORED,
    metadata jsonb GENERATED ALWAYS AS ((data -> 'metadata'::text)) STORED,
    customer text GENERATED ALWAYS AS (COALESCE(((data -> 'customer'::text) ->> 'id'::text), (data ->> 'customer'::text))) STORED,
    type text GENERATED ALWAYS AS ((data ->> 'type'::text)) STORED
);
ALTER TABLE ONLY stripe.payment_methods ALTER COLUMN data SET COMPRESSION lz4;

--
-- Name: payouts; Type: TABLE; Schema: stripe; Owner: -
--

CREATE TABLE stripe.payouts (
    account text DEFAULT ''::text NOT NULL,
    id text NOT NULL,
    data jsonb NOT NULL,
    livemode boolean NOT NULL,
    deleted boolean DEFAULT false NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    last_event_id text NOT NULL COLLATE pg_catalog."C",
    last_event_created timestamp with time zone NOT NULL,
    last_event_type text NOT NULL,
    api_version text,
    created timestamp with time zone GENERATED ALWAYS AS (to_timestamp(((data ->> 'created'::text))::double precision)) STORED,
    metadata jsonb GENERATED ALWAYS AS ((data -> 'metadata'::text)) STORED,
    status text GENERATED ALWAYS AS ((data ->> 'status'::text)) STORED,
    amount bigint GENERATED ALWAYS AS (((data ->> 'amount'::text))::bigint) STORED,
    currency text GENERATED ALWAYS AS ((data ->> 'currency'::text)) STORED,
    arrival_date timestamp with time zone GENERATED ALWAYS AS (to_timestamp(((data ->> 'arrival_date'::text))::double precision)) STORED
);
ALTER TABLE ONLY stripe.payouts ALTER COLUMN data SET COMPRESSION lz4;

--
-- Name: plans; Type: TABLE; Schema: stripe; Owner: -
--

CREATE TABLE stripe.plans (
    account text DEFAULT ''::text NOT NULL,
    id text NOT NULL,
    data jsonb NOT NULL,
    livemode boolean NOT NULL,
    deleted boolean DEFAULT false NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    last_event_id text NOT NULL COLLATE pg_catalog."C",
    last_event_created timestamp with time zone NOT NULL,
    last_event_type text NOT NULL,
    api_version text,
    created timestamp with time zone GENERATED ALWAYS AS (to_timestamp(((data ->> 'created'::text))::double precision)) STORED,
    metadata jsonb GENERATED ALWAYS AS ((data -> 'metadata'::text)) STORED,
    product text GENERATED ALWAYS AS (COALESCE(((data -> 'product'::text) ->> 'id'::text), (data ->> 'product'::text))) STORED,
    active boolean GENERATED ALWAYS AS (((data ->> 'active'::text))::boolean) STORED,
    amount bigint GENERATED ALWAYS AS (((data ->> 'amount'::text))::bigint) STORED,
    currency text GENERATED ALWAYS AS ((data ->> 'currency'::text)) STORED
);
ALTER TABLE ONLY stripe.plans ALTER COLUMN data SET COMPRESSION lz4;

--
-- Name: prices; Type: TABLE; Schema: stripe; Owner: -
--

CREATE TABLE stripe.prices (
    account text DEFAULT ''::text NOT NULL,
    id text NOT NULL,
    data jsonb NOT NULL,
    livemode boolean NOT NULL,
    deleted boolean DEFAULT false NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    last_event_id text NOT NULL COLLATE pg_catalog."C",
    last_event_created timestamp with time zone NOT NULL,
    last_event_type text NOT NULL,
    api_version text,
    created timestamp with time zone GENERATED ALWAYS AS (to_timestamp(((data ->> 'created'::text))::double precision)) STORED,
    metadata jsonb GENERATED ALWAYS AS ((data -> 'metadata'::text)) STORED,
    product text GENERATED ALWAYS AS (COALESCE(((data -> 'product'::text) ->> 'id'::text), (data ->> 'product'::text))) STORED,
    active boolean GENERATED ALWAYS AS (((data ->> 'active'::text))::boolean) STORED,
    type text GENERATED ALWAYS AS ((data ->> 'type'::text)) STORED,
    unit_amount bigint GENERATED ALWAYS AS (((data ->> 'unit_amount'::text))::bigint) STORED,
    currency text GENERATED ALWAYS AS ((data ->> 'currency'::text)) STORED
);
ALTER TABLE ONLY stripe.prices ALTER COLUMN data SET COMPRESSION lz4;

--
-- Name: products; Type: TABLE; Schema: stripe; Owner: -
--

CREATE TABLE stripe.products (
    account text DEFAULT ''::text NOT NULL,
    id text NOT NULL,
    data jsonb NOT NULL,
    livemode boolean NOT NULL,
    deleted boolean DEFAULT false NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    last_event_id text NOT NULL COLLATE pg_catalog."C",
    last_event_created timestamp with time zone NOT NULL,
    last_event_type text NOT NULL,
    api_version text,
    created timestamp with time zone GENERATED ALWAYS AS (to_timestamp(((data ->> 'created'::text))::double precision)) STORED,
    metadata jsonb GENERATED ALWAYS AS ((data -> 'metadata'::text)) STORED,
    name text GENERATED ALWAYS AS ((data ->> 'name'::text)) STORED,
    active boolean GENERATED ALWAYS AS (((data ->> 'active'::text))::boolean) STORED
);
ALTER TABLE ONLY stripe.products ALTER COLUMN data SET COMPRESSION lz4;

--
-- Name: promotion_codes; Type: TABLE; Schema: stripe; Owner: -
--

CREATE TABLE stripe.promotion_codes (
    account text DEFAULT ''::text NOT NULL,
    id text NOT NULL,
    data jsonb NOT NULL,
    livemode boolean NOT NULL,
    deleted boolean DEFAULT false NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    last_event_id text NOT NULL COLLATE pg_catalog."C",
    last_event_created timestamp with time zone NOT NULL,
    last_event_type text NOT NULL,
    api_version text,
    created timestamp with time zone GENERATED ALWAYS AS (to_timestamp(((data ->> 'created'::text))::double precision)) STORED,
    metadata jsonb GENERATED ALWAYS AS ((data -> 'metadata'::text)) STORED,
    code text GENERATED ALWAYS AS ((data ->> 'code'::text)) STORED,
    customer text GENERATED ALWAYS AS (COALESCE(((data -> 'customer'::text) ->> 'id'::text), (data ->> 'customer'::text))) STORED,
    active boolean GENERATED ALWAYS AS (((data ->> 'active'::text))::boolean) STORED
);
ALTER TABLE ONLY stripe.promotion_codes ALTER COLUMN data SET COMPRESSION lz4;

--
-- Name: refunds; Type: TABLE; Schema: stripe; Owner: -
--

CREATE TABLE stripe.refunds (
    account text DEFAULT ''::text NOT NULL,
    id text NOT NULL,
    data jsonb NOT NULL,
    livemode boolean NOT NULL,
    deleted boolean DEFAULT false NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    last_event_id text NOT NULL COLLATE pg_catalog."C",
    last_event_created timestamp with time zone NOT NULL,
    last_event_type text NOT NULL,
    api_version text,
    created timestamp with time zone GENERATED ALWAYS AS (to_timestamp(((data ->> 'created'::text))::double precision)) STORED,
    metadata jsonb GENERATED ALWAYS AS ((data -> 'metadata'::text)) STORED,
    charge text GENERATED ALWAYS AS (COALESCE(((data -> 'charge'::text) ->> 'id'::text), (data ->> 'charge'::text))) STORED,
    payment_intent text GENERATED ALWAYS AS (COALESCE(((data -> 'payment_intent'::text) ->> 'id'::text), (data ->> 'payment_intent'::text))) STORED,
    status text GENERATED ALWAYS AS ((data ->> 'status'::text)) STORED,
    amount bigint GENERATED ALWAYS AS (((data ->> 'amount'::text))::bigint) STORED,
    currency text GENERATED ALWAYS AS ((data ->> 'currency'::text)) STORED
);
ALTER TABLE ONLY stripe.refunds ALTER COLUMN data SET COMPRESSION lz4;

--
-- Name: reviews; Type: TABLE; Schema: stripe; Owner: -
--

CREATE TABLE stripe.reviews (
    account text DEFAULT ''::text NOT NULL,
    id text NOT NULL,
    data jsonb NOT NULL,
    livemode boolean NOT NULL,
    deleted boolean DEFAULT false NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    last_event_id text NOT NULL COLLATE pg_catalog."C",
    last_event_created timestamp with time zone NOT NULL,
    last_event_type text NOT NULL,
    api_version text,
    created timestamp with time zone GENERATED ALWAYS AS (to_timestamp(((data ->> 'created'::text))::double precision)) STORED,
    metadata jsonb GENERATED ALWAYS AS ((data -> 'metadata'::text)) STORED,
    charge text GENERATED ALWAYS AS (COALESCE(((data -> 'charge'::text) ->> 'id'::text), (data ->> 'charge'::text))) STORED,
    payment_intent text GENERATED ALWAYS AS (COALESCE(((data -> 'payment_intent'::text) ->> 'id'::text), (data ->> 'payment_intent'::text))) STORED,
    open boolean GENERATED ALWAYS AS (((data ->> 'open'::text))::boolean) STORED
);
ALTER TABLE ONLY stripe.reviews ALTER COLUMN data SET COMPRESSION lz4;

--
-- Name: setup_intents; Type: TABLE; Schema: stripe; Owner: -
--

CREATE TABLE stripe.setup_intents (
    account text DEFAULT ''::text NOT NULL,
    id text NOT NULL,
    data jsonb NOT NULL,
    livemode boolean NOT NULL,
    deleted boolean DEFAULT false NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    last_event_id text NOT NULL COLLATE pg_catalog."C",
    last_event_created timestamp with time zone NOT NULL,
    last_event_type text NOT NULL,
    api_version text,
    created timestamp with time zone GENERATED ALWAYS AS (to_timestamp(((data ->> 'created'::text))::double precision)) STORED,
    metadata jsonb GENERATED ALWAYS AS ((data -> 'metadata'::text)) STORED,
    customer text GENERATED ALWAYS AS (COALESCE(((data -> 'customer'::text) ->> 'id'::text), (data ->> 'customer'::text))) STORED,
    status text GENERATED ALWAYS AS ((data ->> 'status'::text)) STORED
);
ALTER TABLE ONLY stripe.setup_intents ALTER COLUMN data SET COMPRESSION lz4;

--
-- Name: subscription_items; Type: TABLE; Schema: stripe; Owner: -
--

CREATE TABLE stripe.subscription_items (
    account text DEFAULT ''::text NOT NULL,
    subscription text NOT NULL,
    id text NOT NULL,
    data jsonb NOT NULL,
    livemode boolean NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    last_event_id text NOT NULL COLLATE pg_catalog."C",
    last_event_created timestamp with time zone NOT NULL,
    last_event_type text NOT NULL,
    api_version text,
    metadata jsonb GENERATED ALWAYS AS ((data -> 'metadata'::text)) STORED,
    price text GENERATED ALWAYS AS (COALESCE(((data -> 'price'::text) ->> 'id'::text), (data ->> 'price'::text))) STORED,
    quantity bigint GENERATED ALWAYS AS (((data ->> 'quantity'::text))::bigint) STORED,
    current_period_start timestamp with time zone GENERATED ALWAYS AS (to_timestamp(((data ->> 'current_period_start'::text))::double precision)) STORED,
    current_period_end timestamp with time zone GENERATED ALWAYS AS (to_timestamp(((data ->> 'current_period_end'::text))::double precision)) STORED
);
ALTER TABLE ONLY stripe.subscription_items ALTER COLUMN data SET COMPRESSION lz4;

--
-- Name: subscription_schedules; Type: TABLE; Schema: stripe; Owner: -
--

CREATE TABLE stripe.subscription_schedules (
    account text DEFAULT ''::text NOT NULL,
    id text NOT NULL,
    data jsonb NOT NULL,
    livemode boolean NOT NULL,
    deleted boolean DEFAULT false NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    last_event_id text NOT NULL COLLATE pg_catalog."C",
    last_event_created timestamp with time zone NOT NULL,
    last_event_type text NOT NULL,
    api_version text,
    created timestamp with time zone GENERATED ALWAYS AS (to_timestamp(((data ->> 'created'::text))::double precision)) STORED,
    metadata jsonb GENERATED ALWAYS AS ((data -> 'metadata'::text)) STORED,
    customer text GENERATED ALWAYS AS (COALESCE(((data -> 'customer'::text) ->> 'id'::text), (data ->> 'customer'::text))) STORED,
    subscription text GENERATED ALWAYS AS (COALESCE(((data -> 'subscription'::text) ->> 'id'::text), (data ->> 'subscription'::text))) STORED,
    status text GENERATED ALWAYS AS ((data ->> 'status'::text)) STORED
);
ALTER TABLE ONLY stripe.subscription_schedules ALTER COLUMN data SET COMPRESSION lz4;

--
-- Name: subscriptions; Type: TABLE; Schema: stripe; Owner: -
--

CREATE TABLE stripe.subscriptions (
    account text DEFAULT ''::text NOT NULL,
    id text NOT NULL,
    data jsonb NOT NULL,
    livemode boolean NOT NULL,
    deleted boolean DEFAULT false NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    last_event_id text NOT NULL COLLATE pg_catalog."C",
    last_event_created timestamp with time zone NOT NULL,
    last_event_type text NOT NULL,
    api_version text,
    created timestamp with time zone GENERATED ALWAYS AS (to_timestamp(((data ->> 'created'::text))::double precision)) STORED,
    metadata jsonb GENERATED ALWAYS AS ((data -> 'metadata'::text)) STORED,
    customer text GENERATED ALWAYS AS (COALESCE(((data -> 'customer'::text) ->> 'id'::text), (data ->> 'customer'::text))) STORED,
    status text GENERATED ALWAYS AS ((data ->> 'status'::text)) STORED,
    cancel_at_period_end boolean GENERATED ALWAYS AS (((data ->> 'cancel_at_period_end'::text))::boolean) STORED,
    current_period_start timestamp with time zone GENERATED ALWAYS AS (to_timestamp((COALESCE((data ->> 'current_period_start'::text), ((((data -> 'items'::text) -> 'data'::text) -> 0) ->> 'current_period_start'::text)))::double precision)) STORED,
    current_period_end timestamp with time zone GENERATED ALWAYS AS (to_timestamp((COALESCE((data ->> 'current_period_end'::text), ((((data -> 'items'::text) -> 'data'::text) -> 0) ->> 'current_period_end'::text)))::double precision)) STORED
);
ALTER TABLE ONLY stripe.subscriptions ALTER COLUMN data SET COMPRESSION lz4;

--
-- Name: tax_ids; Type: TABLE; Schema: stripe; Owner: -
--

CREATE TABLE stripe.tax_ids (
    account text DEFAULT ''::text NOT NULL,
    id text NOT NULL,
    data jsonb NOT NULL,
    livemode boolean NOT NULL,
    deleted boolean DEFAULT false NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    last_event_id text NOT NULL COLLATE pg_catalog."C",
    last_event_created timestamp with time zone NOT NULL,
    last_event_type text NOT NULL,
    api_version text,
    created timestamp with time zone GENERATED ALWAYS AS (to_timestamp(((data ->> 'created'::text))::double precision)) STORED,
    metadata jsonb GENERATED ALWAYS AS ((data -> 'metadata'::text)) STORED,
    customer text GENERATED ALWAYS AS (COALESCE(((data -> 'customer'::text) ->> 'id'::text), (data ->> 'customer'::text))) STORED,
    type text GENERATED ALWAYS AS ((data ->> 'type'::text)) STORED,
    value text GENERATED ALWAYS AS ((data ->> 'value'::text)) STORED
);
ALTER TABLE ONLY stripe.tax_ids ALTER COLUMN data SET COMPRESSION lz4;

--
-- Name: transfers; Type: TABLE; Schema: stripe; Owner: -
--

CREATE TABLE stripe.transfers (
    account text DEFAULT ''::text NOT NULL,
    id text NOT NULL,
    data jsonb NOT NULL,
    livemode boolean NOT NULL,
    deleted boolean DEFAULT false NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    last_event_id text NOT NULL COLLATE pg_catalog."C",
    last_event_created timestamp with time zone NOT NULL,
    last_event_type text NOT NULL,
    api_version text,
    created timestamp with time zone GENERATED ALWAYS AS (to_timestamp(((data ->> 'created'::text))::double precision)) STORED,
    metadata jsonb GENERATED ALWAYS AS ((data -> 'metadata'::text)) STORED,
    destination text GENERATED ALWAYS AS (COALESCE(((data -> 'destination'::text) ->> 'id'::text), (data ->> 'destination'::text))) STORED,
    amount bigint GENERATED ALWAYS AS (((data ->> 'amount'::text))::bigint) STORED,
    currency text GENERATED ALWAYS AS ((data ->> 'currency'::text)) STORED
);
ALTER TABLE ONLY stripe.transfers ALTER COLUMN data SET COMPRESSION lz4;

--
-- Name: _backfill_checkpoints _backfill_checkpoints_pkey; Type: CONSTRAINT; Schema: stripe; Owner: -
--

ALTER TABLE ONLY stripe._backfill_checkpoints
    ADD CONSTRAINT _backfill_checkpoints_pkey PRIMARY KEY (type);

--
-- Name: _migrations _migrations_pkey; Type: CONSTRAINT; Schema: stripe; Owner: -
--

ALTER TABLE ONLY stripe._migrations
    ADD CONSTRAINT _migrations_pkey PRIMARY KEY (id);

--
-- Name: accounts accounts_pkey; Type: CONSTRAINT; Schema: stripe; Owner: -
--

ALTER TABLE ONLY stripe.accounts
    ADD CONSTRAINT accounts_pkey PRIMARY KEY (account, id);

--
-- Name: balance_transactions balance_transactions_pkey; Type: CONSTRAINT; Schema: stripe; Owner: -
--

ALTER TABLE ONLY stripe.balance_transactions
    ADD CONSTRAINT balance_transactions_pkey PRIMARY KEY (account, id);

--
-- Name: charges charges_pkey; Type: CONSTRAINT; Schema: stripe; Owner: -
--

ALTER TABLE ONLY stripe.charges
    ADD CONSTRAINT charges_pkey PRIMARY KEY (account, id);

--
-- Name: checkout_sessions checkout_sessions_pkey; Type: CONSTRAINT; Schema: stripe; Owner: -
--

ALTER TABLE ONLY stripe.checkout_sessions
    ADD CONSTRAINT checkout_sessions_pkey PRIMARY KEY (account, id);

--
-- Name: coupons coupons_pkey; Type: CONSTRAINT; Schema: stripe; Owner: -
--

ALTER TABLE ONLY stripe.coupons
    ADD CONSTRAINT coupons_pkey PRIMARY KEY (account, id);

--
-- Name: credit_note_line_items credit_note_line_items_pkey; Type: CONSTRAINT; Schema: stripe; Owner: -
--

ALTER TABLE ONLY stripe.credit_note_line_items
    ADD CONSTRAINT credit_note_line_items_pkey PRIMARY KEY (account, credit_note, id);

--
-- Name: credit_notes credit_notes_pkey; Type: CONSTRAINT; Schema: stripe; Owner: -
--

ALTER TABLE ONLY stripe.credit_notes
    ADD CONSTRAINT credit_notes_pkey PRIMARY KEY (account, id);

--
-- Name: customers customers_pkey; Type: CONSTRAINT; Schema: stripe; Owner: -
--

ALTER TABLE ONLY stripe.customers
    ADD CONSTRAINT customers_pkey PRIMARY KEY (account, id);

--
-- Name: disputes disputes_pkey; Type: CONSTRAINT; Schema: stripe; Owner: -
--

ALTER TABLE ONLY stripe.disputes
    ADD CONSTRAINT disputes_pkey PRIMARY KEY (account, id);

--
-- Name: early_fraud_warnings early_fraud_warnings_pkey; Type: CONSTRAINT; Schema: stripe; Owner: -
--

ALTER TABLE ONLY stripe.early_fraud_warnings
    ADD CONSTRAINT early_fraud_warnings_pkey PRIMARY KEY (account, id);

--
-- Name: invoice_line_items invoice_line_items_pkey; Type: CONSTRAINT; Schema: stripe; Owner: -
--

ALTER TABLE ONLY stripe.invoice_line_items
    ADD CONSTRAINT invoice_line_items_pkey PRIMARY KEY (account, invoice, id);

--
-- Name: invoiceitems invoiceitems_pkey; Type: CONSTRAINT; Schema: stripe; Owner: -
--

ALTER TABLE ONLY stripe.invoiceitems
    ADD CONSTRAINT invoiceitems_pkey PRIMARY KEY (account, id);

--
-- Name: invoices invoices_pkey; Type: CONSTRAINT; Schema: stripe; Owner: -
--

ALTER TABLE ONLY stripe.invoices
    ADD CONSTRAINT invoices_pkey PRIMARY KEY (account, id);

--
-- Name: payment_intents payment_intents_pkey; Type: CONSTRAINT; Schema: stripe; Owner: -
--

ALTER TABLE ONLY stripe.payment_intents
    ADD CONSTRAINT payment_intents_pkey PRIMARY KEY (account, id);

--
-- Name: payment_methods payment_methods_pkey; Type: CONSTRAINT; Schema: stripe; Owner: -
--

ALTER TABLE ONLY stripe.payment_methods
    ADD CONSTRAINT payment_methods_pkey PRIMARY KEY (account, id);

--
-- Name: payouts payouts_pkey; Type: CONSTRAINT; Schema: stripe; Owner: -
--

ALTER TABLE ONLY stripe.payouts
    ADD CONSTRAINT payouts_pkey PRIMARY KEY (account, id);

--
-- Name: plans plans_pkey; Type: CONSTRAINT; Schema: stripe; Owner: -
--

ALTER TABLE ONLY stripe.plans
    ADD CONSTRAINT plans_pkey PRIMARY KEY (account, id);

--
-- Name: prices prices_pkey; Type: CONSTRAINT; Schema: stripe; Owner: -
--

ALTER TABLE ONLY stripe.prices
    ADD CONSTRAINT prices_pkey PRIMARY KEY (account, id);

--
-- Name: products products_pkey; Type: CONSTRAINT; Schema: stripe; Owner: -
--

ALTER TABLE ONLY stripe.products
    ADD CONSTRAINT products_pkey PRIMARY KEY (account, id);

--
-- Name: promotion_codes promotion_codes_pkey; Type: CONSTRAINT; Schema: stripe; Owner: -
--

ALTER TABLE ONLY stripe.promotion_codes
    ADD CONSTRAINT promotion_codes_pkey PRIMARY KEY (account, id);

--
-- Name: refunds refunds_pkey; Type: CONSTRAINT; Schema: stripe; Owner: -
--

ALTER TABLE ONLY stripe.refunds
    ADD CONSTRAINT refunds_pkey PRIMARY KEY (account, id);

--
-- Name: reviews reviews_pkey; Type: CONSTRAINT; Schema: stripe; Owner: -
--

ALTER TABLE ONLY stripe.reviews
    ADD CONSTRAINT reviews_pkey PRIMARY KEY (account, id);

--
-- Name: setup_intents setup_intents_pkey; Type: CONSTRAINT; Schema: stripe; Owner: -
--

ALTER TABLE ONLY stripe.setup_intents
    ADD CONSTRAINT setup_intents_pkey PRIMARY KEY (account, id);

--
-- Name: subscription_items subscription_items_pkey; Type: CONSTRAINT; Schema: stripe; Owner: -
--

ALTER TABLE ONLY stripe.subscription_items
    ADD CONSTRAINT subscription_items_pkey PRIMARY KEY (account, subscription, id);

--
-- Name: subscription_schedules subscription_schedules_pkey; Type: CONSTRAINT; Schema: stripe; Owner: -
--

ALTER TABLE ONLY stripe.subscription_schedules
    ADD CONSTRAINT subscription_schedules_pkey PRIMARY KEY (account, id);

--
-- Name: subscriptions subscriptions_pkey; Type: CONSTRAINT; Schema: stripe; Owner: -
--

ALTER TABLE ONLY stripe.subscriptions
    ADD CONSTRAINT subscriptions_pkey PRIMARY KEY (account, id);

--
-- Name: tax_ids tax_ids_pkey; Type: CONSTRAINT; Schema: stripe; Owner: -
--

ALTER TABLE ONLY stripe.tax_ids
    ADD CONSTRAINT tax_ids_pkey PRIMARY KEY (account, id);

--
-- Name: transfers transfers_pkey; Type: CONSTRAINT; Schema: stripe; Owner: -
--

ALTER TABLE ONLY stripe.transfers
    ADD CONSTRAINT transfers_pkey PRIMARY KEY (account, id);

--
-- Name: charges_customer_idx; Type: INDEX; Schema: stripe; Owner: -
--

CREATE INDEX charges_customer_idx ON stripe.charges USING btree (customer);

--
-- Name: charges_payment_intent_idx; Type: INDEX; Schema: stripe; Owner: -
--

CREATE INDEX charges_payment_intent_idx ON stripe.charges USING btree (payment_intent);

--
-- Name: customers_email_idx; Type: INDEX; Schema: stripe; Owner: -
--

CREATE INDEX customers_email_idx ON stripe.customers USING btree (email);

--
-- Name: invoices_customer_idx; Type: INDEX; Schema: stripe; Owner: -
--

CREATE INDEX invoices_customer_idx ON stripe.invoices USING btree (customer);

--
-- Name: invoices_subscription_idx; Type: INDEX; Schema: stripe; Owner: -
--

CREATE INDEX invoices_subscription_idx ON stripe.invoices USING btree (subscription);

--
-- Name: payment_intents_customer_idx; Type: INDEX; Schema: stripe; Owner: -
--

CREATE INDEX payment_intents_customer_idx ON stripe.payment_intents USING btree (customer);

--
-- Name: payment_methods_customer_idx; Type: INDEX; Schema: stripe; Owner: -
--

CREATE INDEX payment_methods_customer_idx ON stripe.payment_methods USING btree (customer);

--
-- Name: subscriptions_customer_idx; Type: INDEX; Schema: stripe; Owner: -
--

CREATE INDEX subscriptions_customer_idx ON stripe.subscriptions USING btree (customer);

--
-- PostgreSQL database dump complete
--
