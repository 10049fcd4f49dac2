package org.pgqjava.launcher;

import java.io.PrintStream;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.pgqjava.liquibase.PgqInstaller;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one-shot commands: install, create, drop, register, unregister, config. Each runs in the
 * database of {@code db}, logs what it does as pgqadm does (after the database name), and
 * commits (the connection is in autocommit). A server error propagates as SQLException.
 */
final class Admin {

    private static final Logger log = LoggerFactory.getLogger(Admin.class);

    /** Queue settings {@code config} shows and changes, in pgqadm's order, with their SQL types. */
    static final Map<String, String> CONFIG_KEYS = new LinkedHashMap<>();

    static {
        CONFIG_KEYS.put("queue_ticker_max_lag", "interval");
        CONFIG_KEYS.put("queue_ticker_max_count", "int4");
        CONFIG_KEYS.put("queue_ticker_idle_period", "interval");
        CONFIG_KEYS.put("queue_rotation_period", "interval");
    }

    /** pgq-java's own queue settings (push delivery, stuck consumers, dead letters), set through pgq.set_queue_config. */
    static final List<String> PUSH_KEYS = List.of("push", "push_min_interval", "stuck_consumer_warn", "stuck_consumer_detach",
            "max_retries");

    /** A user mistake in the command's arguments (no such queue, unknown key). */
    static final class UsageException extends Exception {
        private static final long serialVersionUID = 1L;

        UsageException(String message) {
            super(message);
        }
    }

    private final Connection c;
    private final String db;

    Admin(Connection c, String db) {
        this.c = c;
        this.db = db;
    }

    void install() throws SQLException {
        log.info("{}: Installing pgq-java", db);
        PgqInstaller.install(c);
        log.info("{}: pgq-java installed, pgq.version() = {}", db, Sql.queryString(c, "select pgq.version()"));
    }

    void create(String queue) throws SQLException {
        log.info("{}: Creating queue: {}", db, queue);
        if (call("select pgq.create_queue(?)", queue) == 0) {
            log.info("{}: queue {} exists already", db, queue);
        }
    }

    void drop(String queue) throws SQLException {
        log.info("{}: Dropping queue: {}", db, queue);
        call("select pgq.drop_queue(?)", queue);
    }

    void register(String queue, String consumer) throws SQLException {
        log.info("{}: Registering consumer {} on queue {}", db, consumer, queue);
        if (call("select pgq.register_consumer(?, ?)", queue, consumer) == 0) {
            log.info("{}: consumer {} was registered on queue {} already", db, consumer, queue);
        }
    }

    void unregister(String queue, String consumer) throws SQLException {
        log.info("{}: Unregistering consumer {} from queue {}", db, consumer, queue);
        if (call("select pgq.unregister_consumer(?, ?)", queue, consumer) == 0) {
            log.info("{}: consumer {} was not registered on queue {}", db, consumer, queue);
        }
    }

    /**
     * {@code config [queue [key=value ...]]}: shows all queues' settings, or one queue's, or
     * changes them (keys with or without the {@code queue_} prefix) in one UPDATE.
     */
    void config(List<String> args, PrintStream out) throws SQLException, UsageException {
        if (args.size() <= 1) {
            String queue = args.isEmpty() ? null : args.get(0);
            if (!showConfig(queue, out) && queue != null) {
                throw new UsageException("no such queue: " + queue);
            }
            return;
        }
        String queue = args.get(0);
        Map<String, String> set = new LinkedHashMap<>();
        Map<String, String> push = new LinkedHashMap<>();
        for (String kv : args.subList(1, args.size())) {
            int eq = kv.indexOf('=');
            if (eq <= 0) {
                throw new UsageException("not key=value: " + kv);
            }
            String k = kv.substring(0, eq).strip();
            if (PUSH_KEYS.contains(k)) {
                push.put(k, kv.substring(eq + 1).strip());
                continue;
            }
            String key = CONFIG_KEYS.containsKey(k) ? k : "queue_" + k;
            if (!CONFIG_KEYS.containsKey(key)) {
                throw new UsageException("unknown config var: " + k);
            }
            set.put(key, kv.substring(eq + 1).strip());
        }
        if (!push.isEmpty() && !hasPushTable()) {
            throw new UsageException("push settings need pgq-java (pgq_java.queue_config); this database has another PgQ");
        }
        List<String> shown = new ArrayList<>();
        for (Map.Entry<String, String> e : push.entrySet()) {
            shown.add(e.getKey() + "=" + Sql.quoteLiteral(e.getValue()));
        }
        if (set.isEmpty()) {
            log.info("{}: Change queue {} config to: {}", db, queue, String.join(", ", shown));
            setPush(queue, push);
            return;
        }
        StringBuilder sql = new StringBuilder("update pgq.queue set ");
        for (Map.Entry<String, String> e : set.entrySet()) {
            shown.add(e.getKey() + "=" + Sql.quoteLiteral(e.getValue()));
            sql.append(shown.size() > 1 ? ", " : "").append(e.getKey()).append(" = cast(? as ")
                    .append(CONFIG_KEYS.get(e.getKey())).append(')');
        }
        sql.append(" where queue_name = ?");
        log.info("{}: Change queue {} config to: {}", db, queue, String.join(", ", shown));
        try (PreparedStatement ps = c.prepareStatement(sql.toString())) {
            int i = 1;
            for (String v : set.values()) {
                ps.setString(i++, v);
            }
            ps.setString(i, queue);
            if (ps.executeUpdate() == 0) {
                throw new UsageException("no such queue: " + queue);
            }
        }
        setPush(queue, push);
    }

    /** The push settings, one pgq.set_queue_config call each (it checks the values). */
    private void setPush(String queue, Map<String, String> push) throws SQLException, UsageException {
        for (Map.Entry<String, String> e : push.entrySet()) {
            try {
                call("select pgq.set_queue_config(?, ?, ?)", queue, e.getKey(), e.getValue());
            } catch (SQLException x) {
                if (x.getMessage() != null && x.getMessage().contains("No such event queue")) {
                    throw new UsageException("no such queue: " + queue);
                }
                throw x;
            }
        }
    }

    private boolean hasPushTable() throws SQLException {
        return call("select (pg_catalog.to_regclass('pgq_java.queue_config') is not null)::int") == 1;
    }

    /** Prints the settings of {@code queue} (all queues when null); false when there is none. */
    private boolean showConfig(String queue, PrintStream out) throws SQLException {
        OwnColumns own = ownColumns(); // once, not per queue
        StringBuilder sql = new StringBuilder("select queue_name");
        for (Map.Entry<String, String> e : CONFIG_KEYS.entrySet()) {
            sql.append(", ").append("interval".equals(e.getValue()) ? "extract(epoch from " + e.getKey() + ")::text" : e.getKey() + "::text");
        }
        sql.append(" from pgq.queue").append(queue == null ? "" : " where queue_name = ?").append(" order by queue_name");
        boolean any = false;
        try (PreparedStatement ps = c.prepareStatement(sql.toString())) {
            if (queue != null) {
                ps.setString(1, queue);
            }
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    any = true;
                    out.print(configText(rs.getString(1), rowValues(rs)));
                    printOwn(rs.getString(1), own, out);
                }
            }
        }
        out.flush();
        return any;
    }

    /** Which of pgq-java's own settings this database's pgq_java.queue_config has. */
    private record OwnColumns(boolean table, boolean stuck) {
    }

    private OwnColumns ownColumns() throws SQLException {
        if (!hasPushTable()) {
            return new OwnColumns(false, false);
        }
        return new OwnColumns(true, call("select count(*)::int from pg_catalog.pg_attribute where attrelid ="
                + " pg_catalog.to_regclass('pgq_java.queue_config') and attname = 'stuck_consumer_warn'") == 1);
    }

    /** pgq-java's own settings (push, stuck consumers, max_retries) of a queue that has any set, in the same layout. */
    private void printOwn(String queue, OwnColumns own, PrintStream out) throws SQLException {
        if (!own.table()) {
            return;
        }
        boolean stuck = own.stuck();
        try (PreparedStatement ps = c.prepareStatement("select case when c.push then 'on' else 'off' end,"
                + " extract(epoch from c.push_min_interval)::text"
                + (stuck ? ", extract(epoch from c.stuck_consumer_warn)::text, extract(epoch from c.stuck_consumer_detach)::text,"
                        + " c.max_retries::text" : "")
                + " from pgq_java.queue_config c join pgq.queue q on q.queue_id = c.queue_id where q.queue_name = ?")) {
            ps.setString(1, queue);
            try (ResultSet rs = ps.executeQuery()) {
                if (rs.next()) {
                    out.print(String.format("    %s\t=%7s\n    %s\t=%7s\n", "push", rs.getString(1),
                            "push_min_interval", rs.getString(2)));
                    if (rs.getMetaData().getColumnCount() > 2) {
                        out.print(String.format("    %s\t=%7s\n    %s\t=%7s\n    %s\t=%7s\n", "stuck_consumer_warn",
                                rs.getString(3) == null ? "off" : rs.getString(3), "stuck_consumer_detach",
                                rs.getString(4) == null ? "off" : rs.getString(4), "max_retries",
                                rs.getString(5) == null ? "off" : rs.getString(5)));
                    }
                }
            }
        }
    }

    private static List<String> rowValues(ResultSet rs) throws SQLException {
        List<String> v = new ArrayList<>();
        for (int i = 0; i < CONFIG_KEYS.size(); i++) {
            v.add(rs.getString(i + 2));
        }
        return v;
    }

    /** pgqadm's layout: the queue name, then {@code "    %s\t=%7s"} per key, prefix stripped. */
    static String configText(String queue, List<String> values) {
        StringBuilder b = new StringBuilder(queue).append('\n');
        int i = 0;
        for (String key : CONFIG_KEYS.keySet()) {
            b.append(String.format("    %s\t=%7s", key.substring("queue_".length()), values.get(i++))).append('\n');
        }
        return b.toString();
    }

    private long call(String sql, String... args) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < args.length; i++) {
                ps.setString(i + 1, args[i]);
            }
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getLong(1) : 0;
            }
        }
    }

    /** {@code sql} with queue, consumer and the ids (NULL for none: all) as its parameters; its first column. */
    private long callWithIds(String sql, String queue, String consumer, Long[] ids) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, queue);
            ps.setString(2, consumer);
            if (ids.length == 0) {
                ps.setNull(3, java.sql.Types.ARRAY);
            } else {
                ps.setArray(3, c.createArrayOf("int8", ids));
            }
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getLong(1) : 0;
            }
        }
    }

    /** The event ids of a command line, as longs; null if one is not a whole number. */
    static Long[] eventIds(List<String> args) {
        Long[] ids = new Long[args.size()];
        for (int i = 0; i < ids.length; i++) {
            try {
                ids[i] = Long.parseLong(args.get(i));
            } catch (NumberFormatException e) {
                return null;
            }
        }
        return ids;
    }

    /** {@code dead-letters QUEUE [CONSUMER]}: pgq_java.dead_letters, a line per event (or JSON). */
    void deadLetters(String queue, String consumer, boolean json, PrintStream out) throws SQLException {
        List<Object> rows = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement("select consumer_name, ev_id, ev_time::text, ev_retry, ev_type,"
                + " dead_reason, dead_time::text, ev_data from pgq_java.dead_letters(?, ?)")) {
            ps.setString(1, queue);
            ps.setString(2, consumer);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    Map<String, Object> m = new LinkedHashMap<>();
                    m.put("consumer_name", rs.getString(1));
                    m.put("ev_id", rs.getLong(2));
                    m.put("ev_time", rs.getString(3));
                    m.put("ev_retry", rs.getObject(4));
                    m.put("ev_type", rs.getString(5));
                    m.put("dead_reason", rs.getString(6));
                    m.put("dead_time", rs.getString(7));
                    m.put("ev_data", rs.getString(8));
                    rows.add(m);
                }
            }
        }
        if (json) {
            out.print(Json.write(rows));
        } else {
            for (Object o : rows) {
                @SuppressWarnings("unchecked")
                Map<String, Object> m = (Map<String, Object>) o;
                out.printf("%s\t%s\tretry %s\t%s\t%s\t%s%n", m.get("consumer_name"), m.get("ev_id"), m.get("ev_retry"),
                        m.get("ev_type"), m.get("dead_time"), m.get("dead_reason"));
            }
            out.printf("%d dead letter(s) in queue %s%s%n", rows.size(), queue, consumer == null ? "" : " for " + consumer);
        }
        out.flush();
    }

    /** {@code redrive QUEUE CONSUMER [EV_ID ...]}: pgq_java.redrive_dead_letters. */
    void redrive(String queue, String consumer, Long[] ids) throws SQLException {
        long n = callWithIds("select pgq_java.redrive_dead_letters(?, ?, ?)", queue, consumer, ids);
        log.info("{}: {} dead letter(s) of {} on queue {} given back (due in the next maintenance round)", db, n, consumer, queue);
    }

    /** {@code purge-dead-letters QUEUE [CONSUMER [EV_ID ...]]}: pgq_java.purge_dead_letters. */
    void purgeDeadLetters(String queue, String consumer, Long[] ids) throws SQLException {
        long n = callWithIds("select pgq_java.purge_dead_letters(?, ?, ?)", queue, consumer, ids);
        log.info("{}: {} dead letter(s) of queue {} deleted", db, n, queue);
    }
}
