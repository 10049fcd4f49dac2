-- ----------------------------------------------------------------------
-- Function: pgq.set_queue_config(3)
--
--      Changes one setting of a queue.
--
-- Parameters:
--      x_queue_name    - name of the queue
--      x_param_name    - setting, without the 'queue_' prefix of its column:
--                        ticker_max_count, ticker_max_lag, ticker_idle_period,
--                        ticker_paused, rotation_period, external_ticker;
--                        pgq-java's own (pgq_java.queue_config): push,
--                        push_min_interval (docs/push.md), stuck_consumer_warn,
--                        stuck_consumer_detach (launcher/README.md; NULL,
--                        'off' or 0 turn these two off)
--      x_param_value   - new value, in the text form of the column's type
--
-- Returns:
--      1; errors 'Invalid NULL value', 'No such event queue',
--      'cannot change parameter "<name>s"' (sic, as in PgQ)
-- Calls:
--      Java: org.pgqjava.pgq.Queues.setQueueConfig
-- Tables directly manipulated:
--      update: pgq.queue; insert, update: pgq_java.queue_config
-- ----------------------------------------------------------------------
create or replace function pgq.set_queue_config(x_queue_name text, x_param_name text, x_param_value text)
returns integer
language pljvm security definer
set search_path = pg_catalog, pg_temp
as 'org.pgqjava.pgq.Queues.setQueueConfig';
