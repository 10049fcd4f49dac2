-- ----------------------------------------------------------------------
-- Function: pgq.ticker(0)
--
--      Ticks every queue that needs a tick now: all queues that have
--      neither an external ticker nor a paused one, in name order.
--
-- Returns:
--      number of queues that got a tick
-- Calls:
--      pgq.ticker(1);
--      Java: org.pgqjava.pgq.Ticker.tickAll
-- Tables directly manipulated:
--      None
-- ----------------------------------------------------------------------
create or replace function pgq.ticker()
returns bigint
language pljvm security definer
set search_path = pg_catalog, pg_temp
as 'org.pgqjava.pgq.Ticker.tickAll';

-- ----------------------------------------------------------------------
-- Function: pgq.ticker(1)
--
--      Ticks one queue if it needs a tick now: enough new events, new
--      events older than max_lag, or an idle queue after idle_period.  A
--      tick records the snapshot of this transaction.
--
-- Parameters:
--      i_queue_name    - name of the queue
--
-- Returns:
--      id of the new tick, or NULL when no tick was needed; errors
--      'no such queue', 'This queue has external tick source.',
--      'Ticker has been paused for this queue',
--      'Invalid PgQ state: old xmin=<a>, old xmax=<b>, cur txid=<c>'
-- Calls:
--      Java: org.pgqjava.pgq.Ticker.tick
-- Tables directly manipulated:
--      insert: pgq.tick
-- ----------------------------------------------------------------------
create or replace function pgq.ticker(i_queue_name text)
returns bigint
language pljvm security definer
set search_path = pg_catalog, pg_temp
as 'org.pgqjava.pgq.Ticker.tick';

-- ----------------------------------------------------------------------
-- Function: pgq.ticker(4)
--
--      Inserts a tick given from outside (cascading), for a queue with an
--      external ticker, and moves the queue's sequences up to the given
--      tick id and event position.
--
-- Parameters:
--      i_queue_name        - name of the queue
--      i_tick_id           - id of the tick
--      i_orig_timestamp    - time of the tick
--      i_event_seq         - event sequence position of the tick
--
-- Returns:
--      i_tick_id; error 'queue not found or ticker disabled: <name>'
-- Calls:
--      pgq.seq_setval(2);
--      Java: org.pgqjava.pgq.Ticker.tickExternal
-- Tables directly manipulated:
--      insert: pgq.tick
-- ----------------------------------------------------------------------
create or replace function pgq.ticker(i_queue_name text, i_tick_id bigint,
                                      i_orig_timestamp timestamptz, i_event_seq bigint)
returns bigint
language pljvm security definer
set search_path = pg_catalog, pg_temp
as 'org.pgqjava.pgq.Ticker.tickExternal';
