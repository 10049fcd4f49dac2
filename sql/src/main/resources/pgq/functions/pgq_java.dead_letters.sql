-- ----------------------------------------------------------------------
-- Function: pgq_java.dead_letters(2)
--
--      The dead letters of a queue: events retried as often as the queue's
--      max_retries allows, put aside at their next retry (pgq-java only).
--
-- Parameters:
--      i_queue_name        - name of the queue
--      i_consumer_name     - one consumer's, or NULL for every consumer's
--
-- Returns:
--      one row per dead letter, oldest first; error 'No such event queue'
-- Calls:
--      Java: org.pgqjava.pgq.DeadLetters.deadLetters
-- Tables directly manipulated:
--      None
-- ----------------------------------------------------------------------
create or replace function pgq_java.dead_letters(
    in i_queue_name text,
    in i_consumer_name text default null,
    out queue_name text,
    out consumer_name text,
    out ev_id bigint,
    out ev_time timestamptz,
    out ev_txid bigint,
    out ev_retry int4,
    out ev_type text,
    out ev_data text,
    out ev_extra1 text,
    out ev_extra2 text,
    out ev_extra3 text,
    out ev_extra4 text,
    out dead_reason text,
    out dead_time timestamptz)
returns setof record
language pljvm security definer
set search_path = pg_catalog, pg_temp
as 'org.pgqjava.pgq.DeadLetters.deadLetters';
