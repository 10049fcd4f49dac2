-- ----------------------------------------------------------------------
-- Table: pgq.event_template
--
--      Empty parent of all event tables; never written to.  Each queue N
--      gets pgq.event_N inheriting from it, and the event tables
--      pgq.event_N_0 .. pgq.event_N_<ntables-1> inheriting from that.
--      Its grants are copied to those tables (pgq.grant_perms).
--
-- Columns:
--      ev_id               - event id, from the queue's event sequence
--      ev_time             - creation time of the event
--      ev_txid             - id of the inserting transaction: what batches
--                            are cut by
--      ev_owner            - NULL: for every consumer; else the sub_id of the
--                            only consumer that gets it (retried events)
--      ev_retry            - how often the event was retried; NULL at first
--      ev_type             - payload: type, agreed by producer and consumer
--      ev_data             - payload: data
--      ev_extra1           - payload: extra field 1
--      ev_extra2           - payload: extra field 2
--      ev_extra3           - payload: extra field 3
--      ev_extra4           - payload: extra field 4
-- ----------------------------------------------------------------------
create table pgq.event_template (
    ev_id               bigint          not null,
    ev_time             timestamptz     not null,

    ev_txid             bigint          not null default txid_current(),
    ev_owner            int4,
    ev_retry            int4,

    ev_type             text,
    ev_data             text,
    ev_extra1           text,
    ev_extra2           text,
    ev_extra3           text,
    ev_extra4           text
);
