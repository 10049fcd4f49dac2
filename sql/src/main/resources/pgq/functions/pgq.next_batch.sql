-- ----------------------------------------------------------------------
-- Function: pgq.next_batch(2)
--
--      Opens the consumer's next batch, or gives the one already open.
--      The old interface: only the batch id.  Unlike PgQ, not a wrapper
--      of next_batch_custom but the same Java called directly (SECURITY
--      DEFINER for that, as next_batch_custom): one descent into Java, and
--      no SQL function for the planner to inline on every call.
--
-- Parameters:
--      i_queue_name        - name of the queue
--      i_consumer_name     - name of the consumer
--
-- Returns:
--      batch id; NULL when there is no new tick yet (the consumer should
--      wait and try again)
-- Calls:
--      Java: org.pgqjava.pgq.NextBatch.nextBatch (next_batch_custom's
--      logic with no lag, count or interval limit)
-- Tables directly manipulated:
--      update: pgq.subscription
-- ----------------------------------------------------------------------
create or replace function pgq.next_batch(i_queue_name text, i_consumer_name text)
returns bigint
language pljvm security definer
set search_path = pg_catalog, pg_temp
as 'org.pgqjava.pgq.NextBatch.nextBatch';
