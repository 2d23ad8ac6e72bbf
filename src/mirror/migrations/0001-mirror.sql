-- The mirror: one current row per Stripe object, in one table per object type (the plural snake_case of
-- `object`). `data` is the raw object of the event that last changed the row; the typed columns are generated
-- from it, so a Stripe API version that moves a field never loses data, it only leaves a column empty.
--
-- `account` is the Connect account the event came from, '' for the platform's own objects: it is part of the
-- primary key, and a primary key column cannot be null. Query the platform's objects with `account = ''`.
-- `last_event_created`, `last_event_type`, `last_event_id` order snapshots: a row is only overwritten by a newer
-- event. In a tie of Stripe's one-second `created`, a `*.created` event is older than any other about the same
-- object; then the event id decides, in byte order (hence COLLATE "C").

-- `data` is TOASTed; lz4 compresses it several times faster than the default pglz (as for the inbox's payloads).
-- A server built without lz4 keeps pglz.
CREATE FUNCTION {{schema}}.compress_with_lz4(name text) RETURNS void LANGUAGE plpgsql AS $fn$
BEGIN
  EXECUTE format('ALTER TABLE {{schema}}.%I ALTER COLUMN data SET COMPRESSION lz4', name);
EXCEPTION WHEN feature_not_supported OR undefined_object OR invalid_parameter_value THEN
  NULL;
END
$fn$;

-- The columns every mirrored object has. Also called at run time for an object type first seen in an event.
CREATE FUNCTION {{schema}}.create_object_table(name text) RETURNS void LANGUAGE plpgsql AS $fn$
BEGIN
  EXECUTE format($sql$
    CREATE TABLE IF NOT EXISTS {{schema}}.%I (
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
  PERFORM {{schema}}.compress_with_lz4(name);
END
$fn$;

-- Rows of a list nested in a parent object (subscription.items, invoice.lines): replaced with the parent,
-- never merged, so they carry the parent's id in their key and no tombstone.
CREATE FUNCTION {{schema}}.create_nested_table(name text, parent text) RETURNS void LANGUAGE plpgsql AS $fn$
BEGIN
  EXECUTE format($sql$
    CREATE TABLE IF NOT EXISTS {{schema}}.%1$I (
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
  PERFORM {{schema}}.compress_with_lz4(name);
  -- Deletes a parent's rows missing from its new list. Called by the write of the parent, after it holds the
  -- parent's row: a VOLATILE function's statement takes a fresh snapshot (read committed), so it sees the rows of
  -- every concurrent writer of the same parent, which committed before that row lock was granted.
  EXECUTE format($sql$
    CREATE FUNCTION {{schema}}.%1$I(text, text, text[]) RETURNS bigint
    LANGUAGE plpgsql VOLATILE AS $body$
    DECLARE
      removed bigint;
    BEGIN
      DELETE FROM {{schema}}.%2$I AS item
      WHERE item.account = $1 AND item.%3$I = $2 AND item.id <> ALL ($3);
      GET DIAGNOSTICS removed = ROW_COUNT;
      RETURN removed;
    END
    $body$$sql$, 'prune_' || name, name, parent);
END
$fn$;

SELECT {{schema}}.create_object_table(name) FROM unnest(ARRAY[
  'accounts', 'balance_transactions', 'charges', 'checkout_sessions', 'coupons', 'credit_notes', 'customers',
  'disputes', 'early_fraud_warnings', 'invoiceitems', 'invoices', 'payment_intents', 'payment_methods', 'payouts',
  'plans', 'prices', 'products', 'promotion_codes', 'refunds', 'reviews', 'setup_intents', 'subscription_schedules',
  'subscriptions', 'tax_ids', 'transfers'
]) AS name;
SELECT {{schema}}.create_nested_table('subscription_items', 'subscription');
SELECT {{schema}}.create_nested_table('invoice_line_items', 'invoice');
SELECT {{schema}}.create_nested_table('credit_note_line_items', 'credit_note');

-- Typed columns people filter on. An expandable field (`customer`) is an id in events, an object when expanded.
ALTER TABLE {{schema}}.accounts
  ADD COLUMN email text GENERATED ALWAYS AS (data->>'email') STORED,
  ADD COLUMN country text GENERATED ALWAYS AS (data->>'country') STORED,
  ADD COLUMN charges_enabled boolean GENERATED ALWAYS AS ((data->>'charges_enabled')::boolean) STORED;
ALTER TABLE {{schema}}.balance_transactions
  ADD COLUMN source text GENERATED ALWAYS AS (coalesce(data->'source'->>'id', data->>'source')) STORED,
  ADD COLUMN type text GENERATED ALWAYS AS (data->>'type') STORED,
  ADD COLUMN status text GENERATED ALWAYS AS (data->>'status') STORED,
  ADD COLUMN amount bigint GENERATED ALWAYS AS ((data->>'amount')::bigint) STORED,
  ADD COLUMN currency text GENERATED ALWAYS AS (data->>'currency') STORED;
ALTER TABLE {{schema}}.charges
  ADD COLUMN customer text GENERATED ALWAYS AS (coalesce(data->'customer'->>'id', data->>'customer')) STORED,
  ADD COLUMN payment_intent text GENERATED ALWAYS AS (coalesce(data->'payment_intent'->>'id', data->>'payment_intent')) STORED,
  ADD COLUMN status text GENERATED ALWAYS AS (data->>'status') STORED,
  ADD COLUMN amount bigint GENERATED ALWAYS AS ((data->>'amount')::bigint) STORED,
  ADD COLUMN amount_refunded bigint GENERATED ALWAYS AS ((data->>'amount_refunded')::bigint) STORED,
  ADD COLUMN currency text GENERATED ALWAYS AS (data->>'currency') STORED;
ALTER TABLE {{schema}}.checkout_sessions
  ADD COLUMN customer text GENERATED ALWAYS AS (coalesce(data->'customer'->>'id', data->>'customer')) STORED,
  ADD COLUMN customer_email text GENERATED ALWAYS AS (coalesce(data->'customer_details'->>'email', data->>'customer_email')) STORED,
  ADD COLUMN status text GENERATED ALWAYS AS (data->>'status') STORED,
  ADD COLUMN payment_status text GENERATED ALWAYS AS (data->>'payment_status') STORED,
  ADD COLUMN amount_total bigint GENERATED ALWAYS AS ((data->>'amount_total')::bigint) STORED,
  ADD COLUMN currency text GENERATED ALWAYS AS (data->>'currency') STORED;
ALTER TABLE {{schema}}.coupons
  ADD COLUMN amount_off bigint GENERATED ALWAYS AS ((data->>'amount_off')::bigint) STORED,
  ADD COLUMN percent_off numeric GENERATED ALWAYS AS ((data->>'percent_off')::numeric) STORED,
  ADD COLUMN currency text GENERATED ALWAYS AS (data->>'currency') STORED,
  ADD COLUMN valid boolean GENERATED ALWAYS AS ((data->>'valid')::boolean) STORED;
ALTER TABLE {{schema}}.credit_notes
  ADD COLUMN customer text GENERATED ALWAYS AS (coalesce(data->'customer'->>'id', data->>'customer')) STORED,
  ADD COLUMN invoice text GENERATED ALWAYS AS (coalesce(data->'invoice'->>'id', data->>'invoice')) STORED,
  ADD COLUMN status text GENERATED ALWAYS AS (data->>'status') STORED,
  ADD COLUMN amount bigint GENERATED ALWAYS AS ((data->>'amount')::bigint) STORED,
  ADD COLUMN currency text GENERATED ALWAYS AS (data->>'currency') STORED;
ALTER TABLE {{schema}}.credit_note_line_items
  ADD COLUMN amount bigint GENERATED ALWAYS AS ((data->>'amount')::bigint) STORED;
ALTER TABLE {{schema}}.customers
  ADD COLUMN email text GENERATED ALWAYS AS (data->>'email') STORED,
  ADD COLUMN name text GENERATED ALWAYS AS (data->>'name') STORED,
  ADD COLUMN currency text GENERATED ALWAYS AS (data->>'currency') STORED;
ALTER TABLE {{schema}}.disputes
  ADD COLUMN charge text GENERATED ALWAYS AS (coalesce(data->'charge'->>'id', data->>'charge')) STORED,
  ADD COLUMN status text GENERATED ALWAYS AS (data->>'status') STORED,
  ADD COLUMN amount bigint GENERATED ALWAYS AS ((data->>'amount')::bigint) STORED,
  ADD COLUMN currency text GENERATED ALWAYS AS (data->>'currency') STORED;
ALTER TABLE {{schema}}.early_fraud_warnings
  ADD COLUMN charge text GENERATED ALWAYS AS (coalesce(data->'charge'->>'id', data->>'charge')) STORED,
  ADD COLUMN payment_intent text GENERATED ALWAYS AS (coalesce(data->'payment_intent'->>'id', data->>'payment_intent')) STORED;
ALTER TABLE {{schema}}.invoiceitems
  ADD COLUMN customer text GENERATED ALWAYS AS (coalesce(data->'customer'->>'id', data->>'customer')) STORED,
  ADD COLUMN invoice text GENERATED ALWAYS AS (coalesce(data->'invoice'->>'id', data->>'invoice')) STORED,
  ADD COLUMN amount bigint GENERATED ALWAYS AS ((data->>'amount')::bigint) STORED,
  ADD COLUMN currency text GENERATED ALWAYS AS (data->>'currency') STORED;
ALTER TABLE {{schema}}.invoices
  ADD COLUMN customer text GENERATED ALWAYS AS (coalesce(data->'customer'->>'id', data->>'customer')) STORED,
  ADD COLUMN customer_email text GENERATED ALWAYS AS (data->>'customer_email') STORED,
  -- Moved under parent.subscription_details in API version 2025-03-31.
  ADD COLUMN subscription text GENERATED ALWAYS AS (coalesce(
    data->'parent'->'subscription_details'->>'subscription', data->'subscription'->>'id', data->>'subscription')) STORED,
  ADD COLUMN status text GENERATED ALWAYS AS (data->>'status') STORED,
  ADD COLUMN amount_due bigint GENERATED ALWAYS AS ((data->>'amount_due')::bigint) STORED,
  ADD COLUMN amount_paid bigint GENERATED ALWAYS AS ((data->>'amount_paid')::bigint) STORED,
  ADD COLUMN total bigint GENERATED ALWAYS AS ((data->>'total')::bigint) STORED,
  ADD COLUMN currency text GENERATED ALWAYS AS (data->>'currency') STORED,
  ADD COLUMN period_start timestamptz GENERATED ALWAYS AS (to_timestamp((data->>'period_start')::double precision)) STORED,
  ADD COLUMN period_end timestamptz GENERATED ALWAYS AS (to_timestamp((data->>'period_end')::double precision)) STORED;
ALTER TABLE {{schema}}.invoice_line_items
  ADD COLUMN amount bigint GENERATED ALWAYS AS ((data->>'amount')::bigint) STORED,
  ADD COLUMN currency text GENERATED ALWAYS AS (data->>'currency') STORED;
ALTER TABLE {{schema}}.payment_intents
  ADD COLUMN customer text GENERATED ALWAYS AS (coalesce(data->'customer'->>'id', data->>'customer')) STORED,
  ADD COLUMN status text GENERATED ALWAYS AS (data->>'status') STORED,
  ADD COLUMN amount bigint GENERATED ALWAYS AS ((data->>'amount')::bigint) STORED,
  ADD COLUMN amount_received bigint GENERATED ALWAYS AS ((data->>'amount_received')::bigint) STORED,
  ADD COLUMN currency text GENERATED ALWAYS AS (data->>'currency') STORED;
ALTER TABLE {{schema}}.payment_methods
  ADD COLUMN customer text GENERATED ALWAYS AS (coalesce(data->'customer'->>'id', data->>'customer')) STORED,
  ADD COLUMN type text GENERATED ALWAYS AS (data->>'type') STORED;
ALTER TABLE {{schema}}.payouts
  ADD COLUMN status text GENERATED ALWAYS AS (data->>'status') STORED,
  ADD COLUMN amount bigint GENERATED ALWAYS AS ((data->>'amount')::bigint) STORED,
  ADD COLUMN currency text GENERATED ALWAYS AS (data->>'currency') STORED,
  ADD COLUMN arrival_date timestamptz GENERATED ALWAYS AS (to_timestamp((data->>'arrival_date')::double precision)) STORED;
ALTER TABLE {{schema}}.plans
  ADD COLUMN product text GENERATED ALWAYS AS (coalesce(data->'product'->>'id', data->>'product')) STORED,
  ADD COLUMN active boolean GENERATED ALWAYS AS ((data->>'active')::boolean) STORED,
  ADD COLUMN amount bigint GENERATED ALWAYS AS ((data->>'amount')::bigint) STORED,
  ADD COLUMN currency text GENERATED ALWAYS AS (data->>'currency') STORED;
ALTER TABLE {{schema}}.prices
  ADD COLUMN product text GENERATED ALWAYS AS (coalesce(data->'product'->>'id', data->>'product')) STORED,
  ADD COLUMN active boolean GENERATED ALWAYS AS ((data->>'active')::boolean) STORED,
  ADD COLUMN type text GENERATED ALWAYS AS (data->>'type') STORED,
  ADD COLUMN unit_amount bigint GENERATED ALWAYS AS ((data->>'unit_amount')::bigint) STORED,
  ADD COLUMN currency text GENERATED ALWAYS AS (data->>'currency') STORED;
ALTER TABLE {{schema}}.products
  ADD COLUMN name text GENERATED ALWAYS AS (data->>'name') STORED,
  ADD COLUMN active boolean GENERATED ALWAYS AS ((data->>'active')::boolean) STORED;
ALTER TABLE {{schema}}.promotion_codes
  ADD COLUMN code text GENERATED ALWAYS AS (data->>'code') STORED,
  ADD COLUMN customer text GENERATED ALWAYS AS (coalesce(data->'customer'->>'id', data->>'customer')) STORED,
  ADD COLUMN active boolean GENERATED ALWAYS AS ((data->>'active')::boolean) STORED;
ALTER TABLE {{schema}}.refunds
  ADD COLUMN charge text GENERATED ALWAYS AS (coalesce(data->'charge'->>'id', data->>'charge')) STORED,
  ADD COLUMN payment_intent text GENERATED ALWAYS AS (coalesce(data->'payment_intent'->>'id', data->>'payment_intent')) STORED,
  ADD COLUMN status text GENERATED ALWAYS AS (data->>'status') STORED,
  ADD COLUMN amount bigint GENERATED ALWAYS AS ((data->>'amount')::bigint) STORED,
  ADD COLUMN currency text GENERATED ALWAYS AS (data->>'currency') STORED;
ALTER TABLE {{schema}}.reviews
  ADD COLUMN charge text GENERATED ALWAYS AS (coalesce(data->'charge'->>'id', data->>'charge')) STORED,
  ADD COLUMN payment_intent text GENERATED ALWAYS AS (coalesce(data->'payment_intent'->>'id', data->>'payment_intent')) STORED,
  ADD COLUMN open boolean GENERATED ALWAYS AS ((data->>'open')::boolean) STORED;
ALTER TABLE {{schema}}.setup_intents
  ADD COLUMN customer text GENERATED ALWAYS AS (coalesce(data->'customer'->>'id', data->>'customer')) STORED,
  ADD COLUMN status text GENERATED ALWAYS AS (data->>'status') STORED;
ALTER TABLE {{schema}}.subscription_schedules
  ADD COLUMN customer text GENERATED ALWAYS AS (coalesce(data->'customer'->>'id', data->>'customer')) STORED,
  ADD COLUMN subscription text GENERATED ALWAYS AS (coalesce(data->'subscription'->>'id', data->>'subscription')) STORED,
  ADD COLUMN status text GENERATED ALWAYS AS (data->>'status') STORED;
-- Since API version 2025-03-31 the current period is on each item; before, on the subscription.
ALTER TABLE {{schema}}.subscriptions
  ADD COLUMN customer text GENERATED ALWAYS AS (coalesce(data->'customer'->>'id', data->>'customer')) STORED,
  ADD COLUMN status text GENERATED ALWAYS AS (data->>'status') STORED,
  ADD COLUMN cancel_at_period_end boolean GENERATED ALWAYS AS ((data->>'cancel_at_period_end')::boolean) STORED,
  ADD COLUMN current_period_start timestamptz GENERATED ALWAYS AS (to_timestamp(coalesce(
    data->>'current_period_start', data->'items'->'data'->0->>'current_period_start')::double precision)) STORED,
  ADD COLUMN current_period_end timestamptz GENERATED ALWAYS AS (to_timestamp(coalesce(
    data->>'current_period_end', data->'items'->'data'->0->>'current_period_end')::double precision)) STORED;
ALTER TABLE {{schema}}.subscription_items
  ADD COLUMN price text GENERATED ALWAYS AS (coalesce(data->'price'->>'id', data->>'price')) STORED,
  ADD COLUMN quantity bigint GENERATED ALWAYS AS ((data->>'quantity')::bigint) STORED,
  ADD COLUMN current_period_start timestamptz GENERATED ALWAYS AS (to_timestamp((data->>'current_period_start')::double precision)) STORED,
  ADD COLUMN current_period_end timestamptz GENERATED ALWAYS AS (to_timestamp((data->>'current_period_end')::double precision)) STORED;
ALTER TABLE {{schema}}.tax_ids
  ADD COLUMN customer text GENERATED ALWAYS AS (coalesce(data->'customer'->>'id', data->>'customer')) STORED,
  ADD COLUMN type text GENERATED ALWAYS AS (data->>'type') STORED,
  ADD COLUMN value text GENERATED ALWAYS AS (data->>'value') STORED;
ALTER TABLE {{schema}}.transfers
  ADD COLUMN destination text GENERATED ALWAYS AS (coalesce(data->'destination'->>'id', data->>'destination')) STORED,
  ADD COLUMN amount bigint GENERATED ALWAYS AS ((data->>'amount')::bigint) STORED,
  ADD COLUMN currency text GENERATED ALWAYS AS (data->>'currency') STORED;

CREATE INDEX ON {{schema}}.subscriptions (customer);
CREATE INDEX ON {{schema}}.invoices (customer);
CREATE INDEX ON {{schema}}.invoices (subscription);
CREATE INDEX ON {{schema}}.payment_intents (customer);
CREATE INDEX ON {{schema}}.charges (customer);
CREATE INDEX ON {{schema}}.charges (payment_intent);
CREATE INDEX ON {{schema}}.payment_methods (customer);
CREATE INDEX ON {{schema}}.customers (email);

-- Where an interrupted `stripe-inbox backfill` goes on from: per object type, the last object id listed and
-- written (pages are written with their checkpoint in one transaction). Removed when a backfill completes.
CREATE TABLE {{schema}}._backfill_checkpoints (
  type           text PRIMARY KEY,
  since          bigint,
  starting_after text,
  done           boolean NOT NULL DEFAULT false,
  updated_at     timestamptz NOT NULL DEFAULT now()
);
