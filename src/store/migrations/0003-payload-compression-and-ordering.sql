-- Event payloads are TOASTed; lz4 compresses them several times faster than the default pglz, which was the
-- largest cost of the batch insert. A server built without lz4 keeps pglz.
DO $$
BEGIN
  ALTER TABLE {{schema}}.events ALTER COLUMN payload SET COMPRESSION lz4;
EXCEPTION WHEN feature_not_supported OR undefined_object OR invalid_parameter_value THEN
  NULL;
END
$$;

-- An ordered run waits for earlier events about its object that are not fanned out yet: found by object id.
CREATE INDEX events_pending_object_idx ON {{schema}}.events (data_object_id, created, id) WHERE status = 'pending';
