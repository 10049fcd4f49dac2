-- ----------------------------------------------------------------------
-- Function: pgq.current_event_table(1)
--
--      Names the event table that takes a queue's inserts now, for bulk
--      loading (COPY) straight into it.  Valid only until the end of the
--      calling transaction: rotation moves inserts to another table.
--      Loading that way needs table privileges and bypasses the
--      per-transaction limit.
--
-- Parameters:
--      x_queue_name    - name of the queue
--
-- Returns:
--      table name, e.g. 'pgq.event_2_0'; errors 'Event queue not found',
--      'Writing to queue disabled'
-- Calls:
--      Java: org.pgqjava.pgq.Insert.currentEventTable
-- Tables directly manipulated:
--      None
-- ----------------------------------------------------------------------
create or replace function pgq.current_event_table(x_queue_name text)
returns text
language pljvm
as 'org.pgqjava.pgq.Insert.currentEventTable';
