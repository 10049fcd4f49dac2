-- ----------------------------------------------------------------------
-- Function: pgq.drop_queue(2)
--
--      Drops a queue with its event tables, sequences and ticks.
--
-- Parameters:
--      x_queue_name    - name of the queue
--      x_force         - also unregister the consumers still subscribed
--                        (which deletes their retry events); without it a
--                        queue with consumers is not dropped
--
-- Returns:
--      1; errors 'No such event queue',
--      'cannot drop queue, consumers still attached'
-- Calls:
--      pgq.unregister_consumer(2) (with x_force);
--      Java: org.pgqjava.pgq.Queues.dropQueue
-- Tables directly manipulated:
--      delete: pgq.queue, pgq.tick
--      drop: pgq.event_<id>, pgq.event_<id>_<n>, their sequences
-- ----------------------------------------------------------------------
create or replace function pgq.drop_queue(x_queue_name text, x_force bool)
returns integer
language pljvm security definer
set search_path = pg_catalog, pg_temp
as 'org.pgqjava.pgq.Queues.dropQueue';

-- ----------------------------------------------------------------------
-- Function: pgq.drop_queue(1)
--
--      Drops a queue that has no consumers: pgq.drop_queue(name, false).
--
-- Parameters:
--      x_queue_name    - name of the queue
--
-- Returns:
--      1; see pgq.drop_queue(2) for the errors
-- Calls:
--      pgq.drop_queue(2)
-- Tables directly manipulated:
--      None
-- ----------------------------------------------------------------------
create or replace function pgq.drop_queue(x_queue_name text)
returns integer
language sql strict
as $$
    select pgq.drop_queue(x_queue_name, false)
$$;
