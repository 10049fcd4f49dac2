-- ----------------------------------------------------------------------
-- Table: pgq.subscription
--
--      A consumer's registration on a queue and its position there.  The
--      open batch, if any, exists only here (sub_batch).
--
-- Columns:
--      sub_id          - subscription id; the ev_owner of retried events.
--                        Not unique: cooperative sub-consumers share the
--                        sub_id of their main consumer.
--      sub_queue       - queue (pgq.queue.queue_id)
--      sub_consumer    - consumer (pgq.consumer.co_id)
--      sub_last_tick   - last finished tick = start of the next batch
--                        (NULL for a cooperative sub-consumer)
--      sub_active      - time of the last register / next_batch / finish_batch
--      sub_batch       - id of the open batch, or NULL
--      sub_next_tick   - end tick of the open batch
-- ----------------------------------------------------------------------
create table pgq.subscription (
    sub_id                      serial      not null,
    sub_queue                   int4        not null,
    sub_consumer                int4        not null,
    sub_last_tick               bigint,
    sub_active                  timestamptz not null default now(),
    sub_batch                   bigint,
    sub_next_tick               bigint,

    constraint subscription_pkey primary key (sub_queue, sub_consumer),
    constraint subscription_batch_idx unique (sub_batch),
    constraint sub_queue_fkey foreign key (sub_queue)
                              references pgq.queue (queue_id),
    constraint sub_consumer_fkey foreign key (sub_consumer)
                                 references pgq.consumer (co_id)
);
