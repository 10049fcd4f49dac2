-- ----------------------------------------------------------------------
-- Function: pgq_coop.register_subconsumer(3)
--
--      Subscribes a sub-consumer of a consumer (cooperative consumers:
--      sub-consumers share the consumer's position, each batch goes to one
--      of them).  The main consumer is registered too if it is not; the
--      sub-consumer is consumer '<consumer>.<subconsumer>' sharing the main
--      consumer's sub_id, with no ticks until it takes a batch.
--
-- Parameters:
--      i_queue_name        - name of the queue
--      i_consumer_name     - name of the main consumer
--      i_subconsumer_name  - name of the sub-consumer
--
-- Returns:
--      1 if the sub-consumer is new, 0 if it was registered
-- Calls:
--      pgq.register_consumer(2);
--      Java: org.pgqjava.pgq.Coop.registerSubconsumer
-- Tables directly manipulated:
--      update: pgq.subscription
-- ----------------------------------------------------------------------
create or replace function pgq_coop.register_subconsumer(
    i_queue_name text,
    i_consumer_name text,
    i_subconsumer_name text)
returns integer
language pljvm security definer
set search_path = pg_catalog, pg_temp
as 'org.pgqjava.pgq.Coop.registerSubconsumer';
