-- ----------------------------------------------------------------------
-- Function: pgq.event_retry(3a)
--
--      Puts an event of an open batch into the retry queue, to come back
--      to this consumer only, at a given time.  The event keeps its id and
--      creation time; its retry count goes up by one.
--
-- Parameters:
--      x_batch_id      - id of the batch
--      x_event_id      - id of the event, which must be in the batch
--      x_retry_time    - when the event is due again
--
-- Returns:
--      1; 0 if the event is in the retry queue for this consumer already;
--      error 'event not found'
-- Calls:
--      pgq.batch_event_sql(1) (its Java method; PgQ reads pgq.get_batch_events(1));
--      Java: org.pgqjava.pgq.Retry.eventRetry
-- Tables directly manipulated:
--      insert: pgq.retry_queue
-- ----------------------------------------------------------------------
create or replace function pgq.event_retry(x_batch_id bigint, x_event_id bigint, x_retry_time timestamptz)
returns integer
language pljvm security definer
set search_path = pg_catalog, pg_temp
as 'org.pgqjava.pgq.Retry.eventRetry';

-- ----------------------------------------------------------------------
-- Function: pgq.event_retry(3b)
--
--      As pgq.event_retry(3a), due a number of seconds from now.
--
-- Parameters:
--      x_batch_id      - id of the batch
--      x_event_id      - id of the event
--      x_retry_seconds - seconds from now until the event is due again
--
-- Returns:
--      1; 0 if the event is in the retry queue for this consumer already
-- Calls:
--      Java: org.pgqjava.pgq.Retry.eventRetrySeconds
-- Tables directly manipulated:
--      insert: pgq.retry_queue
-- ----------------------------------------------------------------------
create or replace function pgq.event_retry(x_batch_id bigint, x_event_id bigint, x_retry_seconds integer)
returns integer
language pljvm security definer
set search_path = pg_catalog, pg_temp
as 'org.pgqjava.pgq.Retry.eventRetrySeconds';
