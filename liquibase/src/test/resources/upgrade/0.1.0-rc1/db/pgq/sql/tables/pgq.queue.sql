-- ----------------------------------------------------------------------
-- Table: pgq.queue
--
--      One row per queue: its name, its configuration and the state of
--      the rotation of its event tables.
--
-- Columns:
--      queue_id                    - internal id; also part of the names of
--                                    the queue's tables and sequences
--      queue_name                  - the name users know the queue by
--      queue_ntables               - number of event tables (fixed at creation)
--      queue_cur_table             - which of them (0 .. ntables-1) takes inserts
--      queue_rotation_period       - least time between two rotations
--      queue_switch_step1          - txid of the transaction that last rotated
--      queue_switch_step2          - txid of a transaction after that rotation
--                                    committed; NULL between step 1 and step 2
--      queue_switch_time           - time of the last rotation (or creation)
--      queue_external_ticker       - ticks come from outside (cascading); the
--                                    local ticker leaves the queue alone
--      queue_disable_insert        - refuse inserts unless the session runs
--                                    with session_replication_role = replica
--      queue_ticker_paused         - the ticker must not tick this queue
--      queue_ticker_max_count      - tick once this many events are new
--      queue_ticker_max_lag        - tick at the latest this long after the
--                                    previous tick when there are new events
--      queue_ticker_idle_period    - tick at least this often on an idle queue
--      queue_per_tx_limit          - most events one transaction may insert
--                                    (NULL: no limit)
--      queue_data_pfx              - 'pgq.event_<queue_id>': name prefix of the
--                                    event tables
--      queue_event_seq             - name of the event id sequence
--      queue_tick_seq              - name of the tick id sequence
--      queue_extra_maint           - more maintenance functions, each called
--                                    with the queue name (maint_operations)
-- ----------------------------------------------------------------------
create table pgq.queue (
    queue_id                    serial,
    queue_name                  text        not null,

    queue_ntables               integer     not null default 3,
    queue_cur_table             integer     not null default 0,
    queue_rotation_period       interval    not null default '2 hours',
    queue_switch_step1          bigint      not null default txid_current(),
    queue_switch_step2          bigint               default txid_current(),
    queue_switch_time           timestamptz not null default now(),

    queue_external_ticker       boolean     not null default false,
    queue_disable_insert        boolean     not null default false,
    queue_ticker_paused         boolean     not null default false,

    queue_ticker_max_count      integer     not null default 500,
    queue_ticker_max_lag        interval    not null default '3 seconds',
    queue_ticker_idle_period    interval    not null default '1 minute',
    queue_per_tx_limit          integer,

    queue_data_pfx              text        not null,
    queue_event_seq             text        not null,
    queue_tick_seq              text        not null,

    queue_extra_maint           text[],

    constraint queue_pkey primary key (queue_id),
    constraint queue_name_uq unique (queue_name)
);
