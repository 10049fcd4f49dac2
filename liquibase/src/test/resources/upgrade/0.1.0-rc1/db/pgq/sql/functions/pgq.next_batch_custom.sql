-- ----------------------------------------------------------------------
-- Function: pgq.next_batch_custom(5)
--
--      Opens the consumer's next batch, or gives the one already open,
--      letting the consumer ask for bigger or older batches than one tick
--      apart.
--
-- Parameters:
--      i_queue_name        - name of the queue
--      i_consumer_name     - name of the consumer
--      i_min_lag           - open no batch whose end tick is younger than this
--      i_min_count         - end the batch at a tick at least this many
--                            events (by sequence) after the start
--      i_min_interval      - or at a tick at least this long after the start
--
-- Returns:
--      one row as pgq.next_batch_info(2), all NULL when there is no
--      suitable tick yet; errors 'Not subscriber to queue: <q>/<c>',
--      'PgQ corruption: Consumer <c> on queue <q> does not see tick <n>'
-- Calls:
--      pgq.find_tick_helper(6) when i_min_count or i_min_interval is given;
--      Java: org.pgqjava.pgq.NextBatch.nextBatchCustom
-- Tables directly manipulated:
--      update: pgq.subscription
-- ----------------------------------------------------------------------
create or replace function pgq.next_batch_custom(
    in i_queue_name text,
    in i_consumer_name text,
    in i_min_lag interval,
    in i_min_count int4,
    in i_min_interval interval,
    out batch_id int8,
    out cur_tick_id int8,
    out prev_tick_id int8,
    out cur_tick_time timestamptz,
    out prev_tick_time timestamptz,
    out cur_tick_event_seq int8,
    out prev_tick_event_seq int8)
language pljvm security definer
set search_path = pg_catalog, pg_temp
as 'org.pgqjava.pgq.NextBatch.nextBatchCustom';
