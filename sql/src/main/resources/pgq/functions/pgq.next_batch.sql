-- ----------------------------------------------------------------------
-- Function: pgq.next_batch(2)
--
--      Opens the consumer's next batch, or gives the one already open.
--      The old interface: only the batch id.  Plain SQL that the planner
--      inlines, so a call goes straight into next_batch_custom's Java
--      (one descent instead of SQL -> Java -> SQL -> Java).
--
-- Parameters:
--      i_queue_name        - name of the queue
--      i_consumer_name     - name of the consumer
--
-- Returns:
--      batch id; NULL when there is no new tick yet (the consumer should
--      wait and try again)
-- Calls:
--      pgq.next_batch_custom(5) with no lag, count or interval limit
-- Tables directly manipulated:
--      None
-- ----------------------------------------------------------------------
create or replace function pgq.next_batch(i_queue_name text, i_consumer_name text)
returns bigint
language sql
as $$
    select (pgq.next_batch_custom($1, $2, null, null, null)).batch_id
$$;
