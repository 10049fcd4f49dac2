-- ----------------------------------------------------------------------
-- Function: pgq.insert_event(7)
--
--      Inserts an event, with all extra fields, into a queue; it becomes
--      visible to consumers when the calling transaction commits and the
--      next tick is taken.  The triggers call this function by name, so
--      replacing it redirects their events.
--
-- Parameters:
--      queue_name      - name of the queue
--      ev_type         - type of the event, agreed by producer and consumer
--      ev_data         - data of the event
--      ev_extra1       - extra field 1
--      ev_extra2       - extra field 2
--      ev_extra3       - extra field 3
--      ev_extra4       - extra field 4
--
-- Returns:
--      id of the new event
-- Calls:
--      pgq.insert_event_raw(11) with ev_id, ev_owner, ev_retry NULL and
--      ev_time now();
--      Java: org.pgqjava.pgq.Insert.insertEvent
-- Tables directly manipulated:
--      None
-- ----------------------------------------------------------------------
create or replace function pgq.insert_event(queue_name text, ev_type text, ev_data text,
                                            ev_extra1 text, ev_extra2 text,
                                            ev_extra3 text, ev_extra4 text)
returns bigint
language pljvm security definer
set search_path = pg_catalog, pg_temp
as 'org.pgqjava.pgq.Insert.insertEvent';

-- ----------------------------------------------------------------------
-- Function: pgq.insert_event(3)
--
--      Inserts an event without extra fields into a queue: insert_event(7)
--      with NULL extras, as in PgQ (SECURITY INVOKER, as PgQ's).  While
--      insert_event(7) is still pgq-java's own and the caller may execute
--      it, its Java runs directly in its context (its owner, its pinned
--      search_path; pljvm's SqlFunction), without a statement; a replaced
--      or dropped insert_event(7), or one the caller may not execute, is
--      called through SQL and decides.  (A SQL wrapper would be inlined by
--      the planner into every calling statement: ~1.6 us per event.)
--
-- Parameters:
--      queue_name      - name of the queue
--      ev_type         - type of the event
--      ev_data         - data of the event
--
-- Returns:
--      id of the new event
-- Calls:
--      pgq.insert_event(7); Java: org.pgqjava.pgq.Insert.insertEventNoExtras
-- Tables directly manipulated:
--      None
-- ----------------------------------------------------------------------
create or replace function pgq.insert_event(queue_name text, ev_type text, ev_data text)
returns bigint
language pljvm
as 'org.pgqjava.pgq.Insert.insertEventNoExtras';
