-- ----------------------------------------------------------------------
-- Function: pgq.register_consumer(2)
--
--      Subscribes a consumer to a queue at the queue's latest tick: the
--      consumer gets the events committed after that tick.
--
-- Parameters:
--      x_queue_name    - name of the queue
--      x_consumer_id   - name of the consumer
--
-- Returns:
--      1 for a new subscription, 0 if already subscribed
-- Calls:
--      pgq.register_consumer_at(3) with a NULL tick;
--      Java: org.pgqjava.pgq.Consumers.registerConsumer
-- Tables directly manipulated:
--      None
-- ----------------------------------------------------------------------
create or replace function pgq.register_consumer(x_queue_name text, x_consumer_id text)
returns integer
language pljvm security definer
set search_path = pg_catalog, pg_temp
as 'org.pgqjava.pgq.Consumers.registerConsumer';
