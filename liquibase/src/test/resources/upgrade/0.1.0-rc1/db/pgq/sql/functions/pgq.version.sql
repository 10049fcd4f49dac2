-- ----------------------------------------------------------------------
-- Function: pgq.version(0)
--
--      Version of the PgQ API this schema provides.  pgq-java is
--      installed as a schema, not as the pgq extension, so this is a
--      constant (PgQ 3.5 reads pg_extension and would return NULL here).
--      pgqd ignores databases whose version does not begin with '3'.
--
-- Returns:
--      '3.5.2'
-- Calls:
--      None
-- Tables directly manipulated:
--      None
-- ----------------------------------------------------------------------
create or replace function pgq.version()
returns text
language sql
as $$
    select '3.5.2'::text
$$;
