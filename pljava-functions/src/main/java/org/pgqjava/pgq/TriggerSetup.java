package org.pgqjava.pgq;

import org.pgqjava.pljvm.Plan;
import org.pgqjava.pljvm.Result;
import org.pgqjava.pljvm.Row;
import org.pgqjava.pljvm.Spi;
import org.pgqjava.pljvm.TriggerColumns;
import org.pgqjava.pljvm.TriggerData;

/**
 * What a PgQ table trigger needs to know beyond the row: its parsed arguments, the table's
 * primary key and what each column is to it. Built at the trigger's first firing and kept with
 * the trigger ({@link TriggerData#state}), which pljvm forgets when the table, its indexes or its
 * triggers change; an error while building it (a bad argument, an expression that does not
 * compile) is raised again at every firing until the trigger is fixed.
 */
final class TriggerSetup {
    /** Fields of an event, in the order PgQ's C triggers evaluate their expressions. */
    static final int EV_TYPE = 0;
    static final int EV_DATA = 1;
    static final int EV_EXTRA1 = 2;
    static final int EV_EXTRA2 = 3;
    static final int EV_EXTRA3 = 4;
    static final int EV_EXTRA4 = 5;
    static final int EV_WHEN = 6;
    static final int EV_FIELDS = 7;

    static final String MAGIC_PREFIX = "_pgq_ev_";
    /** A magic column whose name is none of PgQ's: an error when an event is built. */
    static final int MAGIC_UNKNOWN = -2;
    static final int NOT_MAGIC = -1;

    /**
     * The primary key's columns in index order, by their current names (PgQ's C triggers read
     * the index's own column names, which keep a renamed column's old name).
     */
    private static final String PKEY_SQL = "select a.attname::pg_catalog.text"
            + " from pg_catalog.pg_index i,"
            + " pg_catalog.generate_subscripts(i.indkey::pg_catalog.int2[], 1) as k(pos),"
            + " pg_catalog.pg_attribute a"
            + " where i.indrelid = $1::pg_catalog.oid and i.indisprimary"
            + " and k.pos < i.indnkeyatts"
            + " and a.attrelid = i.indrelid and a.attnum = i.indkey[k.pos]"
            + " order by k.pos";

    /** Makes every expression's SQL text unique per setup: its plan must not outlive the table's shape. */
    private static long generations;

    final boolean truncate;
    final String queue;
    /** {@code schema.table}, unquoted: ev_extra1, and the deny error's text. */
    final String tableName;
    /** The key list of ev_type: {@code pkey=} as written, or the detected key joined by commas. */
    final String pkeyList;
    /** jsontriga's ev_type after its op: {@code ,"table":[..],"pkey":[..]}. */
    final String jsonTable;
    final boolean skip;
    final boolean backup;
    final boolean deny;
    final boolean hasIgnoreList;
    /** Per column (TriggerColumns index): in the key list (a magic column never is). */
    final boolean[] pk;
    /** Per column: left out of the data (magic, or in ignore=). */
    final boolean[] skipped;
    /** Per column: the event field a magic column sets, NOT_MAGIC or MAGIC_UNKNOWN. */
    final int[] magic;
    final boolean hasMagic;
    /** Per column, its name as each encoding writes it: url-encoded; a JSON string and ':'; quote_ident. */
    final String[] urlNames;
    final String[] jsonNames;
    final String[] sqlNames;
    /** Per field: the plan of its expression, or null. */
    final Plan[] expressions = new Plan[EV_FIELDS];
    /** Per field: an expression that is empty (PgQ: the field becomes NULL; when= fails). */
    final boolean[] blank = new boolean[EV_FIELDS];
    final boolean hasExpressions;

    private TriggerSetup(TriggerData td, boolean truncate) {
        this.truncate = truncate;
        this.queue = td.argument(0);
        this.tableName = td.tableSchema() + "." + td.tableName();
        TriggerColumns cols = td.columns();
        int n = cols.size();

        // the table: its primary key
        Result keys = Spi.prepare(PKEY_SQL, "int8").execute(td.tableOid());
        StringBuilder detected = new StringBuilder();
        StringBuilder json = new StringBuilder(",\"table\":[");
        TriggerText.jsonString(json, td.tableSchema());
        json.append(',');
        TriggerText.jsonString(json, td.tableName());
        json.append("],\"pkey\":");
        StringBuilder detectedJson = new StringBuilder("[");
        for (Row r : keys) {
            if (detected.length() > 0) {
                detected.append(',');
                detectedJson.append(',');
            }
            detected.append(r.getString(0));
            TriggerText.jsonString(detectedJson, r.getString(0));
        }
        detectedJson.append(']');

        // the arguments, in order; for a field given twice the first expression counts
        boolean skipArg = false;
        boolean backupArg = false;
        boolean denyArg = false;
        String ignoreList = null;
        String pkeyArg = null;
        long generation = ++generations;   // the backend thread only
        boolean anyExpression = false;
        for (int i = 1; i < td.argumentCount(); i++) {
            String arg = td.argument(i);
            int field;
            String expr;
            if (arg.equals("SKIP")) {
                skipArg = true;
                continue;
            } else if (arg.startsWith("ignore=")) {
                ignoreList = arg.substring(7);
                continue;
            } else if (arg.startsWith("pkey=")) {
                pkeyArg = arg.substring(5);
                continue;
            } else if (arg.equals("backup")) {
                backupArg = true;
                continue;
            } else if (arg.equals("deny")) {
                denyArg = true;
                continue;
            } else if (arg.startsWith("ev_extra4=")) {
                field = EV_EXTRA4;
                expr = arg.substring(10);
            } else if (arg.startsWith("ev_extra3=")) {
                field = EV_EXTRA3;
                expr = arg.substring(10);
            } else if (arg.startsWith("ev_extra2=")) {
                field = EV_EXTRA2;
                expr = arg.substring(10);
            } else if (arg.startsWith("ev_extra1=")) {
                field = EV_EXTRA1;
                expr = arg.substring(10);
            } else if (arg.startsWith("ev_data=")) {
                field = EV_DATA;
                expr = arg.substring(8);
            } else if (arg.startsWith("ev_type=")) {
                field = EV_TYPE;
                expr = arg.substring(8);
            } else if (arg.startsWith("when=")) {
                field = EV_WHEN;
                expr = arg.substring(5);
            } else {
                throw Pgq.internalError("bad param to pgq trigger");
            }
            if (truncate) {
                throw Pgq.internalError("Custom expressions do not make sense for truncater trigger");
            }
            if (expressions[field] != null || blank[field]) {
                continue;
            }
            anyExpression = true;
            if (expr.isBlank()) {
                blank[field] = true;
            } else {
                expressions[field] = Spi.prepare(expressionSql(td, expr, generation), "text");
            }
        }
        if (truncate) {
            if (ignoreList != null) {
                throw Pgq.internalError("Column ignore does not make sense for truncate trigger");
            }
            if (pkeyArg != null) {
                throw Pgq.internalError("Custom pkey_list does not make sense for truncate trigger");
            }
            if (backupArg) {
                throw Pgq.internalError("Backup does not make sense for truncate trigger");
            }
        }
        this.skip = skipArg;
        this.backup = backupArg;
        this.deny = denyArg;
        this.hasIgnoreList = ignoreList != null;
        this.hasExpressions = anyExpression;
        this.pkeyList = pkeyArg != null ? pkeyArg : detected.toString();
        if (pkeyArg != null) {
            json.append('[');
            String[] parts = pkeyArg.split(",", -1);
            for (int i = 0; i < parts.length; i++) {
                if (i > 0) {
                    json.append(',');
                }
                TriggerText.jsonString(json, parts[i]);
            }
            json.append(']');
        } else {
            json.append(detectedJson);
        }
        this.jsonTable = json.toString();

        // the columns
        pk = new boolean[n];
        skipped = new boolean[n];
        magic = new int[n];
        urlNames = new String[n];
        jsonNames = new String[n];
        sqlNames = new String[n];
        boolean anyMagic = false;
        for (int i = 0; i < n; i++) {
            String name = cols.name(i);
            StringBuilder b = new StringBuilder();
            TriggerText.urlencode(b, name);
            urlNames[i] = b.toString();
            b.setLength(0);
            TriggerText.jsonString(b, name);
            jsonNames[i] = b.append(':').toString();
            sqlNames[i] = Pgq.quoteIdentIfNeeded(name);
            magic[i] = magicField(name);
            if (magic[i] != NOT_MAGIC) {
                anyMagic = true;
                skipped[i] = true;
                continue;
            }
            pk[i] = TriggerText.listContains(pkeyList, name);
            skipped[i] = ignoreList != null && TriggerText.listContains(ignoreList, name);
        }
        this.hasMagic = anyMagic;
    }

    /** The setup of this firing's trigger, built at its first firing. */
    static TriggerSetup of(TriggerData td, boolean truncate) {
        Object s = td.state();
        if (s instanceof TriggerSetup && ((TriggerSetup) s).truncate == truncate) {
            return (TriggerSetup) s;
        }
        TriggerSetup setup = new TriggerSetup(td, truncate);
        td.setState(setup);
        return setup;
    }

    private static int magicField(String name) {
        if (!name.startsWith(MAGIC_PREFIX)) {
            return NOT_MAGIC;
        }
        switch (name.substring(MAGIC_PREFIX.length())) {
            case "type":
                return EV_TYPE;
            case "data":
                return EV_DATA;
            case "extra1":
                return EV_EXTRA1;
            case "extra2":
                return EV_EXTRA2;
            case "extra3":
                return EV_EXTRA3;
            case "extra4":
                return EV_EXTRA4;
            default:
                return MAGIC_UNKNOWN;
        }
    }

    /**
     * An expression over the row's columns: the row comes as its composite text ($1) and is
     * expanded into columns named as the table's, so the expression names them as in the table.
     * The result's type, NULL-ness and text output (format's %s is the type's output function,
     * as PgQ prints the value) in one row. OFFSET 0 keeps the expression from being evaluated
     * once per use.
     */
    private static String expressionSql(TriggerData td, String expr, long generation) {
        String rowType = Pgq.quoteIdent(td.tableSchema()) + "." + Pgq.quoteIdent(td.tableName());
        return "/* pgq trigger " + generation + " */ select pg_catalog.pg_typeof(v)::pg_catalog.oid::pg_catalog.int8,"
                + " pg_catalog.num_nulls(v) = 1, pg_catalog.format('%s', v)"
                + " from (select (" + expr + "\n) as v from pg_catalog.unnest(array[$1::pg_catalog.text::" + rowType
                + "]) as _pgq_row offset 0) as _pgq_expr";
    }
}
