-- ----------------------------------------------------------------------
-- Function: pgq.seq_getval(1)
--
--      Reads last_value of a sequence without changing the sequence.
--      A sequence nobody has called nextval on yet gives its start
--      value (1), unlike pg_sequence_last_value(), which gives NULL.
--
-- Parameters:
--      i_seq_name  - sequence name, schema-qualified or in public
--                    (split as by pgq.quote_fqname)
--
-- Returns:
--      last_value of the sequence
-- Calls:
--      pgq.quote_fqname(1)
-- Tables directly manipulated:
--      None
-- ----------------------------------------------------------------------
create or replace function pgq.seq_getval(i_seq_name text)
returns bigint
language plpgsql strict
as $$
declare
    res     bigint;
begin
    execute pg_catalog.format('select last_value from %s', pgq.quote_fqname(i_seq_name))
       into res;
    return res;
end;
$$;
