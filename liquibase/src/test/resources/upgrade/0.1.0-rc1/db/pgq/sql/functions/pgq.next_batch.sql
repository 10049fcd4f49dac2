-- ----------------------------------------------------------------------
-- Function: pgq.next_batch(2)
--
--      Opens the consumer's next batch, or gives the one already open.
--      The old interface: only the batch id.
--
-- Parameters:
--      i_queue_name        - name of the queue
--      i_consumer_name     - name of the consumer
--
-- Returns:
--      batch id; NULL when there is no new tick yet (the consumer should
--      wait and try again)
-- Calls:
--      pgq.next_batch_info(2);
--      Java: org.pgqjava.pgq.NextBatch.nextBatch
-- Tables directly manipulated:
--      None
-- ----------------------------------------------------------------------
create or replace function pgq.next_batch(i_queue_name text, i_consumer_name text)
returns bigint
language pljvm
as 'org.pgqjava.pgq.NextBatch.nextBatch';
