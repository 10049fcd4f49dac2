-- ----------------------------------------------------------------------
-- Function: pgq._grant_perms_from(4)
--
--      Copies the table privileges of one table to another: each
--      privilege granted on the source (to a role or to public) is
--      granted on the destination too, with grant option where the
--      grantee may grant it on the source (the owner always may).  Privileges of the destination are only added,
--      never revoked.  A source without explicit grants counts as
--      having its owner's default privileges.
--
-- Parameters:
--      src_schema      - schema of the table to copy from
--      src_table       - table to copy from
--      dst_schema      - schema of the table to copy to
--      dst_table       - table to copy to
--
-- Returns:
--      1 (also when the source table does not exist: nothing to copy)
-- Calls:
--      None
-- Tables directly manipulated:
--      grant: dst_schema.dst_table
-- ----------------------------------------------------------------------
create or replace function pgq._grant_perms_from(src_schema text, src_table text,
                                                 dst_schema text, dst_table text)
returns integer
language plpgsql strict
as $$
declare
    g       record;
begin
    for g in
        -- as information_schema.table_privileges sees them: the owner (and
        -- members of the owning role) hold every privilege with grant option
        select a.privilege_type, a.grantee,
               a.is_grantable
               or (a.grantee <> 0 and pg_catalog.pg_has_role(a.grantee, c.relowner, 'USAGE'))
                  as is_grantable
          from pg_catalog.pg_class c
          join pg_catalog.pg_namespace n on n.oid = c.relnamespace
         cross join lateral pg_catalog.aclexplode(
                   coalesce(c.relacl, pg_catalog.acldefault('r', c.relowner))) a
         where n.nspname = src_schema
           and c.relname = src_table
         order by a.grantee, a.privilege_type
    loop
        execute pg_catalog.format('grant %s on table %I.%I to %s%s',
                    g.privilege_type, dst_schema, dst_table,
                    case when g.grantee = 0 then 'public'
                         else pg_catalog.quote_ident(pg_catalog.pg_get_userbyid(g.grantee)) end,
                    case when g.is_grantable then ' with grant option' else '' end);
    end loop;
    return 1;
end;
$$;
