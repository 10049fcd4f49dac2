-- ----------------------------------------------------------------------
-- Function: pgq.maint_retry_events(0)
--
--      Moves due events from the retry queue back into their queues, at
--      most 10 per call, oldest due first.  Each keeps its id and goes
--      only to the consumer that asked for the retry.  One mover at a time
--      (SHARE UPDATE EXCLUSIVE lock on pgq.retry_queue; inserts go on).
--
-- Returns:
--      number of events moved; call again until it returns 0
-- Calls:
--      pgq.insert_event_raw(11);
--      Java: org.pgqjava.pgq.Retry.maintRetryEvents
-- Tables directly manipulated:
--      delete: pgq.retry_queue
-- ----------------------------------------------------------------------
create or replace function pgq.maint_retry_events()
returns integer
language pljvm
as 'org.pgqjava.pgq.Retry.maintRetryEvents';
