package org.pgqjava.pgq;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.Timeout.ThreadMode;
import org.pgqjava.testsupport.PgServer;
import org.pgqjava.testsupport.PgTest;

/**
 * {@link NullMatrix} (every main function with one argument NULL at a time) on pgq-java and on
 * Debian's PgQ 3.5: the same results, warnings and error messages. A class of its own for a
 * fresh database, so that ids agree.
 */
@PgTest(setup = PgqTemplate.class)
@Timeout(value = 300, threadMode = ThreadMode.SEPARATE_THREAD)
class DifferentialNullsIT {

    @Test
    void nullArgumentsBehaveAsInPgq(Connection c, PgServer server) throws SQLException {
        long[] ctx = NullMatrix.prepare(c);
        List<String> ours = NullMatrix.run(c, ctx[0], ctx[1]);
        List<String> oracle;
        try (OraclePgq o = OraclePgq.create(server, "nulls"); Connection oc = o.connect()) {
            long[] octx = NullMatrix.prepare(oc);
            oracle = NullMatrix.run(oc, octx[0], octx[1]);
        }
        List<String> steps = new ArrayList<>();
        List<String> o1 = new ArrayList<>();
        List<String> o2 = new ArrayList<>();
        for (int i = 0; i < ours.size(); i++) {
            String[] a = ours.get(i).split("\n    -> ", 2);
            String[] b = oracle.get(i).split("\n    -> ", 2);
            steps.add(a[0]);
            o1.add(a[1]);
            o2.add(b[1]);
        }
        DifferentialIT.assertSame(steps, o1, o2);
    }
}
