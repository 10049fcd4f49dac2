package org.pgqjava.pljvm;

/**
 * What stays the same from one firing of a trigger to the next: built by the C host once per
 * trigger and table definition, and shared by its calls.
 */
final class TriggerInfo {
    final String name;
    final String schema;
    final String table;
    final long relationId;
    final String[] arguments;
    final TriggerColumns columns;
    /** The trigger function's own (TriggerData.state); the backend thread only. */
    Object state;

    TriggerInfo(String name, String schema, String table, long relationId, String[] arguments,
            TriggerColumns columns) {
        this.name = name;
        this.schema = schema;
        this.table = table;
        this.relationId = relationId;
        this.arguments = arguments;
        this.columns = columns;
    }
}
