-- ----------------------------------------------------------------------
-- Function: pgq.grant_perms(1)
--
--      Gives a queue's tables and sequences their privileges: select on
--      both sequences to public, usage on the event sequence to
--      pgq_admin, and on the queue's parent table and each event table
--      the privileges pgq.event_template has (CREATE TABLE ... INHERITS
--      copies no grants).  Called by pgq.create_queue.
--
-- Parameters:
--      x_queue_name    - name of the queue
--
-- Returns:
--      1; error 'Queue not found' for an unknown queue
-- Calls:
--      pgq._grant_perms_from(4), pgq.quote_fqname(1)
-- Tables directly manipulated:
--      grant: pgq.event_<id>, pgq.event_<id>_<n>, their sequences
-- ----------------------------------------------------------------------
create or replace function pgq.grant_perms(x_queue_name text)
returns integer
language plpgsql security definer
set search_path = pg_catalog, pg_temp
as $$
declare
    q           record;
    pos         integer;
    dst_schema  text;
    dst_table   text;
begin
    select queue_data_pfx, queue_event_seq, queue_tick_seq, queue_ntables
      into q
      from pgq.queue
     where queue_name = x_queue_name;
    if not found then
        -- text and SQLSTATE (P0001) as PgQ's: clients match on them
        raise exception 'Queue not found';
    end if;

    -- split the table name prefix as quote_fqname does
    pos := pg_catalog.strpos(q.queue_data_pfx, '.');
    if pos > 0 then
        dst_schema := pg_catalog.substr(q.queue_data_pfx, 1, pos - 1);
        dst_table := pg_catalog.substr(q.queue_data_pfx, pos + 1);
    else
        dst_schema := 'public';
        dst_table := q.queue_data_pfx;
    end if;

    -- consumers and tools read the sequences; only pgq_admin may draw ids
    execute pg_catalog.format('grant select on sequence %s to public',
                              pgq.quote_fqname(q.queue_tick_seq));
    execute pg_catalog.format('grant select on sequence %s to public',
                              pgq.quote_fqname(q.queue_event_seq));
    execute pg_catalog.format('grant usage on sequence %s to pgq_admin',
                              pgq.quote_fqname(q.queue_event_seq));

    perform pgq._grant_perms_from('pgq', 'event_template', dst_schema, dst_table);
    for i in 0 .. q.queue_ntables - 1 loop
        perform pgq._grant_perms_from('pgq', 'event_template',
                                      dst_schema, dst_table || '_' || i::text);
    end loop;

    return 1;
end;
$$;
