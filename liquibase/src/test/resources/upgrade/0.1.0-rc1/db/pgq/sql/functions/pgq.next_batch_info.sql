-- ----------------------------------------------------------------------
-- Function: pgq.next_batch_info(2)
--
--      Opens the consumer's next batch, or gives the one already open,
--      with the ticks that bound it.  The event sequence positions only
--      hint at the size: they cannot tell whether a batch is empty.
--
-- Parameters:
--      i_queue_name        - name of the queue
--      i_consumer_name     - name of the consumer
--
-- Returns:
--      one row, all NULL when there is no new tick yet:
--      batch_id            - batch id
--      cur_tick_id         - end tick
--      prev_tick_id        - start tick
--      cur_tick_time       - time of the end tick
--      prev_tick_time      - time of the start tick
--      cur_tick_event_seq  - event sequence position at the end tick
--      prev_tick_event_seq - event sequence position at the start tick
-- Calls:
--      pgq.next_batch_custom(5) with min_lag, min_count, min_interval NULL;
--      Java: org.pgqjava.pgq.NextBatch.nextBatchInfo
-- Tables directly manipulated:
--      None
-- ----------------------------------------------------------------------
create or replace function pgq.next_batch_info(
    in i_queue_name text,
    in i_consumer_name text,
    out batch_id int8,
    out cur_tick_id int8,
    out prev_tick_id int8,
    out cur_tick_time timestamptz,
    out prev_tick_time timestamptz,
    out cur_tick_event_seq int8,
    out prev_tick_event_seq int8)
language pljvm
as 'org.pgqjava.pgq.NextBatch.nextBatchInfo';
