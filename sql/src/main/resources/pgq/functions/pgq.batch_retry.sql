-- ----------------------------------------------------------------------
-- Function: pgq.batch_retry(2)
--
--      Puts every event of an open batch into the retry queue, to come
--      back to this consumer only after a number of seconds.  Events that
--      are there for this consumer already are left alone.
--
-- Parameters:
--      i_batch_id          - id of the batch
--      i_retry_seconds     - seconds from now until the events are due
--
-- Returns:
--      number of events put into the retry queue;
--      error 'batch_retry: batch <id> not found'
-- Calls:
--      pgq.batch_event_sql(1) (its Java method; PgQ reads pgq.get_batch_events(1));
--      Java: org.pgqjava.pgq.Retry.batchRetry
-- Tables directly manipulated:
--      insert: pgq.retry_queue
-- ----------------------------------------------------------------------
create or replace function pgq.batch_retry(i_batch_id bigint, i_retry_seconds integer)
returns integer
language pljvm security definer
set search_path = pg_catalog, pg_temp
as 'org.pgqjava.pgq.Retry.batchRetry';
