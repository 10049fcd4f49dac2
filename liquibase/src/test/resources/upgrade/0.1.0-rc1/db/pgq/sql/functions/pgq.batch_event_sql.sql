-- ----------------------------------------------------------------------
-- Function: pgq.batch_event_sql(1)
--
--      Builds the SELECT that reads the events of an open batch: events
--      of the batch's event tables whose transaction is visible in the
--      end tick's snapshot and not in the start tick's, meant for every
--      consumer or for this one, ordered by ev_id.
--
-- Parameters:
--      x_batch_id      - id of the batch
--
-- Returns:
--      the SELECT statement; errors 'batch not found',
--      'could not construct sql for batch <id>'
-- Calls:
--      pgq.batch_event_tables(1);
--      Java: org.pgqjava.pgq.BatchEvents.batchEventSql
-- Tables directly manipulated:
--      None
-- ----------------------------------------------------------------------
create or replace function pgq.batch_event_sql(x_batch_id bigint)
returns text
language pljvm
as 'org.pgqjava.pgq.BatchEvents.batchEventSql';
