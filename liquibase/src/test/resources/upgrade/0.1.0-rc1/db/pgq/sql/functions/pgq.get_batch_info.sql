-- ----------------------------------------------------------------------
-- Function: pgq.get_batch_info(1)
--
--      Describes an open batch.
--
-- Parameters:
--      x_batch_id      - id of the batch
--
-- Returns:
--      one row; all NULL when no consumer has that batch open:
--      queue_name      - queue of the batch
--      consumer_name   - consumer that opened it
--      batch_start     - time of the start tick
--      batch_end       - time of the end tick
--      prev_tick_id    - start tick (the consumer's last finished tick)
--      tick_id         - end tick
--      lag             - age of the end tick
--      seq_start       - event sequence position at the start tick
--      seq_end         - event sequence position at the end tick
-- Calls:
--      None
-- Tables directly manipulated:
--      None
-- ----------------------------------------------------------------------
create or replace function pgq.get_batch_info(
    in x_batch_id       bigint,
    out queue_name      text,
    out consumer_name   text,
    out batch_start     timestamptz,
    out batch_end       timestamptz,
    out prev_tick_id    bigint,
    out tick_id         bigint,
    out lag             interval,
    out seq_start       bigint,
    out seq_end         bigint)
language sql security definer
set search_path = pg_catalog, pg_temp
as $$
    -- the outer join makes an unknown batch a row of NULLs, not no row
    select b.queue_name, b.co_name, b.batch_start, b.batch_end,
           b.sub_last_tick, b.sub_next_tick, b.lag, b.seq_start, b.seq_end
      from (values (1)) one
      left join (
           select q.queue_name, c.co_name,
                  prev.tick_time as batch_start, cur.tick_time as batch_end,
                  s.sub_last_tick, s.sub_next_tick,
                  current_timestamp - cur.tick_time as lag,
                  prev.tick_event_seq as seq_start, cur.tick_event_seq as seq_end
             from pgq.subscription s
             join pgq.tick prev
                  on prev.tick_queue = s.sub_queue and prev.tick_id = s.sub_last_tick
             join pgq.tick cur
                  on cur.tick_queue = s.sub_queue and cur.tick_id = s.sub_next_tick
             join pgq.queue q on q.queue_id = s.sub_queue
             join pgq.consumer c on c.co_id = s.sub_consumer
            where s.sub_batch = x_batch_id) b on true
$$;
