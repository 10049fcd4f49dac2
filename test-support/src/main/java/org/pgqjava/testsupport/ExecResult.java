package org.pgqjava.testsupport;

/**
 * What a finished command (initdb, pg_ctl, psql) left behind.
 *
 * @param exitCode the process exit code; psql gives 3 for an SQL error under {@code ON_ERROR_STOP}
 * @param stdout   everything it wrote to standard output
 * @param stderr   everything it wrote to standard error
 */
public record ExecResult(int exitCode, String stdout, String stderr) {

    /** True when the command exited with 0. */
    public boolean ok() {
        return exitCode == 0;
    }

    /** Exit code and both streams, for assertion and exception messages. */
    public String describe() {
        return "exit code " + exitCode + "\n--- stdout ---\n" + stdout + "--- stderr ---\n" + stderr;
    }
}
