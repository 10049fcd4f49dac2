-- ----------------------------------------------------------------------
-- Function: pgq.logutriga()
--
--      Table trigger: every row change, or a TRUNCATE, becomes an event in
--      the queue named by the first argument, in the changing transaction;
--      url-encoded row events: ev_type 'I:pk1,pk2' / 'U:..' / 'D:..'
--      ('R' for TRUNCATE), ev_data 'col=value&col2=value2' (the new row;
--      DELETE: the old row), ev_extra1 'schema.table', ev_extra2 the old
--      row of an UPDATE with backup.
--      FOR EACH ROW on INSERT, UPDATE, DELETE; FOR EACH STATEMENT on
--      TRUNCATE.  Replaced, never dropped, by upgrades: tables' triggers
--      keep pointing at it.
--
-- Trigger parameters:
--      arg1            - queue name
--      optional, in any order:
--      SKIP            - BEFORE trigger: queue the event, skip the row
--      ignore=col1,..  - columns left out (an UPDATE of only these: no event)
--      pkey=col1,..    - key columns instead of the primary key
--      backup          - UPDATE: the old row in ev_extra2
--      deny            - refuse every change (a replica's table)
--      ev_type=, ev_data=, ev_extra1=, .. ev_extra4= - SQL expressions over
--                        the row's columns overriding that field
--      when=expr       - boolean expression: false, no event
--
-- Calls:
--      pgq.insert_event(7), by name, as PgQ's triggers do;
--      Java: org.pgqjava.pgq.Triggers.logutriga
-- Tables directly manipulated:
--      None
-- ----------------------------------------------------------------------
create or replace function pgq.logutriga()
returns trigger
language pljvm
as 'org.pgqjava.pgq.Triggers.logutriga';
