-- ----------------------------------------------------------------------
-- Function: pgq_java.purge_dead_letters(3)
--
--      Deletes dead letters.
--
-- Parameters:
--      i_queue_name        - name of the queue
--      i_consumer_name     - one consumer's, or NULL for every consumer's
--      i_ev_ids            - the events, or NULL for all of them
--
-- Returns:
--      how many were deleted; error 'No such event queue'
-- Calls:
--      Java: org.pgqjava.pgq.DeadLetters.purgeDeadLetters
-- Tables directly manipulated:
--      delete: pgq_java.dead_letter
-- ----------------------------------------------------------------------
create or replace function pgq_java.purge_dead_letters(
    i_queue_name text,
    i_consumer_name text default null,
    i_ev_ids bigint[] default null)
returns integer
language pljvm security definer
set search_path = pg_catalog, pg_temp
as 'org.pgqjava.pgq.DeadLetters.purgeDeadLetters';
