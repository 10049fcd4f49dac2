-- ----------------------------------------------------------------------
-- Function: pgq.sqltriga()
--
--      Table trigger: every row change, or a TRUNCATE, becomes an event in
--      the queue named by the first argument, in the changing transaction;
--      SQL-fragment row events: ev_type 'I' / 'U' / 'D' ('R' for
--      TRUNCATE), ev_data '(cols) values (literals)', "col='new' where
--      pk='old'" or "pk='old' and ...", ev_extra1 'schema.table'.
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
--      Java: org.pgqjava.pgq.Triggers.sqltriga
-- Tables directly manipulated:
--      None
-- ----------------------------------------------------------------------
create or replace function pgq.sqltriga()
returns trigger
language pljvm
as 'org.pgqjava.pgq.Triggers.sqltriga';
