-- ----------------------------------------------------------------------
-- Schema: pgq
--
--      Holds every PgQ object: the metadata tables, the event tables
--      created per queue, the sequences and the functions.  Usage on
--      the schema is granted to public in grants/pgq.grants.sql; what
--      each role may do is decided by the table and function grants.
-- ----------------------------------------------------------------------
create schema pgq;
