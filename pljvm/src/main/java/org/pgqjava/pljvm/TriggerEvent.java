package org.pgqjava.pljvm;

/** The operation that fired a trigger. */
public enum TriggerEvent {
    INSERT, UPDATE, DELETE, TRUNCATE
}
