-- ----------------------------------------------------------------------
-- Function: pgq_java.push_ticker(0)
--
--      pgq-java only (push delivery, docs/push.md): pgq.ticker(), for a
--      ticker woken by a producer's commit (NOTIFY pgq_push).  A queue
--      with push on and new events ticks once push_min_interval passed
--      since its last tick; every other decision is pgq.ticker()'s.
--
-- Returns:
--      milliseconds until calling it again is useful: until the next push
--      queue with new events becomes due, or the push_min_interval of a
--      push queue it just ticked (more events may come); NULL when neither
--      (then wait for the next notification, at most loop_delay)
-- Calls:
--      Java: org.pgqjava.pgq.Push.pushTicker
-- Tables directly manipulated:
--      insert: pgq.tick
-- ----------------------------------------------------------------------
create or replace function pgq_java.push_ticker()
returns double precision
language pljvm security definer
set search_path = pg_catalog, pg_temp
as 'org.pgqjava.pgq.Push.pushTicker';
