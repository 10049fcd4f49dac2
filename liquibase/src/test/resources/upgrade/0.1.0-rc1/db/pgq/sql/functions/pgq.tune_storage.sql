-- ----------------------------------------------------------------------
-- Function: pgq.tune_storage(1)
--
--      Sets the storage parameters of a queue's event tables: they are
--      only ever appended to and truncated, so pages are filled
--      completely (fillfactor 100) and autovacuum is switched off for
--      them and their toast tables.
--
-- Parameters:
--      i_queue_name    - name of the queue
--
-- Returns:
--      1; 0 if there is no such queue
-- Calls:
--      pgq.quote_fqname(1)
-- Tables directly manipulated:
--      alter: pgq.event_<id>_<n>
-- ----------------------------------------------------------------------
create or replace function pgq.tune_storage(i_queue_name text)
returns integer
language plpgsql strict
as $$
declare
    q       record;
begin
    select queue_data_pfx, queue_ntables
      into q
      from pgq.queue
     where queue_name = i_queue_name;
    if not found then
        return 0;
    end if;

    for i in 0 .. q.queue_ntables - 1 loop
        execute pg_catalog.format('alter table %s set (fillfactor = 100,'
                                  ' autovacuum_enabled = off, toast.autovacuum_enabled = off)',
                                  pgq.quote_fqname(q.queue_data_pfx || '_' || i::text));
    end loop;
    return 1;
end;
$$;
