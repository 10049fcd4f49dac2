package org.pgqjava.pgq;

import java.util.Map;

import org.pgqjava.pljvm.PgException;
import org.pgqjava.pljvm.Row;
import org.pgqjava.pljvm.Spi;

/** Queue administration: pgq.create_queue, pgq.drop_queue, pgq.set_queue_config. */
public final class Queues {
    /** Parameters set_queue_config may change (without the queue_ prefix), with their SQL type. */
    private static final Map<String, String> CONFIG = Map.of(
            "ticker_max_count", "int4",
            "ticker_max_lag", "interval",
            "ticker_idle_period", "interval",
            "ticker_paused", "bool",
            "rotation_period", "interval",
            "external_ticker", "bool");

    /** pgq-java's own settings (Push), kept in pgq_java.queue_config, not in pgq.queue. */
    private static final Map<String, String> PUSH_CONFIG = Map.of(
            "push", "bool",
            "push_min_interval", "interval");

    /**
     * pgq-java's stuck consumer thresholds (pgqadm reads them), in pgq_java.queue_config too:
     * NULL, 'off' or 0 turn one off.
     */
    private static final java.util.Set<String> STUCK_CONFIG = java.util.Set.of("stuck_consumer_warn", "stuck_consumer_detach");

    private Queues() {
    }

    /**
     * Sets a push setting of the queue in pgq_java.queue_config (a row per queue, made at its
     * first setting), then touches that table's storage options: the relcache invalidation this
     * sends at commit makes every backend's producers read the queue again at their next
     * transaction (Producer.known), so they see the new setting. SHARE UPDATE EXCLUSIVE, the
     * lock that takes, does not wait for producers that read the table.
     */
    private static void setPushConfig(String queueName, String param, String type, String value) {
        checkValue(param, type, value);
        Spi.execute("insert into pgq_java.queue_config as c (queue_id, " + param + ")"
                + " select queue_id, cast($1 as " + type + ") from pgq.queue where queue_name = $2"
                + " on conflict (queue_id) do update set " + param + " = excluded." + param, value, queueName);
        Spi.execute("alter table pgq_java.queue_config set (fillfactor = 100)");
        Producer.forget();
    }

    /** Sets max_retries (dead letters), or clears it with NULL or 'off'. */
    private static void setMaxRetries(String queueName, String value) {
        String v = value == null || value.strip().equalsIgnoreCase("off") ? null : value.strip();
        if (v != null) {
            checkValue("max_retries", "int4", v);
        }
        Spi.execute("insert into pgq_java.queue_config as c (queue_id, max_retries)"
                + " select queue_id, cast($1 as int4) from pgq.queue where queue_name = $2"
                + " on conflict (queue_id) do update set max_retries = excluded.max_retries", v, queueName);
    }

    /** Sets or (NULL, 'off', 0) clears a stuck consumer threshold; producers never read it. */
    private static void setStuckConfig(String queueName, String param, String value) {
        String v = value == null ? null : value.strip();
        if (v != null && (v.equalsIgnoreCase("off") || Boolean.TRUE.equals(Spi.execute(
                "select cast($1 as interval) = interval '0' as zero", v).one().getBoolean("zero")))) {
            v = null;
        }
        if (v != null) {
            checkValue(param, "interval", v);
        }
        Spi.execute("insert into pgq_java.queue_config as c (queue_id, " + param + ")"
                + " select queue_id, cast($1 as interval) from pgq.queue where queue_name = $2"
                + " on conflict (queue_id) do update set " + param + " = excluded." + param, v, queueName);
    }

    /**
     * pgq.create_queue(i_queue_name)
     *
     * <p>Creates the queue row, its two sequences, the parent event table and the child tables
     * with the ev_id default and the txid index, grants, the first tick and storage settings.
     * Returns: 1 if created, 0 if the queue exists. Calls: pgq.grant_perms, pgq.ticker,
     * pgq.tune_storage. Tables directly manipulated: insert into pgq.queue.
     */
    public static int createQueue(String queueName) {
        if (queueName == null) {
            throw Pgq.error("Invalid NULL value");
        }
        if (Spi.execute("select 1 from pgq.queue where queue_name = $1", queueName).one() != null) {
            return 0;
        }
        long id = Spi.execute("select pg_catalog.nextval('pgq.queue_queue_id_seq') as queue_id").one().getLong("queue_id");
        String prefix = "pgq.event_" + id;
        String tickSeq = prefix + "_tick_seq";
        String eventSeq = prefix + "_id_seq";
        int ntables = Spi.execute("insert into pgq.queue (queue_id, queue_name, queue_data_pfx, queue_event_seq,"
                + " queue_tick_seq) values ($1, $2, $3, $4, $5) returning queue_ntables",
                (int) id, queueName, prefix, eventSeq, tickSeq).one().getInt("queue_ntables");
        String parent = Pgq.quoteFqname(prefix);
        Spi.executeOnce("create sequence " + Pgq.quoteFqname(tickSeq));
        Spi.executeOnce("create sequence " + Pgq.quoteFqname(eventSeq));
        Spi.executeOnce("create table " + parent + " () inherits (pgq.event_template)");
        for (int i = 0; i < ntables; i++) {
            String child = Pgq.quoteFqname(prefix + "_" + i);
            Spi.executeOnce("create table " + child + " () inherits (" + parent + ")");
            Spi.executeOnce("alter table " + child + " alter column ev_id set default pg_catalog.nextval('"
                    + eventSeq + "')");
            Spi.executeOnce("create index " + Pgq.quoteIdent("event_" + id + "_" + i + "_txid_idx")
                    + " on " + child + " (ev_txid)");
        }
        Spi.execute("select pgq.grant_perms($1)", queueName);
        Ticker.tick(queueName);
        Spi.execute("select pgq.tune_storage($1)", queueName);
        return 1;
    }

    /**
     * pgq.drop_queue(x_queue_name, x_force)
     *
     * <p>Drops the queue's tables, ticks and sequences. Without force, refuses while consumers
     * are subscribed; with force, unregisters them (and their retry events) first.
     * Returns: 1. Errors: "No such event queue", "cannot drop queue, consumers still attached".
     * Calls: pgq.unregister_consumer. Tables directly manipulated: pgq.queue, pgq.tick.
     */
    public static int dropQueue(String queueName, Boolean force) {
        Row q = Spi.execute("select queue_id, queue_ntables, queue_data_pfx, queue_tick_seq, queue_event_seq"
                + " from pgq.queue where queue_name = $1 for update", queueName).one();
        if (q == null) {
            throw Pgq.error("No such event queue");
        }
        int queueId = q.getInt("queue_id");
        if (Boolean.TRUE.equals(force)) {
            for (Row c : Spi.execute("select c.co_name from pgq.subscription s join pgq.consumer c"
                    + " on c.co_id = s.sub_consumer where s.sub_queue = $1 order by c.co_name", queueId)) {
                Consumers.unregisterConsumer(queueName, c.getString("co_name"));
            }
        } else if (Spi.execute("select 1 from pgq.subscription where sub_queue = $1 limit 1", queueId).one() != null) {
            throw Pgq.error("cannot drop queue, consumers still attached");
        }
        String prefix = q.getString("queue_data_pfx");
        for (int i = 0; i < q.getInt("queue_ntables"); i++) {
            Spi.executeOnce("drop table " + Pgq.quoteFqname(prefix + "_" + i));
        }
        Spi.executeOnce("drop table " + Pgq.quoteFqname(prefix));
        Spi.execute("delete from pgq.tick where tick_queue = $1", queueId);
        Spi.executeOnce("drop sequence " + Pgq.quoteFqname(q.getString("queue_tick_seq")));
        Spi.executeOnce("drop sequence " + Pgq.quoteFqname(q.getString("queue_event_seq")));
        Spi.execute("delete from pgq.queue where queue_id = $1", queueId);
        Producer.forget();
        return 1;
    }

    /**
     * pgq.set_queue_config(x_queue_name, x_param_name, x_param_value)
     *
     * <p>Sets one of ticker_max_count, ticker_max_lag, ticker_idle_period, ticker_paused,
     * rotation_period, external_ticker (named without the queue_ prefix), or pgq-java's push and
     * push_min_interval (docs/push.md), stuck_consumer_warn and stuck_consumer_detach
     * (launcher/README.md; NULL, 'off' or 0: off), max_retries (dead letters, docs/pgq.md; NULL
     * or 'off': no limit). Returns: 1.
     * Errors: "Invalid NULL value", "No such event queue", {@code cannot change parameter "<p>s"}
     * (PgQ's text, stray s included); a value that is not of the column's type or is negative
     * fails with 22023 and changes nothing.
     */
    public static int setQueueConfig(String queueName, String param, String value) {
        if (queueName == null || param == null) {
            throw Pgq.error("Invalid NULL value");
        }
        if (Spi.execute("select 1 from pgq.queue where queue_name = $1", queueName).one() == null) {
            throw Pgq.error("No such event queue");
        }
        String type = CONFIG.get(param);
        if (type == null && STUCK_CONFIG.contains(param)) {
            setStuckConfig(queueName, param, value);
            return 1;
        }
        if (type == null && param.equals("max_retries")) {
            setMaxRetries(queueName, value);
            return 1;
        }
        if (type == null && PUSH_CONFIG.containsKey(param)) {
            if (value == null) {
                throw new PgException("22004", "invalid value for queue parameter \"" + param + "\": NULL", null,
                        "push takes on or off, push_min_interval an interval such as '10 ms'.");
            }
            setPushConfig(queueName, param, PUSH_CONFIG.get(param), value);
            return 1;
        }
        if (type == null) {
            throw Pgq.error("cannot change parameter \"" + param + "s\"");
        }
        if (value == null) {
            // PgQ builds the statement by concatenation, which NULL turns into a NULL query
            throw new PgException("22004", "query string argument of EXECUTE is null");
        }
        checkValue(param, type, value);
        Spi.execute("update pgq.queue set queue_" + param + " = cast($1 as " + type + ") where queue_name = $2",
                value, queueName);
        Producer.forget();
        return 1;
    }

    /** Refuses values PgQ would store but that make no sense (negative counts and periods). */
    private static void checkValue(String param, String type, String value) {
        String sql;
        if (type.equals("int4")) {
            sql = "select cast($1 as int4) >= 0 as ok";
        } else if (type.equals("interval")) {
            sql = "select cast($1 as interval) >= interval '0' as ok";
        } else {
            sql = "select cast($1 as bool) is not null as ok";
        }
        Boolean ok = Spi.execute(sql, value).one().getBoolean("ok");
        if (!Boolean.TRUE.equals(ok)) {
            throw new PgException("22023", "invalid value for queue parameter \"" + param + "\": \"" + value + "\"",
                    "The value must not be negative.", "Use a value of 0 or more, e.g. '3 seconds' or 500.");
        }
    }
}
