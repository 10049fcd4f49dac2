package org.pgqjava.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** pgqadm help COMMAND, pgqadm CONFIG.ini COMMAND --help, and suggestions for a mistyped command. */
class CommandHelpTest {

    private record Run(int exit, String out, String err) {
    }

    private static Run run(String... argv) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int exit = Main.run(argv, new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8),
                Map.of());
        return new Run(exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void everyCommandHasItsHelp() {
        assertEquals(Main.COMMANDS, Main.COMMAND_HELP.keySet());
        for (String c : Main.COMMANDS) {
            Run r = run("help", c);
            assertEquals(0, r.exit(), c);
            assertTrue(r.out().startsWith("usage: pgqadm [options] CONFIG.ini " + c), r.out());
        }
    }

    @Test
    void helpAfterACommandIsThatCommandsHelp() {
        Run r = run("any.ini", "create", "--help");
        assertEquals(0, r.exit());
        assertEquals("usage: pgqadm [options] CONFIG.ini create QUEUE\n  Creates a queue (pgq.create_queue).\n", r.out());
        Run all = run("-h");
        assertTrue(all.out().contains("Commands:") && all.out().contains("purge-dead-letters"), all.out());
    }

    @Test
    void mistypedCommandsGetTheNearestOne() {
        assertEquals("status", Main.closest("stauts"));
        assertEquals("ticker", Main.closest("tick"));
        assertEquals("dead-letters", Main.closest("dead"));
        assertEquals(null, Main.closest("frobnicate"));
        Run r = run("help", "regster");
        assertEquals(1, r.exit());
        assertEquals("unknown command: regster; did you mean register? (pgqadm -h lists the commands)\n", r.err());
    }
}
