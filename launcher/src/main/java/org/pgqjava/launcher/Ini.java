package org.pgqjava.launcher;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * An ini file as Skytools reads it (Python's ConfigParser): {@code [section]} headers,
 * {@code key = value} or {@code key: value} lines, comment lines starting with {@code #} or
 * {@code ;}, continuation lines (leading white space) appended to the previous value, key names
 * case-insensitive, {@code " ;"} starts an inline comment. Values may refer to other keys of the same section, of {@code [DEFAULT]} and
 * to the built-in defaults as {@code %(name)s}; {@code %%} is a literal percent sign.
 */
final class Ini {

    /** Python's ConfigParser gives up after this many nested references: a cycle. */
    private static final int MAX_DEPTH = 10;
    private static final Pattern SECTION = Pattern.compile("\\[([^]]+)]\\s*");
    private static final Pattern REF = Pattern.compile("%\\(([^)]+)\\)s|%%|%");

    private final Path file;
    private final Map<String, Map<String, Entry>> sections;

    /** One key's raw value and the line it is on, for messages. */
    record Entry(String key, String raw, int line) {
    }

    private Ini(Path file, Map<String, Map<String, Entry>> sections) {
        this.file = file;
        this.sections = sections;
    }

    static Ini load(Path file) throws ConfigException {
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new ConfigException(file + ": cannot read the config file: " + e.getMessage(), e);
        }
        return parse(file, lines);
    }

    static Ini parse(Path file, List<String> lines) throws ConfigException {
        Map<String, Map<String, Entry>> sections = new LinkedHashMap<>();
        Map<String, Entry> current = null;
        String lastKey = null;
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            int no = i + 1;
            if (line.isBlank() || line.startsWith("#") || line.startsWith(";")) {
                continue;
            }
            if (Character.isWhitespace(line.charAt(0)) && current != null && lastKey != null) {
                Entry prev = current.get(lastKey);
                current.put(lastKey, new Entry(prev.key(), prev.raw() + "\n" + line.strip(), prev.line()));
                continue;
            }
            Matcher m = SECTION.matcher(line);
            if (m.matches()) {
                current = sections.computeIfAbsent(m.group(1).strip(), k -> new LinkedHashMap<>());
                lastKey = null;
                continue;
            }
            int eq = separator(line);
            if (eq <= 0) {
                throw new ConfigException(file + ":" + no + ": not a [section] or key = value line: " + line.strip());
            }
            if (current == null) {
                throw new ConfigException(file + ":" + no + ": key outside a section (the file must start with [pgqadm]): " + line.strip());
            }
            String key = line.substring(0, eq).strip().toLowerCase(Locale.ROOT);
            String value = line.substring(eq + 1).strip();
            int semi = value.indexOf(';');
            if (semi > 0 && Character.isWhitespace(value.charAt(semi - 1))) {
                value = value.substring(0, semi).strip(); // inline comment, as Python 2's ConfigParser
            }
            current.put(key, new Entry(key, value, no));
            lastKey = key;
        }
        return new Ini(file, sections);
    }

    /** Index of the first '=' or ':' (whichever comes first), -1 if none. */
    private static int separator(String line) {
        int eq = line.indexOf('=');
        int colon = line.indexOf(':');
        if (eq < 0) {
            return colon;
        }
        return colon < 0 ? eq : Math.min(eq, colon);
    }

    Path file() {
        return file;
    }

    /**
     * Where {@code key} of {@code section} (or [DEFAULT]) is set, for messages: {@code file:line},
     * {@code --set key=...} for a command-line override, or just the file when it is not set.
     */
    String where(String section, String key) {
        Entry e = lookup(section, key);
        if (e == null) {
            return file.toString();
        }
        return e.line() == OVERRIDE_LINE ? "--set " + e.key() + "=" + e.raw() : file + ":" + e.line();
    }

    /** Line number of the entries that come from {@code --set} instead of the file. */
    static final int OVERRIDE_LINE = 0;

    /**
     * This file with {@code overrides} (key to raw value, as Skytools' {@code --set key=value})
     * set in {@code section}, after the file's own entries and instead of them.
     */
    Ini withOverrides(String section, Map<String, String> overrides) {
        if (overrides.isEmpty()) {
            return this;
        }
        Map<String, Map<String, Entry>> copy = new LinkedHashMap<>();
        sections.forEach((name, entries) -> copy.put(name, new LinkedHashMap<>(entries)));
        Map<String, Entry> target = copy.computeIfAbsent(section, k -> new LinkedHashMap<>());
        overrides.forEach((k, v) -> {
            String key = k.strip().toLowerCase(Locale.ROOT);
            target.put(key, new Entry(key, v, OVERRIDE_LINE));
        });
        return new Ini(file, copy);
    }

    boolean hasSection(String section) {
        return sections.containsKey(section);
    }

    /** Keys of {@code section} in file order (without those of [DEFAULT]). */
    List<Entry> entries(String section) {
        Map<String, Entry> s = sections.get(section);
        return s == null ? List.of() : Collections.unmodifiableList(new ArrayList<>(s.values()));
    }

    /**
     * The value of {@code key} in {@code section} (or [DEFAULT]) with its references resolved
     * against the section, [DEFAULT] and {@code builtins}; empty when the key is not there.
     */
    Optional<String> get(String section, String key, Map<String, String> builtins) throws ConfigException {
        Entry e = lookup(section, key);
        if (e == null) {
            return Optional.empty();
        }
        return Optional.of(interpolate(section, e, e.raw(), builtins, 0));
    }

    private Entry lookup(String section, String key) {
        Map<String, Entry> s = sections.get(section);
        Entry e = s == null ? null : s.get(key);
        if (e == null) {
            Map<String, Entry> d = sections.get("DEFAULT");
            e = d == null ? null : d.get(key);
        }
        return e;
    }

    private String interpolate(String section, Entry owner, String raw, Map<String, String> builtins, int depth)
            throws ConfigException {
        if (depth > MAX_DEPTH) {
            throw new ConfigException(file + ":" + owner.line() + ": " + owner.key()
                    + ": references nest deeper than " + MAX_DEPTH + " levels (a cycle?): " + owner.raw());
        }
        Matcher m = REF.matcher(raw);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String repl;
            if (m.group(1) != null) {
                String name = m.group(1).strip().toLowerCase(Locale.ROOT);
                Entry ref = lookup(section, name);
                if (ref != null) {
                    repl = interpolate(section, owner, ref.raw(), builtins, depth + 1);
                } else if (builtins.containsKey(name)) {
                    repl = builtins.get(name);
                } else {
                    throw new ConfigException(file + ":" + owner.line() + ": " + owner.key()
                            + ": refers to %(" + name + ")s, which is neither a key of [" + section
                            + "] nor one of " + String.join(", ", builtins.keySet()));
                }
            } else if ("%%".equals(m.group())) {
                repl = "%";
            } else {
                throw new ConfigException(file + ":" + owner.line() + ": " + owner.key()
                        + ": a lone '%' (write %% for a percent sign, %(name)s for another key): " + owner.raw());
            }
            m.appendReplacement(out, Matcher.quoteReplacement(repl));
        }
        m.appendTail(out);
        return out.toString();
    }
}
