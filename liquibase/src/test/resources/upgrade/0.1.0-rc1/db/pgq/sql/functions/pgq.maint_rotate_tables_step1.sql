-- ----------------------------------------------------------------------
-- Function: pgq.maint_rotate_tables_step1(1)
--
--      Rotates a queue's event tables when it is due and every consumer
--      has passed the previous rotation: deletes ticks no consumer needs,
--      truncates the next table and makes it the one taking inserts.
--      Step 2 must follow in a later transaction.
--
-- Parameters:
--      i_queue_name    - name of the queue
--
-- Returns:
--      0
-- Calls:
--      Java: org.pgqjava.pgq.Rotation.step1
-- Tables directly manipulated:
--      update: pgq.queue
--      delete: pgq.tick
--      truncate: pgq.event_<id>_<n>
-- ----------------------------------------------------------------------
create or replace function pgq.maint_rotate_tables_step1(i_queue_name text)
returns integer
language pljvm
as 'org.pgqjava.pgq.Rotation.step1';
