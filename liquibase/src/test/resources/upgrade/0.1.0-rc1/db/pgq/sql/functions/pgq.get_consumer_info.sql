-- ----------------------------------------------------------------------
-- Function: pgq.get_consumer_info(2)
--
--      Describes subscriptions: where each consumer is and how far it
--      lags behind.
--
-- Parameters:
--      i_queue_name        - name of the queue; NULL: all queues
--      i_consumer_name     - name of the consumer; NULL: all consumers
--
-- Returns:
--      one row per matching subscription (none if nothing matches),
--      ordered by queue name, then consumer name, of:
--      queue_name          - name of the queue
--      consumer_name       - name of the consumer
--      lag                 - age of the consumer's last finished tick
--      last_seen           - time since the consumer last registered,
--                            opened or finished a batch
--      last_tick           - id of the consumer's last finished tick
--      current_batch       - id of the open batch, or NULL
--      next_tick           - end tick of the open batch, or NULL
--      pending_events      - events (by event sequence) between the
--                            consumer's last tick and the queue's latest
-- Calls:
--      None
-- Tables directly manipulated:
--      None
-- ----------------------------------------------------------------------
create or replace function pgq.get_consumer_info(
    in i_queue_name     text,
    in i_consumer_name  text,
    out queue_name      text,
    out consumer_name   text,
    out lag             interval,
    out last_seen       interval,
    out last_tick       bigint,
    out current_batch   bigint,
    out next_tick       bigint,
    out pending_events  bigint)
returns setof record
language sql security definer
set search_path = pg_catalog, pg_temp
as $$
    select q.queue_name, c.co_name,
           current_timestamp - t.tick_time,
           current_timestamp - s.sub_active,
           s.sub_last_tick, s.sub_batch, s.sub_next_tick,
           top.tick_event_seq - t.tick_event_seq
      from pgq.subscription s
      join pgq.queue q on q.queue_id = s.sub_queue
      join pgq.consumer c on c.co_id = s.sub_consumer
      left join pgq.tick t
             on t.tick_queue = s.sub_queue and t.tick_id = s.sub_last_tick
      left join lateral (
               select lt.tick_event_seq
                 from pgq.tick lt
                where lt.tick_queue = s.sub_queue
                order by lt.tick_queue desc, lt.tick_id desc
                limit 1) top on true
     where (i_queue_name is null or q.queue_name = i_queue_name)
       and (i_consumer_name is null or c.co_name = i_consumer_name)
     order by q.queue_name, c.co_name
$$;

-- ----------------------------------------------------------------------
-- Function: pgq.get_consumer_info(1)
--
--      Describes all consumers on one queue; see
--      pgq.get_consumer_info(2).
--
-- Parameters:
--      i_queue_name        - name of the queue; NULL: all queues
-- Calls:
--      pgq.get_consumer_info(2)
-- Tables directly manipulated:
--      None
-- ----------------------------------------------------------------------
create or replace function pgq.get_consumer_info(
    in i_queue_name     text,
    out queue_name      text,
    out consumer_name   text,
    out lag             interval,
    out last_seen       interval,
    out last_tick       bigint,
    out current_batch   bigint,
    out next_tick       bigint,
    out pending_events  bigint)
returns setof record
language sql security definer
set search_path = pg_catalog, pg_temp
as $$
    select * from pgq.get_consumer_info(i_queue_name, null::text)
$$;

-- ----------------------------------------------------------------------
-- Function: pgq.get_consumer_info(0)
--
--      Describes all consumers on all queues; see
--      pgq.get_consumer_info(2).
--
-- Calls:
--      pgq.get_consumer_info(2)
-- Tables directly manipulated:
--      None
-- ----------------------------------------------------------------------
create or replace function pgq.get_consumer_info(
    out queue_name      text,
    out consumer_name   text,
    out lag             interval,
    out last_seen       interval,
    out last_tick       bigint,
    out current_batch   bigint,
    out next_tick       bigint,
    out pending_events  bigint)
returns setof record
language sql security definer
set search_path = pg_catalog, pg_temp
as $$
    select * from pgq.get_consumer_info(null::text, null::text)
$$;
