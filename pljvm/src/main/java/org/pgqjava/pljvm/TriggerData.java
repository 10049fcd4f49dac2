package org.pgqjava.pljvm;

import java.util.Arrays;
import java.util.Collections;
import java.util.List;

import org.pgqjava.pljvm.internal.Natives;

/**
 * One firing of a trigger: the parameter of a pljvm trigger function ({@code RETURNS trigger}),
 * a public static method that takes a {@code TriggerData} and returns {@code void} or a
 * {@link TriggerRow}.
 *
 * <p>What the method returns matters only to a row-level BEFORE or INSTEAD OF trigger: a row
 * ({@link #newRow()} for INSERT and UPDATE, {@link #oldRow()} for DELETE, changed or not) goes on
 * with the operation, {@code null} skips it for this row; a {@code void} method lets every row
 * pass unchanged. AFTER and statement-level triggers' results are ignored, as PostgreSQL does.
 *
 * <p>Valid only while its call runs: a row read after the call has returned is an error 55000.
 */
public final class TriggerData {
    static final int OLD = 0;
    static final int NEW = 1;

    private final TriggerInfo info;
    // read by the C host
    final long serial;
    private final TriggerEvent event;
    private final TriggerTiming timing;
    private final boolean forEachRow;
    private TriggerRow oldRow;
    private TriggerRow newRow;
    private boolean[] changes;
    private boolean[] valueChanges;
    private boolean[] valueKnown;
    private boolean[] valueSome;

    private static final TriggerEvent[] EVENTS = TriggerEvent.values();
    private static final TriggerTiming[] TIMINGS = TriggerTiming.values();

    /** Called by the C host: event and timing are the enums' ordinals. */
    TriggerData(TriggerInfo info, long serial, int event, int timing, boolean forEachRow) {
        this.info = info;
        this.serial = serial;
        this.event = EVENTS[event];
        this.timing = TIMINGS[timing];
        this.forEachRow = forEachRow;
    }

    /** The trigger's name. */
    public String name() {
        return info.name;
    }

    /** The schema of the table (or view) the trigger is on. */
    public String tableSchema() {
        return info.schema;
    }

    /** The name of the table (or view) the trigger is on. */
    public String tableName() {
        return info.table;
    }

    /** The OID of the table. */
    public long tableOid() {
        return info.relationId;
    }

    public TriggerEvent event() {
        return event;
    }

    public TriggerTiming timing() {
        return timing;
    }

    /** FOR EACH ROW (true) or FOR EACH STATEMENT (false). */
    public boolean forEachRow() {
        return forEachRow;
    }

    /** The arguments of CREATE TRIGGER ... EXECUTE FUNCTION f(arguments), as strings. */
    public List<String> arguments() {
        return Collections.unmodifiableList(Arrays.asList(info.arguments));
    }

    /** The number of the trigger's arguments. */
    public int argumentCount() {
        return info.arguments.length;
    }

    /** Argument {@code i} (0-based) of CREATE TRIGGER. */
    public String argument(int i) {
        return info.arguments[i];
    }

    /** The table's columns (dropped ones left out). */
    public TriggerColumns columns() {
        return info.columns;
    }

    /** The row before the operation: row-level UPDATE and DELETE; else null. */
    public TriggerRow oldRow() {
        if (oldRow == null && forEachRow && (event == TriggerEvent.UPDATE || event == TriggerEvent.DELETE)) {
            oldRow = new TriggerRow(this, OLD);
        }
        return oldRow;
    }

    /** The row after the operation: row-level INSERT and UPDATE; else null. */
    public TriggerRow newRow() {
        if (newRow == null && forEachRow && (event == TriggerEvent.INSERT || event == TriggerEvent.UPDATE)) {
            newRow = new TriggerRow(this, NEW);
        }
        return newRow;
    }

    /**
     * For a row-level UPDATE: whether column {@code i} differs between the old and the new row
     * (by its stored bytes, as PostgreSQL compares for HOT updates: a value rewritten unchanged is
     * unchanged; NULL against non-NULL is a change). Read once per call, for all columns, in one
     * step.
     */
    public boolean changed(int i) {
        if (changes == null) {
            requireRowUpdate("changed");
            changes = Natives.triggerChanges(serial, info.columns.attnums, false);
        }
        return changes[i];
    }

    /**
     * For a row-level UPDATE: whether column {@code i}'s value differs between the old and the new
     * row by the type's equality operator and the column's collation, as {@code IS DISTINCT FROM}
     * would say (numeric 1.5 to 1.50 is no change; NULL against non-NULL is one); arrays, and types
     * without an equality operator, compare their text output. What PgQ's triggers call a change.
     * Compares that one column (once per call); {@link #valueChanges} compares all in one step.
     */
    public boolean valueChanged(int i) {
        if (valueChanges != null) {
            return valueChanges[i];
        }
        requireRowUpdate("valueChanged");
        if (valueKnown == null) {
            valueKnown = new boolean[info.columns.size()];
            valueSome = new boolean[valueKnown.length];
        }
        if (!valueKnown[i]) {
            valueSome[i] = Natives.triggerChanged(serial, info.columns.attnums[i], true);
            valueKnown[i] = true;
        }
        return valueSome[i];
    }

    /** {@link #valueChanged} of every column, in one step (a copy, by column index). */
    public boolean[] valueChanges() {
        if (valueChanges == null) {
            requireRowUpdate("valueChanges");
            valueChanges = Natives.triggerChanges(serial, info.columns.attnums, true);
        }
        return valueChanges.clone();
    }

    private void requireRowUpdate(String what) {
        if (!forEachRow || event != TriggerEvent.UPDATE) {
            throw new IllegalStateException("pljvm: " + what + "() is for row-level UPDATE triggers; this is "
                    + (forEachRow ? "row" : "statement") + "-level " + event);
        }
    }

    /**
     * What the trigger function keeps for this trigger on this table between firings (parsed
     * arguments, prepared statements), or null: set with {@link #setState}. pljvm forgets it
     * whenever the table's definition or its triggers change (ALTER TABLE, CREATE or DROP INDEX or
     * TRIGGER, also when rolled back), and may forget it at any other time, so build it again when
     * it is null.
     */
    public Object state() {
        return info.state;
    }

    /** Keeps {@code state} for the next firings of this trigger on this table (see {@link #state}). */
    public void setState(Object state) {
        info.state = state;
    }

    @Override
    public String toString() {
        return "TriggerData[" + info.name + " " + timing + " " + event + (forEachRow ? " row" : " statement")
                + " on " + info.schema + "." + info.table + "]";
    }
}
