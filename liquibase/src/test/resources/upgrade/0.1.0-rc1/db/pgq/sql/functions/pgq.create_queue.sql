-- ----------------------------------------------------------------------
-- Function: pgq.create_queue(1)
--
--      Creates a queue: its row in pgq.queue, its tick and event id
--      sequences, the parent table pgq.event_<id> and the event tables
--      pgq.event_<id>_0 .. _<ntables-1> (each with an ev_id default from
--      the event sequence and an index on ev_txid), their grants and
--      storage settings, and tick 1, so that consumers can register at
--      once.
--
-- Parameters:
--      i_queue_name    - name of the new queue
--
-- Returns:
--      1 if the queue was created, 0 if it exists already;
--      error 'Invalid NULL value' for a NULL name
-- Calls:
--      pgq.grant_perms(1), pgq.ticker(1), pgq.tune_storage(1);
--      Java: org.pgqjava.pgq.Queues.createQueue
-- Tables directly manipulated:
--      insert: pgq.queue
--      create: pgq.event_<id>, pgq.event_<id>_<n>, their sequences
-- ----------------------------------------------------------------------
create or replace function pgq.create_queue(i_queue_name text)
returns integer
language pljvm security definer
set search_path = pg_catalog, pg_temp
as 'org.pgqjava.pgq.Queues.createQueue';
