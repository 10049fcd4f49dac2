-- ----------------------------------------------------------------------
-- Function: pgq.quote_fqname(1)
--
--      Quotes a possibly schema-qualified object name for use in SQL.
--      The first dot separates schema and name; the name may contain
--      more dots.  Without a dot the schema is public.
--
-- Parameters:
--      i_name      - object name, e.g. 'pgq.event_2_0' or 'Weird Name'
--
-- Returns:
--      quote_ident(schema) || '.' || quote_ident(name),
--      e.g. 'pgq.event_2_0', 'public."Weird Name"'
-- Calls:
--      None
-- Tables directly manipulated:
--      None
-- ----------------------------------------------------------------------
create or replace function pgq.quote_fqname(i_name text)
returns text
language sql strict immutable
as $$
    select case when pg_catalog.strpos(i_name, '.') > 0
                then pg_catalog.quote_ident(pg_catalog.substr(i_name, 1, pg_catalog.strpos(i_name, '.') - 1))
                     || '.' ||
                     pg_catalog.quote_ident(pg_catalog.substr(i_name, pg_catalog.strpos(i_name, '.') + 1))
                else 'public.' || pg_catalog.quote_ident(i_name)
           end
$$;
