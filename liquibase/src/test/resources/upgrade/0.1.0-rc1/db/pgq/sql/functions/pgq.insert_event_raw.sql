-- ----------------------------------------------------------------------
-- Function: pgq.insert_event_raw(11)
--
--      Inserts an event into the current event table of a queue, with
--      every field given.  The entry point of all producers, and of the
--      retry mover.  Always draws the next value of the queue's event
--      sequence, even when ev_id is given and even when the insert is
--      then refused, so that the ticker sees activity.
--
-- Parameters:
--      queue_name      - name of the queue
--      ev_id           - event id; NULL: the drawn sequence value
--      ev_time         - creation time; NULL: now()
--      ev_owner        - sub_id of the only consumer to get the event
--                        (retried events); NULL: every consumer
--      ev_retry        - retry count; NULL for a new event
--      ev_type         - type of the event
--      ev_data         - data of the event
--      ev_extra1       - extra field 1
--      ev_extra2       - extra field 2
--      ev_extra3       - extra field 3
--      ev_extra4       - extra field 4
--
-- Returns:
--      id of the event; errors 'Queue name must not be NULL',
--      'No such queue', 'Insert into queue disallowed',
--      'Queue ''<name>'' allows max <n> events from one TX'
-- Calls:
--      Java: org.pgqjava.pgq.Insert.insertEventRaw
-- Tables directly manipulated:
--      insert: pgq.event_<id>_<cur_table>
-- ----------------------------------------------------------------------
create or replace function pgq.insert_event_raw(queue_name text, ev_id bigint, ev_time timestamptz,
                                                ev_owner integer, ev_retry integer,
                                                ev_type text, ev_data text,
                                                ev_extra1 text, ev_extra2 text,
                                                ev_extra3 text, ev_extra4 text)
returns bigint
language pljvm
as 'org.pgqjava.pgq.Insert.insertEventRaw';
