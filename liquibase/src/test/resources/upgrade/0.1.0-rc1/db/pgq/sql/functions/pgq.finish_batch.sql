-- ----------------------------------------------------------------------
-- Function: pgq.finish_batch(1)
--
--      Closes a batch: the consumer's position moves to the batch's end
--      tick.  Until then next_batch gives the same batch again.
--
-- Parameters:
--      x_batch_id      - id of the batch
--
-- Returns:
--      1; 0 and a WARNING 'finish_batch: batch <id> not found' for a
--      batch no consumer has open
-- Calls:
--      Java: org.pgqjava.pgq.NextBatch.finishBatch
-- Tables directly manipulated:
--      update: pgq.subscription
-- ----------------------------------------------------------------------
create or replace function pgq.finish_batch(x_batch_id bigint)
returns integer
language pljvm security definer
set search_path = pg_catalog, pg_temp
as 'org.pgqjava.pgq.NextBatch.finishBatch';
