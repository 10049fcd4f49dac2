-- ----------------------------------------------------------------------
-- Function: pgq_coop.next_batch(3)
--
--      Gives the sub-consumer its open batch, or the consumer's next batch.
--      Commit soon after: the call locks the main consumer's subscription,
--      and the other sub-consumers wait for that lock.
--
-- Parameters:
--      i_queue_name        - name of the queue
--      i_consumer_name     - name of the main consumer
--      i_subconsumer_name  - name of the sub-consumer
--
-- Returns:
--      the batch id; NULL when there is nothing to do for now
-- Calls:
--      pgq_coop.next_batch_custom(7) (its Java method);
--      Java: org.pgqjava.pgq.Coop.nextBatch
-- Tables directly manipulated:
--      update: pgq.subscription
-- ----------------------------------------------------------------------
create or replace function pgq_coop.next_batch(
    i_queue_name text,
    i_consumer_name text,
    i_subconsumer_name text)
returns bigint
language pljvm security definer
set search_path = pg_catalog, pg_temp
as 'org.pgqjava.pgq.Coop.nextBatch';

-- ----------------------------------------------------------------------
-- Function: pgq_coop.next_batch(4)
--
--      As pgq_coop.next_batch(3); first, another sub-consumer of the
--      consumer that has been inactive (no next_batch, no finish_batch) for
--      longer than i_dead_interval is unregistered, and its open batch, if
--      any, becomes this sub-consumer's.
--
-- Parameters:
--      i_queue_name        - name of the queue
--      i_consumer_name     - name of the main consumer
--      i_subconsumer_name  - name of the sub-consumer
--      i_dead_interval     - inactivity after which a sub-consumer is dead
--
-- Returns:
--      the batch id; NULL when there is nothing to do for now
-- Calls:
--      pgq_coop.next_batch_custom(7) (its Java method);
--      Java: org.pgqjava.pgq.Coop.nextBatchDead
-- Tables directly manipulated:
--      update, delete: pgq.subscription
-- ----------------------------------------------------------------------
create or replace function pgq_coop.next_batch(
    i_queue_name text,
    i_consumer_name text,
    i_subconsumer_name text,
    i_dead_interval interval)
returns bigint
language pljvm security definer
set search_path = pg_catalog, pg_temp
as 'org.pgqjava.pgq.Coop.nextBatchDead';
