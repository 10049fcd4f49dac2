package org.pgqjava.pgq;

import java.util.ArrayList;
import java.util.List;

import org.pgqjava.pljvm.Row;
import org.pgqjava.pljvm.Spi;

/** What a maintenance daemon runs: pgq.maint_operations and pgq.maint_tables_to_vacuum. */
public final class Maint {
    /** Tables of PgQ and its add-ons that need frequent vacuuming when autovacuum is off. */
    private static final String[][] VACUUM = {
        {"pgq", "subscription"}, {"pgq", "consumer"}, {"pgq", "queue"}, {"pgq", "tick"}, {"pgq", "retry_queue"},
        {"pgq_ext", "completed_tick"}, {"pgq_ext", "completed_batch"}, {"pgq_ext", "completed_event"},
        {"pgq_ext", "partial_batch"}, {"pgq_node", "local_state"}, {"londiste", "seq_info"}, {"txid", "epoch"},
        {"londiste", "completed"},
    };

    private Maint() {
    }

    /**
     * pgq.maint_tables_to_vacuum()
     *
     * <p>Returns: nothing when autovacuum is on; else those of the tables above that exist, as
     * schema.table.
     */
    public static List<String> tablesToVacuum() {
        List<String> tables = new ArrayList<>();
        if ("on".equals(Spi.execute("select pg_catalog.current_setting('autovacuum') as autovacuum").one()
                .getString("autovacuum"))) {
            return tables;
        }
        for (String[] t : VACUUM) {
            if (Spi.execute("select 1 from pg_catalog.pg_class c join pg_catalog.pg_namespace n"
                    + " on n.oid = c.relnamespace where n.nspname = $1 and c.relname = $2", t[0], t[1]).one() != null) {
                tables.add(t[0] + "." + t[1]);
            }
        }
        return tables;
    }

    /**
     * pgq.maint_operations()
     *
     * <p>Returns: (func_name, func_arg) in the order a maintenance daemon runs them: rotation
     * step1 per queue due, step2 if a rotation is under way, each queue's queue_extra_maint
     * functions, vacuum per table of maint_tables_to_vacuum, then pgq_node / londiste hooks when
     * installed. Each function takes 0 or 1 argument and returns non-zero to be called again.
     */
    public static List<Object[]> operations() {
        List<Object[]> ops = new ArrayList<>();
        for (Row r : Spi.execute("select queue_name from pgq.queue where queue_rotation_period is not null"
                + " and queue_switch_step2 is not null"
                + " and queue_switch_time + queue_rotation_period < pg_catalog.now() order by queue_name")) {
            ops.add(new Object[] {"pgq.maint_rotate_tables_step1", r.getString("queue_name")});
        }
        if (!ops.isEmpty() || Spi.execute("select 1 from pgq.queue where queue_rotation_period is not null"
                + " and queue_switch_step2 is null limit 1").one() != null) {
            ops.add(new Object[] {"pgq.maint_rotate_tables_step2", null});
        }
        for (Row r : Spi.execute("select q.queue_name, u.func_name from pgq.queue q,"
                + " pg_catalog.unnest(q.queue_extra_maint) with ordinality as u(func_name, n)"
                + " where q.queue_extra_maint is not null order by q.queue_name, u.n")) {
            ops.add(new Object[] {r.getString("func_name"), r.getString("queue_name")});
        }
        for (String t : tablesToVacuum()) {
            ops.add(new Object[] {"vacuum", t});
        }
        if (functionExists("pgq_node", "maint_watermark")) {
            for (Row r : Spi.executeOnce("select n.queue_name from pgq_node.node_info n where n.node_type = 'root'")) {
                ops.add(new Object[] {"pgq_node.maint_watermark", r.getString("queue_name")});
            }
        }
        if (functionExists("londiste", "root_check_seqs")) {
            for (Row r : Spi.executeOnce("select distinct s.queue_name from londiste.seq_info s, pgq_node.node_info n"
                    + " where s.local and n.node_type = 'root' and n.queue_name = s.queue_name")) {
                ops.add(new Object[] {"londiste.root_check_seqs", r.getString("queue_name")});
            }
        }
        if (functionExists("londiste", "periodic_maintenance")) {
            ops.add(new Object[] {"londiste.periodic_maintenance", null});
        }
        return ops;
    }

    private static boolean functionExists(String schema, String name) {
        return Spi.execute("select 1 from pg_catalog.pg_proc p join pg_catalog.pg_namespace n"
                + " on n.oid = p.pronamespace where n.nspname = $1 and p.proname = $2 limit 1", schema, name)
                .one() != null;
    }
}
