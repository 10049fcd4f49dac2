-- ----------------------------------------------------------------------
-- Function: pgq.maint_rotate_tables_step2(0)
--
--      Second step of rotation, in a transaction after step 1 committed:
--      records the current txid as queue_switch_step2 of every queue
--      where it is NULL.
--
-- Returns:
--      0
-- Calls:
--      Java: org.pgqjava.pgq.Rotation.step2
-- Tables directly manipulated:
--      update: pgq.queue
-- ----------------------------------------------------------------------
create or replace function pgq.maint_rotate_tables_step2()
returns integer
language pljvm
as 'org.pgqjava.pgq.Rotation.step2';
