-- ----------------------------------------------------------------------
-- Function: pgq_coop.next_batch_custom(6)
--
--      As pgq_coop.next_batch(3), with the batch size and age limits of
--      pgq.next_batch_custom.
--
-- Parameters:
--      i_queue_name        - name of the queue
--      i_consumer_name     - name of the main consumer
--      i_subconsumer_name  - name of the sub-consumer
--      i_min_lag           - open no batch whose end tick is younger than this
--      i_min_count         - end the batch at a tick at least this many
--                            events after the start
--      i_min_interval      - or at a tick at least this long after the start
--
-- Returns:
--      the batch id; NULL when there is nothing to do for now
-- Calls:
--      pgq_coop.next_batch_custom(7) (its Java method);
--      Java: org.pgqjava.pgq.Coop.nextBatchCustom
-- Tables directly manipulated:
--      update: pgq.subscription
-- ----------------------------------------------------------------------
create or replace function pgq_coop.next_batch_custom(
    i_queue_name text,
    i_consumer_name text,
    i_subconsumer_name text,
    i_min_lag interval,
    i_min_count int4,
    i_min_interval interval)
returns bigint
language pljvm security definer
set search_path = pg_catalog, pg_temp
as 'org.pgqjava.pgq.Coop.nextBatchCustom';

-- ----------------------------------------------------------------------
-- Function: pgq_coop.next_batch_custom(7)
--
--      Registers the sub-consumer if needed and locks the main consumer's
--      subscription.  Returns the sub-consumer's open batch if it has one.
--      Else, with i_dead_interval, another sub-consumer inactive for longer
--      is unregistered and its open batch becomes this one's.  Else the
--      consumer's next batch (pgq.next_batch_custom) goes to this
--      sub-consumer, and the main consumer's position moves past it.
--
-- Parameters:
--      i_queue_name        - name of the queue
--      i_consumer_name     - name of the main consumer
--      i_subconsumer_name  - name of the sub-consumer
--      i_min_lag           - open no batch whose end tick is younger than this
--      i_min_count         - end the batch at a tick at least this many
--                            events after the start
--      i_min_interval      - or at a tick at least this long after the start
--      i_dead_interval     - inactivity after which a sub-consumer is dead
--
-- Returns:
--      the batch id; NULL when there is nothing to do for now; errors
--      'main consumer not found', 'main consumer has batch open?',
--      'subconsumer not found'
-- Calls:
--      pgq_coop.register_subconsumer(3), pgq.next_batch_custom(5) (their
--      Java methods);
--      Java: org.pgqjava.pgq.Coop.nextBatchCustomDead
-- Tables directly manipulated:
--      update, delete: pgq.subscription
-- ----------------------------------------------------------------------
create or replace function pgq_coop.next_batch_custom(
    i_queue_name text,
    i_consumer_name text,
    i_subconsumer_name text,
    i_min_lag interval,
    i_min_count int4,
    i_min_interval interval,
    i_dead_interval interval)
returns bigint
language pljvm security definer
set search_path = pg_catalog, pg_temp
as 'org.pgqjava.pgq.Coop.nextBatchCustomDead';
