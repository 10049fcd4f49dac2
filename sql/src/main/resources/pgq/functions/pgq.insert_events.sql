-- ----------------------------------------------------------------------
-- Function: pgq.insert_events(7)
--
--      pgq-java only (PgQ has no bulk insert): inserts many events into a
--      queue in one statement, one per element of ev_data, each with
--      insert_event's rules: the queue's current table, ids from the
--      queue's sequence, the per-transaction limit counting every event,
--      disable_insert (and its replica exception), the same error texts.
--      Visible to consumers when the calling transaction commits and the
--      next tick is taken, as insert_event's events.
--
-- Parameters:
--      queue_name      - name of the queue
--      ev_type         - types of the events; same length as ev_data
--      ev_data         - data of the events, one element per event
--      ev_extra1       - extra field 1 per event, or NULL for none
--      ev_extra2       - extra field 2 per event, or NULL for none
--      ev_extra3       - extra field 3 per event, or NULL for none
--      ev_extra4       - extra field 4 per event, or NULL for none
--
-- Returns:
--      the ids of the new events, in the order of the arrays (empty for
--      empty arrays); errors as insert_event, and 22004 for a NULL
--      ev_type or ev_data, 22023 for arrays of different lengths
-- Calls:
--      Java: org.pgqjava.pgq.Insert.insertEvents
-- Tables directly manipulated:
--      insert: pgq.event_<id>_<cur_table>
-- ----------------------------------------------------------------------
create or replace function pgq.insert_events(queue_name text, ev_type text[], ev_data text[],
                                             ev_extra1 text[] default null,
                                             ev_extra2 text[] default null,
                                             ev_extra3 text[] default null,
                                             ev_extra4 text[] default null)
returns bigint[]
language pljvm security definer
set search_path = pg_catalog, pg_temp
as 'org.pgqjava.pgq.Insert.insertEvents';
