-- ----------------------------------------------------------------------
-- Function: pgq.upgrade_schema(0)
--
--      Brings the structure of an older PgQ schema up to 3.5: lets
--      pgq.subscription.sub_last_tick be NULL (needed by cooperative
--      sub-consumers), creates the roles pgq_reader, pgq_writer and
--      pgq_admin where missing, adds pgq.queue.queue_extra_maint where
--      missing.  Does nothing on a current schema.
--
-- Returns:
--      0 (what was changed is not reported, as in PgQ 3.3 and later)
-- Calls:
--      None
-- Tables directly manipulated:
--      alter: pgq.subscription, pgq.queue
-- ----------------------------------------------------------------------
create or replace function pgq.upgrade_schema()
returns int4
language plpgsql
as $$
begin
    if exists (select 1 from pg_catalog.pg_attribute a
                where a.attrelid = 'pgq.subscription'::pg_catalog.regclass
                  and a.attname = 'sub_last_tick'
                  and a.attnotnull) then
        alter table pgq.subscription alter column sub_last_tick drop not null;
    end if;

    if not exists (select 1 from pg_catalog.pg_roles where rolname = 'pgq_reader') then
        create role pgq_reader;
    end if;
    if not exists (select 1 from pg_catalog.pg_roles where rolname = 'pgq_writer') then
        create role pgq_writer;
    end if;
    if not exists (select 1 from pg_catalog.pg_roles where rolname = 'pgq_admin') then
        create role pgq_admin in role pgq_reader, pgq_writer;
    end if;

    if not exists (select 1 from pg_catalog.pg_attribute a
                    where a.attrelid = 'pgq.queue'::pg_catalog.regclass
                      and a.attname = 'queue_extra_maint'
                      and not a.attisdropped) then
        alter table pgq.queue add column queue_extra_maint text[];
    end if;

    return 0;
end;
$$;
