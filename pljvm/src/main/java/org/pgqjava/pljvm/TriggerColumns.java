package org.pgqjava.pljvm;

import java.util.HashMap;
import java.util.Map;

/**
 * The columns of a trigger's table as its triggers see them: dropped columns are left out, so
 * index {@code i} (0-based) is the i-th live column in table order. One instance per table and
 * table definition, shared by every call until the table changes (ALTER TABLE).
 */
public final class TriggerColumns {
    private final String[] names;
    private final String[] typeNames;
    private final int[] typeOids;
    private final boolean[] generated;
    // passed to the C host: each column's attribute number and SQL type code (Natives.T_*)
    final int[] attnums;
    final int[] codes;
    private volatile Map<String, Integer> byName;

    TriggerColumns(String[] names, String[] typeNames, int[] typeOids, boolean[] generated, int[] attnums,
            int[] codes) {
        this.names = names;
        this.attnums = attnums;
        this.typeNames = typeNames;
        this.typeOids = typeOids;
        this.generated = generated;
        this.codes = codes;
    }

    /** The number of (live) columns. */
    public int size() {
        return names.length;
    }

    /** The name of column {@code i}. */
    public String name(int i) {
        return names[i];
    }

    /** The index of the column named {@code name} (exactly, as in the catalog), or -1. */
    public int index(String name) {
        Map<String, Integer> m = byName;
        if (m == null) {
            m = new HashMap<>(names.length * 2);
            for (int i = 0; i < names.length; i++) {
                m.put(names[i], i);
            }
            byName = m;
        }
        Integer i = m.get(name);
        return i == null ? -1 : i;
    }

    /** The index of the column named {@code name}; an error 42703 if there is none. */
    public int require(String name) {
        int i = index(name);
        if (i < 0) {
            throw new PgException("42703", "pljvm: the trigger's table has no column \"" + name + "\"",
                    "Columns: " + String.join(", ", names) + ".", null);
        }
        return i;
    }

    /** The SQL type of column {@code i} as {@code format_type} writes it (e.g. {@code numeric(10,2)}). */
    public String typeName(int i) {
        return typeNames[i];
    }

    /** The type's OID. */
    public int typeOid(int i) {
        return typeOids[i];
    }

    /** Whether column {@code i} is a stored generated column (NULL in a BEFORE trigger's new row). */
    public boolean isGenerated(int i) {
        return generated[i];
    }

    /** All names, in column order (a copy). */
    public String[] names() {
        return names.clone();
    }
}
