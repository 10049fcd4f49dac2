package org.pgqjava.pljvm;

/** When a trigger fires, relative to its operation. */
public enum TriggerTiming {
    BEFORE, AFTER, INSTEAD_OF
}
