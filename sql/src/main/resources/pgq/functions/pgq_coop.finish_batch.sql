-- ----------------------------------------------------------------------
-- Function: pgq_coop.finish_batch(1)
--
--      Closes a sub-consumer's batch.  The sub-consumer keeps no ticks: the
--      main consumer's subscription holds the position.
--
-- Parameters:
--      i_batch_id          - id of the batch
--
-- Returns:
--      1, or 0 with a WARNING 'coop_finish_batch: batch <id> not found'
-- Calls:
--      Java: org.pgqjava.pgq.Coop.finishBatch
-- Tables directly manipulated:
--      update: pgq.subscription
-- ----------------------------------------------------------------------
create or replace function pgq_coop.finish_batch(i_batch_id bigint)
returns integer
language pljvm security definer
set search_path = pg_catalog, pg_temp
as 'org.pgqjava.pgq.Coop.finishBatch';
