package org.pgqjava.pgq;

import org.pgqjava.pljvm.Pg;
import org.pgqjava.pljvm.Row;
import org.pgqjava.pljvm.Spi;
import org.pgqjava.pljvm.TextBlock;
import org.pgqjava.pljvm.TriggerColumns;
import org.pgqjava.pljvm.TriggerData;
import org.pgqjava.pljvm.TriggerEvent;
import org.pgqjava.pljvm.TriggerRow;
import org.pgqjava.pljvm.TriggerTiming;

/**
 * PgQ's table triggers: pgq.logutriga, pgq.sqltriga, pgq.jsontriga. Each row change (or
 * TRUNCATE) of the table becomes one event in the queue named by the trigger's first argument,
 * in the changing transaction, through {@code pgq.insert_event(text, text, text, text, text,
 * text, text)} called by name as PgQ's triggers do (users replace that function to capture or
 * redirect trigger output), so the event takes insert_event's path: table choice, txid,
 * per-transaction limit, disable_insert. The behaviour, argument by argument and byte by byte,
 * is PgQ 3.5's C triggers'; docs/triggers.md has the layouts and the few deliberate differences.
 */
public final class Triggers {
    private static final int URLENC = 0;
    private static final int SQL = 1;
    private static final int JSON = 2;


    private static final int BOOLOID = 16;
    private static final int INT8OID = 20;
    private static final int INT2OID = 21;
    private static final int INT4OID = 23;
    private static final int DATEOID = 1082;
    private static final int TIMESTAMPOID = 1114;
    private static final int TIMESTAMPTZOID = 1184;

    private Triggers() {
    }

    /**
     * pgq.logutriga(queue_name, [options...])
     *
     * <p>Url-encoded row events: ev_type {@code I:pk1,pk2}, {@code U:..}, {@code D:..} or
     * {@code R} (TRUNCATE), ev_data {@code col=value&col2=value2} (the new row; DELETE: the old
     * one), ev_extra1 {@code schema.table}, ev_extra2 the old row with {@code backup}.
     */
    public static TriggerRow logutriga(TriggerData td) {
        return fire(td, URLENC);
    }

    /**
     * pgq.sqltriga(queue_name, [options...])
     *
     * <p>SQL-fragment row events: ev_type {@code I}, {@code U}, {@code D} or {@code R}, ev_data
     * {@code (cols) values (literals)}, {@code col='new',.. where pk='old' and ..} or
     * {@code pk='old' and ..}, ev_extra1 {@code schema.table}.
     */
    public static TriggerRow sqltriga(TriggerData td) {
        return fire(td, SQL);
    }

    /**
     * pgq.jsontriga(queue_name, [options...])
     *
     * <p>JSON row events: ev_type {@code {"op":"INSERT","table":["schema","table"],"pkey":["id"]}},
     * ev_data the row as a JSON object (bool, int2/4/8 as JSON values, dates and times in ISO
     * 8601, the rest as strings of their text), ev_extra1 {@code schema.table}, ev_extra2 the old
     * row as JSON with {@code backup}.
     */
    public static TriggerRow jsontriga(TriggerData td) {
        return fire(td, JSON);
    }

    private static TriggerRow fire(TriggerData td, int format) {
        TriggerEvent op = td.event();
        if (Pg.sessionReplicationRole().equals("local")) {
            return passed(td, false);
        }
        boolean truncate = op == TriggerEvent.TRUNCATE;
        if (truncate) {
            if (td.forEachRow()) {
                throw Pgq.internalError("pgq tRuncate trigger must be fired FOR EACH STATEMENT");
            }
        } else if (!td.forEachRow()) {
            throw Pgq.internalError("pgq Ins/Upd/Del trigger must be fired FOR EACH ROW");
        }
        if (td.argumentCount() < 1) {
            throw Pgq.internalError("pgq trigger must have destination queue as argument");
        }
        TriggerSetup s = TriggerSetup.of(td, truncate);
        if ((op == TriggerEvent.UPDATE || op == TriggerEvent.DELETE) && s.pkeyList.isEmpty()) {
            throw Pgq.internalError("Update/Delete on table without pkey");
        }
        if (s.skip && td.timing() == TriggerTiming.AFTER) {
            throw Pgq.internalError("SKIP does not work in AFTER trigger.");
        }
        if (s.deny) {
            throw Pgq.internalError("Table '" + s.tableName + "' to queue '" + s.queue + "': change not allowed ("
                    + op + ")");
        }

        String[] fields = new String[TriggerSetup.EV_FIELDS];
        fields[TriggerSetup.EV_EXTRA1] = s.tableName;
        // the row of the data: the new one, the old one for DELETE
        TriggerRow row = op == TriggerEvent.DELETE ? td.oldRow() : td.newRow();
        TextBlock texts = null;   // the data row's texts (json's dates for jsontriga)
        if (format == SQL) {
            fields[TriggerSetup.EV_TYPE] = opLetter(op);
            texts = row == null ? null : row.textBlock();
            String data = sqlData(td, s, texts);
            if (data == null) {
                return passed(td, s.skip);
            }
            fields[TriggerSetup.EV_DATA] = data;
        } else {
            if (format == URLENC) {
                fields[TriggerSetup.EV_TYPE] = truncate ? "R" : opLetter(op) + ":" + s.pkeyList;
            } else {
                fields[TriggerSetup.EV_TYPE] = "{\"op\":\"" + op + "\"" + s.jsonTable + "}";
            }
            if (!interestingChange(td, s)) {
                return passed(td, s.skip);
            }
            if (truncate) {
                fields[TriggerSetup.EV_DATA] = format == URLENC ? "" : "{}";
            } else {
                texts = format == URLENC ? row.textBlock() : row.jsonTextBlock();
                fields[TriggerSetup.EV_DATA] = format == URLENC ? urlencRow(s, texts)
                        : jsonRow(td.columns(), s, texts);
            }
        }
        if (s.backup && op == TriggerEvent.UPDATE) {
            fields[TriggerSetup.EV_EXTRA2] = format == JSON ? jsonRow(td.columns(), s, td.oldRow().jsonTextBlock())
                    : urlencRow(s, td.oldRow().textBlock());
        }
        if (!truncate && (s.hasMagic || s.hasExpressions)) {
            // plain texts: json's dates are not what the magic columns and expressions see
            String[] plain = format == JSON ? row.getTexts() : texts.toArray();
            if (s.hasMagic) {
                magicColumns(td.columns(), s, plain, fields);
            }
            if (s.hasExpressions && !expressions(s, plain, fields)) {
                return passed(td, s.skip);
            }
        }
        insertEvent(s.queue, fields);
        return passed(td, s.skip);
    }

    /** pgq.insert_event(7) as SQL would call it (Insert.insertEventAsSql). */
    private static void insertEvent(String queue, String[] f) {
        Insert.insertEventAsSql(queue, f[TriggerSetup.EV_TYPE], f[TriggerSetup.EV_DATA], f[TriggerSetup.EV_EXTRA1],
                f[TriggerSetup.EV_EXTRA2], f[TriggerSetup.EV_EXTRA3], f[TriggerSetup.EV_EXTRA4]);
    }

    /** The row for PostgreSQL: none after the fact or with SKIP, else the row as it came. */
    private static TriggerRow passed(TriggerData td, boolean skip) {
        if (skip || td.timing() == TriggerTiming.AFTER) {
            return null;
        }
        return td.event() == TriggerEvent.DELETE ? td.oldRow() : td.newRow();
    }

    private static String opLetter(TriggerEvent op) {
        switch (op) {
            case INSERT:
                return "I";
            case UPDATE:
                return "U";
            case DELETE:
                return "D";
            default:
                return "R";
        }
    }

    /**
     * Whether an UPDATE is worth an event (logutriga, jsontriga): not if it changed ignored
     * columns only. A change of a key column is an error, found in column order until the first
     * changed column that counts, as PgQ does. Without ignore= only the key is compared.
     */
    private static boolean interestingChange(TriggerData td, TriggerSetup s) {
        if (td.event() != TriggerEvent.UPDATE) {
            return true;
        }
        int ignored = 0;
        // with ignore= every column may count: all in one step; else only the key's, one by one
        boolean[] all = s.hasIgnoreList ? td.valueChanges() : null;
        for (int i = 0; i < s.pk.length; i++) {
            if (!s.pk[i] && !s.hasIgnoreList) {
                continue;
            }
            if (!(all != null ? all[i] : td.valueChanged(i))) {
                continue;
            }
            if (s.pk[i]) {
                throw Pgq.internalError("primary key update not allowed");
            }
            if (s.skipped[i]) {
                ignored++;
                continue;
            }
            return true;
        }
        return ignored == 0;
    }

    /** {@code col=value&col2=value2}: a NULL as the bare name; left-out columns skipped. */
    private static String urlencRow(TriggerSetup s, TextBlock t) {
        String all = t.all();
        int n = t.size();
        StringBuilder out = new StringBuilder(all.length() + 16 * n);
        boolean first = true;
        for (int i = 0; i < n; i++) {
            if (s.skipped[i]) {
                continue;
            }
            if (!first) {
                out.append('&');
            }
            first = false;
            out.append(s.urlNames[i]);
            if (!t.isNull(i)) {
                out.append('=');
                TriggerText.urlencode(out, all, t.start(i), t.end(i));
            }
        }
        return out.toString();
    }

    /** The row as a JSON object; texts from jsonTextBlock. */
    private static String jsonRow(TriggerColumns cols, TriggerSetup s, TextBlock t) {
        String all = t.all();
        int n = t.size();
        StringBuilder out = new StringBuilder(all.length() + 16 * n + 2).append('{');
        boolean first = true;
        for (int i = 0; i < n; i++) {
            if (s.skipped[i]) {
                continue;
            }
            if (!first) {
                out.append(',');
            }
            first = false;
            out.append(s.jsonNames[i]);
            if (t.isNull(i)) {
                out.append("null");
                continue;
            }
            int from = t.start(i);
            int to = t.end(i);
            switch (cols.typeOid(i)) {
                case BOOLOID:
                    out.append(all.charAt(from) == 't' ? "true" : "false");
                    break;
                case INT2OID:
                case INT4OID:
                case INT8OID:
                    out.append(all, from, to);
                    break;
                case DATEOID:
                case TIMESTAMPOID:
                case TIMESTAMPTZOID:
                    out.append('"').append(all, from, to).append('"');
                    break;
                default:
                    TriggerText.jsonString(out, all, from, to);
            }
        }
        return out.append('}').toString();
    }

    /**
     * sqltriga's data; null when an UPDATE changed ignored columns only (no event).
     * INSERT {@code (a,b) values ('1',null)}; UPDATE {@code b='2',c=NULL where a='1'} (the
     * changed columns, or the first key column set to itself when nothing changed); DELETE
     * {@code a='1' and b='x'}; TRUNCATE empty.
     */
    private static String sqlData(TriggerData td, TriggerSetup s, TextBlock texts) {
        int n = td.columns().size();
        StringBuilder out = new StringBuilder(texts == null ? 16 : texts.all().length() + 24 * n);
        switch (td.event()) {
            case INSERT: {
                out.append('(');
                boolean first = true;
                for (int i = 0; i < n; i++) {
                    if (!s.skipped[i]) {
                        if (!first) {
                            out.append(',');
                        }
                        first = false;
                        out.append(s.sqlNames[i]);
                    }
                }
                out.append(") values (");
                first = true;
                String all = texts.all();
                for (int i = 0; i < n; i++) {
                    if (!s.skipped[i]) {
                        if (!first) {
                            out.append(',');
                        }
                        first = false;
                        if (texts.isNull(i)) {
                            out.append("null");
                        } else {
                            TriggerText.quoteLiteral(out, all, texts.start(i), texts.end(i));
                        }
                    }
                }
                return out.append(')').toString();
            }
            case UPDATE: {
                TextBlock old = td.oldRow().textBlock();
                boolean[] changed = td.valueChanges();
                boolean any = false;
                int ignored = 0;
                String all = texts.all();
                for (int i = 0; i < n; i++) {
                    if (!changed[i]) {
                        continue;
                    }
                    if (s.pk[i]) {
                        throw Pgq.internalError("primary key update not allowed");
                    }
                    if (s.skipped[i]) {
                        ignored++;
                        continue;
                    }
                    if (any) {
                        out.append(',');
                    }
                    any = true;
                    out.append(s.sqlNames[i]).append('=');
                    if (texts.isNull(i)) {
                        out.append("NULL");
                    } else {
                        TriggerText.quoteLiteral(out, all, texts.start(i), texts.end(i));
                    }
                }
                if (!any) {
                    if (ignored > 0) {
                        return null;
                    }
                    int k = 0;
                    while (k < n && !s.pk[k]) {
                        k++;
                    }
                    if (k == n) {
                        // PgQ: the key column it looks for is not there, so its value is "NULL"
                        throw Pgq.internalError("logtriga: Unexpected NULL key value");
                    }
                    keyEquals(out, s.sqlNames[k], old, k);
                }
                out.append(" where ");
                keyCondition(out, s, old);
                return out.toString();
            }
            case DELETE:
                keyCondition(out, s, texts);
                return out.toString();
            default:
                return "";
        }
    }

    /** {@code pk1='v1' and pk2='v2'}: the key columns in column order. */
    private static void keyCondition(StringBuilder out, TriggerSetup s, TextBlock t) {
        boolean first = true;
        for (int i = 0; i < t.size(); i++) {
            if (s.pk[i]) {
                if (!first) {
                    out.append(" and ");
                }
                first = false;
                keyEquals(out, s.sqlNames[i], t, i);
            }
        }
    }

    /** {@code column='value'} of column i; column already quoted. */
    private static void keyEquals(StringBuilder out, String column, TextBlock t, int i) {
        if (t.isNull(i)) {
            throw Pgq.internalError("logtriga: Unexpected NULL key value");
        }
        out.append(column).append('=');
        TriggerText.quoteLiteral(out, t.all(), t.start(i), t.end(i));
    }

    /** The deprecated _pgq_ev_* columns set their fields (NULL included), in column order. */
    private static void magicColumns(TriggerColumns cols, TriggerSetup s, String[] texts, String[] fields) {
        for (int i = 0; i < texts.length; i++) {
            int f = s.magic[i];
            if (f == TriggerSetup.MAGIC_UNKNOWN) {
                throw Pgq.internalError("Unknown magic column: " + cols.name(i));
            }
            if (f != TriggerSetup.NOT_MAGIC) {
                fields[f] = texts[i];
            }
        }
    }

    /**
     * The {@code ev_*=} and {@code when=} expressions over the row, in field order; false when
     * when= says no event.
     */
    private static boolean expressions(TriggerSetup s, String[] texts, String[] fields) {
        String record = null;
        boolean wanted = true;
        for (int f = 0; f < TriggerSetup.EV_FIELDS; f++) {
            if (s.blank[f]) {
                if (f == TriggerSetup.EV_WHEN) {
                    throw Pgq.internalError("when= query result must be boolean, got=0");
                }
                fields[f] = null;
                continue;
            }
            if (s.expressions[f] == null) {
                continue;
            }
            if (record == null) {
                record = TriggerText.recordText(texts);
            }
            Row r = s.expressions[f].execute(record).one();
            boolean isNull = r.getBoolean(1);
            if (f == TriggerSetup.EV_WHEN) {
                long type = r.getLong(0);
                if (type != BOOLOID) {
                    throw Pgq.internalError("when= query result must be boolean, got=" + type);
                }
                if (isNull) {
                    throw Pgq.internalError("when= should not be NULL");
                }
                if (r.getString(2).equals("f")) {
                    wanted = false;
                }
            } else {
                fields[f] = isNull ? null : r.getString(2);
            }
        }
        return wanted;
    }
}
