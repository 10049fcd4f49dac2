-- ----------------------------------------------------------------------
-- Function: pgq_java.redrive_dead_letters(3)
--
--      Gives a consumer's dead letters back to it: into pgq.retry_queue,
--      due now, so that the next maintenance round puts them into the
--      queue for that consumer.  Their retry count stays: raise the queue's
--      max_retries first if they may be retried again.
--
-- Parameters:
--      i_queue_name        - name of the queue
--      i_consumer_name     - name of the consumer
--      i_ev_ids            - the events, or NULL for all of them
--
-- Returns:
--      how many went back; errors 'No such event queue',
--      'Not subscriber to queue: <q>/<c>'
-- Calls:
--      Java: org.pgqjava.pgq.DeadLetters.redriveDeadLetters
-- Tables directly manipulated:
--      delete: pgq_java.dead_letter; insert: pgq.retry_queue
-- ----------------------------------------------------------------------
create or replace function pgq_java.redrive_dead_letters(
    i_queue_name text,
    i_consumer_name text,
    i_ev_ids bigint[] default null)
returns integer
language pljvm security definer
set search_path = pg_catalog, pg_temp
as 'org.pgqjava.pgq.DeadLetters.redriveDeadLetters';
