-- ----------------------------------------------------------------------
-- Function: pgq.force_tick(1)
--
--      Makes the ticker tick a queue at its next run, by moving the
--      queue's event sequence ahead by 2 * ticker_max_count + 1000 (only
--      for queues with a local, unpaused ticker).  Does not tick itself:
--      two ticker() calls at once are unsafe, as the snapshot is taken
--      before any lock.  Callers poll until the returned id changes.
--
-- Parameters:
--      i_queue_name    - name of the queue
--
-- Returns:
--      id of the queue's latest tick now
-- Calls:
--      Java: org.pgqjava.pgq.Ticker.forceTick
-- Tables directly manipulated:
--      None
-- ----------------------------------------------------------------------
create or replace function pgq.force_tick(i_queue_name text)
returns bigint
language pljvm security definer
set search_path = pg_catalog, pg_temp
as 'org.pgqjava.pgq.Ticker.forceTick';
