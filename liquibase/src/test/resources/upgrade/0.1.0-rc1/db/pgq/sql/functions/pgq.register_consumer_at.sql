-- ----------------------------------------------------------------------
-- Function: pgq.register_consumer_at(3)
--
--      Subscribes a consumer to a queue at a given tick, or moves an
--      existing subscription there (dropping its open batch).
--
-- Parameters:
--      x_queue_name    - name of the queue
--      x_consumer_name - name of the consumer
--      x_tick_pos      - tick to start after; NULL: the latest tick for a
--                        new subscription, no change for an existing one
--
-- Returns:
--      1 for a new subscription, 0 if already subscribed (also when
--      moved); errors 'Event queue not created yet',
--      'cannot reposition, tick not found: <n>',
--      'No ticks for this queue.  Please run ticker on database.'
-- Calls:
--      Java: org.pgqjava.pgq.Consumers.registerConsumerAt
-- Tables directly manipulated:
--      insert: pgq.consumer, pgq.subscription
--      update: pgq.subscription
-- ----------------------------------------------------------------------
create or replace function pgq.register_consumer_at(x_queue_name text, x_consumer_name text, x_tick_pos bigint)
returns integer
language pljvm security definer
set search_path = pg_catalog, pg_temp
as 'org.pgqjava.pgq.Consumers.registerConsumerAt';
