-- ----------------------------------------------------------------------
-- Function: pgq.seq_setval(2)
--
--      Moves a sequence forward to a value; never moves it back.
--
-- Parameters:
--      i_seq_name      - sequence name (split as by pgq.quote_fqname)
--      i_new_value     - value the sequence should have at least
--
-- Returns:
--      last_value of the sequence afterwards: i_new_value if it was
--      larger, else the unchanged last_value
-- Calls:
--      pgq.seq_getval(1), pgq.quote_fqname(1), setval()
-- Tables directly manipulated:
--      None
-- ----------------------------------------------------------------------
create or replace function pgq.seq_setval(i_seq_name text, i_new_value int8)
returns bigint
language plpgsql strict
as $$
declare
    cur     bigint;
begin
    cur := pgq.seq_getval(i_seq_name);
    if cur < i_new_value then
        perform pg_catalog.setval(pgq.quote_fqname(i_seq_name)::pg_catalog.regclass, i_new_value);
        return i_new_value;
    end if;
    return cur;
end;
$$;
