-- ----------------------------------------------------------------------
-- Function: pgq_java.tick_channel(1)
--
--      pgq-java only (push delivery, docs/push.md): the channel the ticks
--      of a queue with push on are announced on, payload the tick id.
--      'pgq.' || queue name, or 'pgq.#' || queue id when that would be
--      longer than a channel name may be (63 bytes).  A consumer runs
--      LISTEN "<channel>" (quoted) and calls next_batch when woken.
--
-- Parameters:
--      queue_name      - name of the queue
--
-- Returns:
--      the channel name; error 42704 when there is no such queue
-- Calls:
--      Java: org.pgqjava.pgq.Push.tickChannelOf
-- Tables directly manipulated:
--      None
-- ----------------------------------------------------------------------
create or replace function pgq_java.tick_channel(queue_name text)
returns text
language pljvm stable security definer
set search_path = pg_catalog, pg_temp
as 'org.pgqjava.pgq.Push.tickChannelOf';
