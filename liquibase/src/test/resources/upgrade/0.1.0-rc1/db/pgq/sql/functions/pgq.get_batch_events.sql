-- ----------------------------------------------------------------------
-- Function: pgq.get_batch_events(1)
--
--      Reads all events of an open batch.
--
-- Parameters:
--      x_batch_id      - id of the batch
--
-- Returns:
--      the events, ordered by ev_id (ev_owner is not returned);
--      error 'batch not found'
-- Calls:
--      pgq.batch_event_sql(1);
--      Java: org.pgqjava.pgq.BatchEvents.getBatchEvents
-- Tables directly manipulated:
--      None
-- ----------------------------------------------------------------------
create or replace function pgq.get_batch_events(
    in x_batch_id bigint,
    out ev_id bigint,
    out ev_time timestamptz,
    out ev_txid bigint,
    out ev_retry int4,
    out ev_type text,
    out ev_data text,
    out ev_extra1 text,
    out ev_extra2 text,
    out ev_extra3 text,
    out ev_extra4 text)
returns setof record
language pljvm
as 'org.pgqjava.pgq.BatchEvents.getBatchEvents';
