-- ----------------------------------------------------------------------
-- Function: pgq.maint_tables_to_vacuum(0)
--
--      Names the often-updated metadata tables (of PgQ and of the tools
--      built on it) that need a periodic VACUUM when autovacuum is off.
--
-- Returns:
--      nothing when autovacuum is on; else those of pgq.subscription,
--      pgq.consumer, pgq.queue, pgq.tick, pgq.retry_queue and the tables
--      of pgq_ext, pgq_node, londiste and txid that exist
-- Calls:
--      Java: org.pgqjava.pgq.Maint.tablesToVacuum
-- Tables directly manipulated:
--      None
-- ----------------------------------------------------------------------
create or replace function pgq.maint_tables_to_vacuum()
returns setof text
language pljvm
as 'org.pgqjava.pgq.Maint.tablesToVacuum';
