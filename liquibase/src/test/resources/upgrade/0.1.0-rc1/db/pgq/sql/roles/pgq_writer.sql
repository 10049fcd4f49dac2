-- ----------------------------------------------------------------------
-- Role: pgq_writer
--
--      Group role of producers: insert events into queues (see
--      grants/pgq.grants.sql).
--
--      Created only if missing; see roles/pgq_reader.sql for why.
-- ----------------------------------------------------------------------
do $$
begin
    if not exists (select 1 from pg_catalog.pg_roles where rolname = 'pgq_writer') then
        create role pgq_writer;
    end if;
exception when duplicate_object then
    null;
end
$$;
