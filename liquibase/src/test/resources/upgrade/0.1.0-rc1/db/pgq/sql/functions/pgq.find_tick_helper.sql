-- ----------------------------------------------------------------------
-- Function: pgq.find_tick_helper(6)
--
--      Finds the end tick of a custom batch (pgq.next_batch_custom): the
--      latest tick after the start if it is far enough away by count or by
--      time; if it is more than twice as far as asked, the first tick
--      that is far enough instead.
--
-- Parameters:
--      i_queue_id          - queue id
--      i_prev_tick_id      - start tick of the batch
--      i_prev_tick_time    - its time
--      i_prev_tick_seq     - its event sequence position
--      i_min_count         - least number of events (by sequence), or NULL
--      i_min_interval      - least time between the ticks, or NULL
--
-- Returns:
--      next_tick_id, next_tick_time, next_tick_seq of the tick found;
--      all NULL when no tick qualifies yet
-- Calls:
--      Java: org.pgqjava.pgq.NextBatch.findTickHelper
-- Tables directly manipulated:
--      None
-- ----------------------------------------------------------------------
create or replace function pgq.find_tick_helper(
    in i_queue_id int4,
    in i_prev_tick_id int8,
    in i_prev_tick_time timestamptz,
    in i_prev_tick_seq int8,
    in i_min_count int8,
    in i_min_interval interval,
    out next_tick_id int8,
    out next_tick_time timestamptz,
    out next_tick_seq int8)
language pljvm stable
as 'org.pgqjava.pgq.NextBatch.findTickHelper';
