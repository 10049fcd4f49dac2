package org.pgqjava.pljvm;

import org.pgqjava.pljvm.internal.Natives;

/**
 * The old or the new row of a row-level trigger. Values are read from the row PostgreSQL gave the
 * trigger when they are asked for, one column at a time (a trigger that reads 3 of 40 columns
 * converts 3): {@link #get} as a Java object by column type (the type table of docs/pljvm.md; a
 * type without a Java mapping as its text form), {@link #getText} as the type's text output, SQL
 * NULL as null. Column {@code i} is {@link TriggerColumns} index {@code i}.
 *
 * <p>{@link #set} changes a value of the row that a BEFORE trigger returns: the change takes
 * effect when the trigger returns this row, and {@link #get} then shows it.
 */
public final class TriggerRow {
    private final TriggerData trigger;
    // read by the C host: OLD or NEW, and the changes (null: none)
    final int which;
    Object[] updates;
    boolean[] updated;
    private boolean[] nulls;

    TriggerRow(TriggerData trigger, int which) {
        this.trigger = trigger;
        this.which = which;
    }

    /** The trigger this row belongs to. */
    public TriggerData trigger() {
        return trigger;
    }

    public TriggerColumns columns() {
        return trigger.columns();
    }

    /** The number of columns. */
    public int size() {
        return trigger.columns().size();
    }

    /** Whether column {@code i} is NULL. */
    public boolean isNull(int i) {
        if (updated != null && updated[i]) {
            return updates[i] == null;
        }
        if (nulls == null) {
            nulls = Natives.triggerNulls(trigger.serial, which, columns().attnums);
        }
        return nulls[i];
    }

    public boolean isNull(String column) {
        return isNull(trigger.columns().require(column));
    }

    /** The value of column {@code i} as a Java object; null for NULL. */
    public Object get(int i) {
        if (updated != null && updated[i]) {
            return updates[i];
        }
        TriggerColumns c = columns();
        return Natives.triggerValue(trigger.serial, which, c.attnums[i], c.codes[i]);
    }

    public Object get(String column) {
        return get(trigger.columns().require(column));
    }

    /**
     * The text output of column {@code i}'s value (what {@code ::text} gives); null for NULL. For a
     * column changed with {@link #set}, an error: its text exists once PostgreSQL has the value.
     */
    public String getText(int i) {
        if (updated != null && updated[i]) {
            throw new IllegalStateException("pljvm: column \"" + trigger.columns().name(i)
                    + "\" was set in Java; its text form exists only once PostgreSQL stores it");
        }
        return Natives.triggerText(trigger.serial, which, columns().attnums[i]);
    }

    public String getText(String column) {
        return getText(trigger.columns().require(column));
    }

    /** The text output of every column, in one step (nulls for NULLs), of the row as given. */
    public String[] getTexts() {
        return Natives.triggerTexts(trigger.serial, which, columns().attnums, false);
    }

    /**
     * As {@link #getTexts}, except dates, timestamps and timestamptz, which come as
     * {@code to_json} writes them, without its quotes: ISO 8601 with a {@code T}, an offset as
     * {@code +hh:mm} in the session's time zone ({@code 2009-09-19T11:59:48.599+00:00}),
     * {@code infinity}; whatever DateStyle says.
     */
    public String[] getJsonTexts() {
        return Natives.triggerTexts(trigger.serial, which, columns().attnums, true);
    }

    /** {@link #getTexts} as one {@link TextBlock}: the cheapest way to read every column's text. */
    public TextBlock textBlock() {
        int[] bounds = new int[2 * size()];
        return new TextBlock(Natives.triggerTextBlock(trigger.serial, which, columns().attnums, false, bounds), bounds);
    }

    /** {@link #getJsonTexts} as one {@link TextBlock}. */
    public TextBlock jsonTextBlock() {
        int[] bounds = new int[2 * size()];
        return new TextBlock(Natives.triggerTextBlock(trigger.serial, which, columns().attnums, true, bounds), bounds);
    }

    /**
     * Sets column {@code i} of the row this trigger returns: a Java value of the column's type (a
     * String in the text form for types without a Java mapping), or null for NULL. Converted when
     * the trigger returns the row; a value of the wrong type is an SQL error then.
     */
    public TriggerRow set(int i, Object value) {
        if (updated == null) {
            updated = new boolean[size()];
            updates = new Object[size()];
        }
        if (i < 0 || i >= updated.length) {
            throw new IndexOutOfBoundsException("pljvm: column index " + i + " of " + updated.length + " columns");
        }
        updated[i] = true;
        updates[i] = value;
        return this;
    }

    public TriggerRow set(String column, Object value) {
        return set(trigger.columns().require(column), value);
    }

    @Override
    public String toString() {
        return (which == TriggerData.OLD ? "old" : "new") + " row of " + trigger;
    }
}
