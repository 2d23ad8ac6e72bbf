-- Retention removes handled events, but Stripe may still redeliver one for days after it was sent. The ids of pruned
-- events stay here until keep_until, and receiving treats them as duplicates: a late redelivery runs nothing.
CREATE TABLE {{schema}}.pruned_event_ids (
  id         text PRIMARY KEY,
  pruned_at  timestamptz NOT NULL,
  keep_until timestamptz NOT NULL
);

-- Prune removes the ids whose time is up, oldest first, without reading the whole table.
CREATE INDEX pruned_event_ids_keep_until_idx ON {{schema}}.pruned_event_ids (keep_until);
