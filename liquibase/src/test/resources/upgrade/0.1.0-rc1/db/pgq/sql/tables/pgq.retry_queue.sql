-- ----------------------------------------------------------------------
-- Table: pgq.retry_queue
--
--      Events a consumer asked to see again later.  When ev_retry_after
--      has passed, pgq.maint_retry_events() puts them back into their
--      queue, owned by that consumer only.
--
-- Columns:
--      ev_retry_after      - when the event is due again
--      ev_queue            - queue (pgq.queue.queue_id)
--      ev_id .. ev_extra4  - the columns of pgq.event_template, in its order,
--                            except that ev_owner (the consumer's sub_id) is
--                            required and ev_txid (unused here) may be NULL
--                            and has no default
-- ----------------------------------------------------------------------
create table pgq.retry_queue (
    ev_retry_after      timestamptz     not null,
    ev_queue            int4            not null,

    ev_id               bigint          not null,
    ev_time             timestamptz     not null,
    ev_txid             bigint,
    ev_owner            int4            not null,
    ev_retry            int4,
    ev_type             text,
    ev_data             text,
    ev_extra1           text,
    ev_extra2           text,
    ev_extra3           text,
    ev_extra4           text,

    constraint rq_pkey primary key (ev_owner, ev_id),
    constraint rq_queue_id_fkey foreign key (ev_queue)
                                references pgq.queue (queue_id)
);
create index rq_retry_idx on pgq.retry_queue (ev_retry_after);
