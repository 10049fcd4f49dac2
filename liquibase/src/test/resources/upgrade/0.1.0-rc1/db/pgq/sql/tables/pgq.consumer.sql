-- ----------------------------------------------------------------------
-- Table: pgq.consumer
--
--      Consumer names.  A name is global, not per queue: the row is made
--      at the first registration on any queue and removed with the last
--      subscription.
--
-- Columns:
--      co_id       - internal id, referenced by pgq.subscription
--      co_name     - the name users know the consumer by
-- ----------------------------------------------------------------------
create table pgq.consumer (
    co_id       serial,
    co_name     text        not null,

    constraint consumer_pkey primary key (co_id),
    constraint consumer_name_uq unique (co_name)
);
