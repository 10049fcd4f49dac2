-- ----------------------------------------------------------------------
-- Function: pgq.batch_event_tables(1)
--
--      Names the event tables that may hold events of an open batch: the
--      table current at the end tick, and the one before it when a
--      rotation happened after the start tick.
--
-- Parameters:
--      x_batch_id      - id of the batch
--
-- Returns:
--      one or two table names; error 'Cannot find data for batch <id>'
-- Calls:
--      Java: org.pgqjava.pgq.BatchEvents.batchEventTables
-- Tables directly manipulated:
--      None
-- ----------------------------------------------------------------------
create or replace function pgq.batch_event_tables(x_batch_id bigint)
returns setof text
language pljvm
as 'org.pgqjava.pgq.BatchEvents.batchEventTables';
