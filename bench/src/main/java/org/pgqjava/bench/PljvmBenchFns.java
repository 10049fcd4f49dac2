package org.pgqjava.bench;

import org.pgqjava.pljvm.Spi;

/**
 * The Java side of {@code bench/pljvm-bench.sh}: functions called through pljvm, measured
 * against PL/pgSQL and SQL equivalents. Compiled and installed by the script itself.
 */
public final class PljvmBenchFns {
    private PljvmBenchFns() {
    }

    /** {@code jnoop(int8) returns int8}: the cost of a call and nothing else. */
    public static long noop(long x) {
        return x;
    }

    /** {@code jinsert(int8, text) returns void}: one INSERT through a cached, saved plan. */
    public static void insert(long id, String txt) {
        Spi.prepare("insert into bench_t(id, txt) values ($1, $2)", "int8", "text").execute(id, txt);
    }
}
