package org.pgqjava.launcher;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.OptionalLong;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The pid file of a running pgqadm, as Skytools keeps it: the pid on the first line; a file whose
 * process is alive refuses a second start, a stale one is replaced; it is removed at exit, and
 * only by the process that wrote it.
 */
final class Pidfile {

    private static final Logger log = LoggerFactory.getLogger(Pidfile.class);

    private final Path path;
    private final long pid;

    private Pidfile(Path path, long pid) {
        this.path = path;
        this.pid = pid;
    }

    /** Another live process holds the pid file. */
    static final class BusyException extends Exception {
        private static final long serialVersionUID = 1L;
        final long pid;

        BusyException(long pid) {
            super("Pidfile exists, another process running?");
            this.pid = pid;
        }
    }

    /** The pid file's first line is not a pid. */
    static final class CorruptException extends Exception {
        private static final long serialVersionUID = 1L;

        CorruptException(Path path) {
            super("Corrupt pidfile: " + path);
        }
    }

    /**
     * Writes this process's pid into {@code path}. The file appears whole or not at all (written
     * aside, then hard-linked into place), so two processes starting at once cannot both win.
     */
    static Pidfile claim(Path path) throws BusyException, IOException {
        long me = ProcessHandle.current().pid();
        Config.createParent(path);
        Path tmp = Files.createTempFile(path.toAbsolutePath().getParent(), "." + path.getFileName() + ".", ".tmp");
        try {
            Files.writeString(tmp, me + "\n", StandardCharsets.US_ASCII);
            // readable by all, as Skytools writes it (createTempFile makes it owner-only)
            Files.setPosixFilePermissions(tmp, java.nio.file.attribute.PosixFilePermissions.fromString("rw-r--r--"));
            for (int attempt = 0; ; attempt++) {
                try {
                    Files.createLink(path, tmp);
                    return new Pidfile(path, me);
                } catch (FileAlreadyExistsException e) {
                    OptionalLong other = readQuietly(path);
                    if (other.isPresent() && isAlive(other.getAsLong())) {
                        throw new BusyException(other.getAsLong());
                    }
                    if (attempt > 0) {
                        throw new IOException("cannot replace the stale pidfile " + path + ": it keeps coming back");
                    }
                    log.warn("Ignoring stale pidfile");
                    Files.deleteIfExists(path);
                }
            }
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    Path path() {
        return path;
    }

    /** Removes the file if it still holds our pid. Never throws: runs at exit. */
    void release() {
        try {
            OptionalLong now = readQuietly(path);
            if (now.isPresent() && now.getAsLong() == pid) {
                Files.deleteIfExists(path);
            }
        } catch (IOException e) {
            log.warn("cannot remove the pidfile {}: {}", path, e.toString());
        }
    }

    /** The pid on the first line; empty when there is no file. */
    static OptionalLong read(Path path) throws IOException, CorruptException {
        List<String> lines;
        try {
            lines = Files.readAllLines(path, StandardCharsets.US_ASCII);
        } catch (NoSuchFileException e) {
            return OptionalLong.empty();
        }
        try {
            long pid = Long.parseLong(lines.isEmpty() ? "" : lines.get(0).strip());
            if (pid <= 0) {
                throw new CorruptException(path);
            }
            return OptionalLong.of(pid);
        } catch (NumberFormatException e) {
            throw new CorruptException(path);
        }
    }

    private static OptionalLong readQuietly(Path path) {
        try {
            return read(path);
        } catch (IOException | CorruptException e) {
            return OptionalLong.empty();
        }
    }

    static boolean isAlive(long pid) {
        return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
    }
}
