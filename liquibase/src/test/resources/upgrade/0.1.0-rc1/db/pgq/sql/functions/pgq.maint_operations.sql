-- ----------------------------------------------------------------------
-- Function: pgq.maint_operations(0)
--
--      Lists the maintenance a daemon should run now, in order: rotation
--      step 1 for each queue due, step 2, each queue's extra maintenance
--      functions, VACUUM of the tables of pgq.maint_tables_to_vacuum(),
--      and the maintenance of pgq_node and londiste where installed.  Each
--      function takes the argument (or none when it is NULL) and returns
--      non-zero when it wants to be called again at once.
--
-- Returns:
--      func_name       - function to call, or 'vacuum'
--      func_arg        - its argument (queue or table name), or NULL
-- Calls:
--      pgq.maint_tables_to_vacuum(0);
--      Java: org.pgqjava.pgq.Maint.operations
-- Tables directly manipulated:
--      None
-- ----------------------------------------------------------------------
create or replace function pgq.maint_operations(out func_name text, out func_arg text)
returns setof record
language pljvm
as 'org.pgqjava.pgq.Maint.operations';
