-- ----------------------------------------------------------------------
-- Function: pgq.get_queue_info(1)
--
--      Describes a queue: its configuration and how busy it is.
--
-- Parameters:
--      i_queue_name                - name of the queue; NULL: all queues
--
-- Returns:
--      no row for an unknown queue; else one row per queue, ordered by
--      queue name, of:
--      queue_name                  - name of the queue
--      queue_ntables               - number of event tables
--      queue_cur_table             - event table that takes inserts now
--      queue_rotation_period       - least time between rotations
--      queue_switch_time           - time of the last rotation
--      queue_external_ticker       - ticks come from outside
--      queue_ticker_paused         - the ticker leaves the queue alone
--      queue_ticker_max_count      - tick after this many new events
--      queue_ticker_max_lag        - tick at the latest after this long
--      queue_ticker_idle_period    - tick at least this often when idle
--      ticker_lag                  - time since the latest tick
--      ev_per_sec                  - events per second between the latest
--                                    tick and the oldest of the 20 ticks
--                                    before it; NULL when both have the
--                                    same time
--      ev_new                      - events since the latest tick (from the
--                                    event sequence, so only approximate)
--      last_tick_id                - id of the latest tick
-- Calls:
--      pgq.seq_getval(1)
-- Tables directly manipulated:
--      None
-- ----------------------------------------------------------------------
create or replace function pgq.get_queue_info(
    in i_queue_name                 text,
    out queue_name                  text,
    out queue_ntables               integer,
    out queue_cur_table             integer,
    out queue_rotation_period       interval,
    out queue_switch_time           timestamptz,
    out queue_external_ticker       boolean,
    out queue_ticker_paused         boolean,
    out queue_ticker_max_count      integer,
    out queue_ticker_max_lag        interval,
    out queue_ticker_idle_period    interval,
    out ticker_lag                  interval,
    out ev_per_sec                  float8,
    out ev_new                      bigint,
    out last_tick_id                bigint)
returns setof record
language sql
as $$
    select q.queue_name, q.queue_ntables, q.queue_cur_table,
           q.queue_rotation_period, q.queue_switch_time,
           q.queue_external_ticker, q.queue_ticker_paused,
           q.queue_ticker_max_count, q.queue_ticker_max_lag, q.queue_ticker_idle_period,
           current_timestamp - top.tick_time,
           case when older.tick_time < top.tick_time
                then ((top.tick_event_seq - older.tick_event_seq)
                      / extract(epoch from top.tick_time - older.tick_time))::float8
           end,
           pgq.seq_getval(q.queue_event_seq) - top.tick_event_seq,
           top.tick_id
      from pgq.queue q
      left join lateral (
               select t.tick_id, t.tick_time, t.tick_event_seq
                 from pgq.tick t
                where t.tick_queue = q.queue_id
                order by t.tick_queue desc, t.tick_id desc
                limit 1) top on true
      left join lateral (
               select t.tick_time, t.tick_event_seq
                 from pgq.tick t
                where t.tick_queue = q.queue_id
                  and t.tick_id >= top.tick_id - 20
                order by t.tick_queue, t.tick_id
                limit 1) older on true
     where i_queue_name is null or q.queue_name = i_queue_name
     order by q.queue_name
$$;

-- ----------------------------------------------------------------------
-- Function: pgq.get_queue_info(0)
--
--      Describes all queues; see pgq.get_queue_info(1).
--
-- Returns:
--      one row per queue, ordered by queue name
-- Calls:
--      pgq.get_queue_info(1)
-- Tables directly manipulated:
--      None
-- ----------------------------------------------------------------------
create or replace function pgq.get_queue_info(
    out queue_name                  text,
    out queue_ntables               integer,
    out queue_cur_table             integer,
    out queue_rotation_period       interval,
    out queue_switch_time           timestamptz,
    out queue_external_ticker       boolean,
    out queue_ticker_paused         boolean,
    out queue_ticker_max_count      integer,
    out queue_ticker_max_lag        interval,
    out queue_ticker_idle_period    interval,
    out ticker_lag                  interval,
    out ev_per_sec                  float8,
    out ev_new                      bigint,
    out last_tick_id                bigint)
returns setof record
language sql
as $$
    select * from pgq.get_queue_info(null::text)
$$;
