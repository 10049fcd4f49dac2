-- ----------------------------------------------------------------------
-- Role: pgq_reader
--
--      Group role of consumers: register on queues, open, read, retry
--      and finish batches (see grants/pgq.grants.sql).
--
--      Roles belong to the cluster, not to a database: a second database
--      of the same cluster finds the role there already and keeps it as
--      it is.  Another session may create it at the same moment, hence
--      the duplicate_object handler.
-- ----------------------------------------------------------------------
do $$
begin
    if not exists (select 1 from pg_catalog.pg_roles where rolname = 'pgq_reader') then
        create role pgq_reader;
    end if;
exception when duplicate_object then
    null;
end
$$;
