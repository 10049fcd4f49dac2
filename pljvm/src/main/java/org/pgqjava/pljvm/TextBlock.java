package org.pgqjava.pljvm;

/**
 * The text output of every column of a trigger row in one String ({@link TriggerRow#textBlock}):
 * column {@code i}'s text is {@code all().substring(start(i), end(i))}, or SQL NULL. One string
 * for the JVM to make instead of one per column; an encoder that copies the texts into its own
 * output can work on the ranges and make none.
 */
public final class TextBlock {
    private final String all;
    private final int[] bounds;

    TextBlock(String all, int[] bounds) {
        this.all = all;
        this.bounds = bounds;
    }

    /** Every non-NULL value's text, one after the other. */
    public String all() {
        return all;
    }

    /** The number of columns. */
    public int size() {
        return bounds.length / 2;
    }

    public boolean isNull(int i) {
        return bounds[2 * i] < 0;
    }

    /** Where column {@code i}'s text starts in {@link #all} (-1 for NULL). */
    public int start(int i) {
        return bounds[2 * i];
    }

    /** Where it ends (exclusive; -1 for NULL). */
    public int end(int i) {
        return bounds[2 * i + 1];
    }

    /** Column {@code i}'s text, or null for NULL. */
    public String get(int i) {
        return bounds[2 * i] < 0 ? null : all.substring(bounds[2 * i], bounds[2 * i + 1]);
    }

    /** Every column's text (nulls for NULL), as {@link TriggerRow#getTexts} gives them. */
    public String[] toArray() {
        String[] out = new String[size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = get(i);
        }
        return out;
    }
}
