-- Signing secrets of the webhook endpoints `stripe-inbox register` created. A running receiver accepts them
-- beside STRIPE_WEBHOOK_SECRET and reloads them when a signature matches none it knows: rotation needs no restart.
-- Stripe shows an endpoint's secret once, at creation, so this row is the only copy; treat the table as secret.
CREATE TABLE {{schema}}.webhook_secrets (
  endpoint_id    text PRIMARY KEY,        -- we_...
  url            text NOT NULL,
  secret         text NOT NULL,           -- whsec_...
  enabled_events text[] NOT NULL,
  livemode       boolean NOT NULL,
  api_base       text NOT NULL,           -- the Stripe API it was created on (the local emulator in development)
  created_at     timestamptz NOT NULL DEFAULT now()
);
