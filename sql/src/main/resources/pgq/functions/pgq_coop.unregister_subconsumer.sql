-- ----------------------------------------------------------------------
-- Function: pgq_coop.unregister_subconsumer(4)
--
--      Unsubscribes a sub-consumer.  If it has a batch open, i_batch_handling
--      says what happens: 0 - fail with 'subconsumer has active batch';
--      1 - the batch's events go back to the consumer through the retry
--      queue, due at once (pgq_coop drops them: pgq-java loses no event), and
--      the sub-consumer goes.
--
-- Parameters:
--      i_queue_name        - name of the queue
--      i_consumer_name     - name of the main consumer
--      i_subconsumer_name  - name of the sub-consumer
--      i_batch_handling    - 0 or 1, see above
--
-- Returns:
--      1 if the sub-consumer was registered, 0 if not
-- Calls:
--      pgq.batch_retry(2) (its Java method);
--      Java: org.pgqjava.pgq.Coop.unregisterSubconsumer
-- Tables directly manipulated:
--      delete: pgq.subscription
-- ----------------------------------------------------------------------
create or replace function pgq_coop.unregister_subconsumer(
    i_queue_name text,
    i_consumer_name text,
    i_subconsumer_name text,
    i_batch_handling integer)
returns integer
language pljvm security definer
set search_path = pg_catalog, pg_temp
as 'org.pgqjava.pgq.Coop.unregisterSubconsumer';
