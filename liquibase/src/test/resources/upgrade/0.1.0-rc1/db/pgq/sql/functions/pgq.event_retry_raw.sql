-- ----------------------------------------------------------------------
-- Function: pgq.event_retry_raw(12)
--
--      Puts any event into the retry queue of a consumer, every field
--      given.
--
-- Parameters:
--      x_queue         - name of the queue
--      x_consumer      - name of the consumer
--      x_retry_after   - when the event is due
--      x_ev_id         - event id; NULL: next value of the event sequence
--      x_ev_time       - creation time
--      x_ev_retry      - retry count
--      x_ev_type       - type of the event
--      x_ev_data       - data of the event
--      x_ev_extra1     - extra field 1
--      x_ev_extra2     - extra field 2
--      x_ev_extra3     - extra field 3
--      x_ev_extra4     - extra field 4
--
-- Returns:
--      id of the event; error 'consumer not registered'
-- Calls:
--      Java: org.pgqjava.pgq.Retry.eventRetryRaw
-- Tables directly manipulated:
--      insert: pgq.retry_queue
-- ----------------------------------------------------------------------
create or replace function pgq.event_retry_raw(x_queue text, x_consumer text,
                                               x_retry_after timestamptz,
                                               x_ev_id bigint, x_ev_time timestamptz,
                                               x_ev_retry integer,
                                               x_ev_type text, x_ev_data text,
                                               x_ev_extra1 text, x_ev_extra2 text,
                                               x_ev_extra3 text, x_ev_extra4 text)
returns bigint
language pljvm security definer
set search_path = pg_catalog, pg_temp
as 'org.pgqjava.pgq.Retry.eventRetryRaw';
