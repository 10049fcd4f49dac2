-- ----------------------------------------------------------------------
-- Role: pgq_admin
--
--      Group role of administrators and of the ticker / maintenance
--      daemon: create and drop queues, tick, rotate, move retry events.
--      A new pgq_admin is made a member of pgq_reader and pgq_writer, so
--      it can do everything they can.
--
--      Created only if missing (see roles/pgq_reader.sql); an existing
--      pgq_admin keeps the memberships it has.  Needs pgq_reader and
--      pgq_writer to exist.
-- ----------------------------------------------------------------------
do $$
begin
    if not exists (select 1 from pg_catalog.pg_roles where rolname = 'pgq_admin') then
        create role pgq_admin in role pgq_reader, pgq_writer;
    end if;
exception when duplicate_object then
    null;
end
$$;
