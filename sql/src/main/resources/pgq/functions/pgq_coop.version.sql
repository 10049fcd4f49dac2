-- ----------------------------------------------------------------------
-- Function: pgq_coop.version(0)
--
--      The pgq_coop release whose functions these are.
--
-- Returns:
--      '3.4'
-- Calls:
--      None
-- Tables directly manipulated:
--      None
-- ----------------------------------------------------------------------
create or replace function pgq_coop.version()
returns text
language sql
as $$
    select '3.4'::text
$$;
