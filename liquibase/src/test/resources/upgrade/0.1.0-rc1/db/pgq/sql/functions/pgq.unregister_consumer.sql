-- ----------------------------------------------------------------------
-- Function: pgq.unregister_consumer(2)
--
--      Ends a consumer's subscription to a queue and deletes its retry
--      events; the consumer name goes too when it has no other
--      subscription.  A cooperative sub-consumer loses only its own row.
--
-- Parameters:
--      x_queue_name    - name of the queue
--      x_consumer_name - name of the consumer
--
-- Returns:
--      number of subscription rows removed (0 if not subscribed)
-- Calls:
--      Java: org.pgqjava.pgq.Consumers.unregisterConsumer
-- Tables directly manipulated:
--      delete: pgq.retry_queue, pgq.subscription, pgq.consumer
-- ----------------------------------------------------------------------
create or replace function pgq.unregister_consumer(x_queue_name text, x_consumer_name text)
returns integer
language pljvm security definer
set search_path = pg_catalog, pg_temp
as 'org.pgqjava.pgq.Consumers.unregisterConsumer';
