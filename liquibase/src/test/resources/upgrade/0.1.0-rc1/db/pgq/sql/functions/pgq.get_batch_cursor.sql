-- ----------------------------------------------------------------------
-- Function: pgq.get_batch_cursor(4)
--
--      Opens a cursor over the events of an open batch, optionally
--      filtered, and returns its first rows at once.  The cursor lives
--      until the end of the calling transaction; the caller FETCHes the
--      rest and CLOSEs it.
--
-- Parameters:
--      i_batch_id      - id of the batch
--      i_cursor_name   - name for the cursor (NO SCROLL)
--      i_quick_limit   - number of rows returned at once (none if <= 0)
--      i_extra_where   - condition on the event columns, or NULL
--
-- Returns:
--      the first i_quick_limit events, ordered by ev_id; nothing when the
--      batch id, cursor name or limit is NULL
-- Calls:
--      pgq.batch_event_sql(1);
--      Java: org.pgqjava.pgq.BatchEvents.getBatchCursor
-- Tables directly manipulated:
--      None
-- ----------------------------------------------------------------------
create or replace function pgq.get_batch_cursor(
    in i_batch_id bigint,
    in i_cursor_name text,
    in i_quick_limit int4,
    in i_extra_where text,
    out ev_id bigint,
    out ev_time timestamptz,
    out ev_txid bigint,
    out ev_retry int4,
    out ev_type text,
    out ev_data text,
    out ev_extra1 text,
    out ev_extra2 text,
    out ev_extra3 text,
    out ev_extra4 text)
returns setof record
language pljvm
as 'org.pgqjava.pgq.BatchEvents.getBatchCursor';

-- ----------------------------------------------------------------------
-- Function: pgq.get_batch_cursor(3)
--
--      As pgq.get_batch_cursor(4), without a filter.
--
-- Parameters:
--      i_batch_id      - id of the batch
--      i_cursor_name   - name for the cursor
--      i_quick_limit   - number of rows returned at once
--
-- Returns:
--      the first i_quick_limit events of the batch
-- Calls:
--      pgq.get_batch_cursor(4)
-- Tables directly manipulated:
--      None
-- ----------------------------------------------------------------------
create or replace function pgq.get_batch_cursor(
    in i_batch_id bigint,
    in i_cursor_name text,
    in i_quick_limit int4,
    out ev_id bigint,
    out ev_time timestamptz,
    out ev_txid bigint,
    out ev_retry int4,
    out ev_type text,
    out ev_data text,
    out ev_extra1 text,
    out ev_extra2 text,
    out ev_extra3 text,
    out ev_extra4 text)
returns setof record
language sql strict
as $$
    select * from pgq.get_batch_cursor(i_batch_id, i_cursor_name, i_quick_limit, null::text)
$$;
