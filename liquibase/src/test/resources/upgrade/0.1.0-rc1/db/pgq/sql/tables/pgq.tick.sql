-- ----------------------------------------------------------------------
-- Table: pgq.tick
--
--      Ticks: per queue, the transaction snapshot of the ticking
--      transaction.  Two ticks bound a batch.  Old ticks are deleted only
--      by rotation.  Latest-tick lookups order by (tick_queue desc,
--      tick_id desc) so that they walk tick_pkey.
--
-- Columns:
--      tick_queue      - queue (pgq.queue.queue_id)
--      tick_id         - tick id, per queue, from the queue's tick sequence
--      tick_time       - start time of the ticking transaction
--      tick_snapshot   - snapshot of the ticking transaction
--      tick_event_seq  - last_value of the queue's event id sequence then
-- ----------------------------------------------------------------------
create table pgq.tick (
    tick_queue                  int4            not null,
    tick_id                     bigint          not null,
    tick_time                   timestamptz     not null default now(),
    tick_snapshot               txid_snapshot   not null default txid_current_snapshot(),
    tick_event_seq              bigint          not null,

    constraint tick_pkey primary key (tick_queue, tick_id),
    constraint tick_queue_fkey foreign key (tick_queue)
                               references pgq.queue (queue_id)
);
