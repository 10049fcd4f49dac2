package org.pgqjava.pgq;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.stream.Stream;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@link Pgq#quoteFqname} and {@link Pgq#quoteIdent}, against what PostgreSQL gives for
 * {@code pgq.quote_fqname} ({@code quote_ident(schema) || '.' || quote_ident(name)}, split at
 * the first dot, schema {@code public} when there is none): quote_ident leaves a name alone when
 * it is {@code [a-z_][a-z0-9_]*} (and no reserved keyword), else doubles its quotes and wraps it.
 */
class PgqTest {

    static Stream<Arguments> fqnames() {
        return Stream.of(
                // {name, what pgq.quote_fqname(name) returns}
                Arguments.of("pgq.event_2_0", "pgq.event_2_0"),
                Arguments.of("event_2", "public.event_2"),
                Arguments.of("_x", "public._x"),
                Arguments.of("a1", "public.a1"),
                Arguments.of("Weird Name", "public.\"Weird Name\""),
                Arguments.of("Upper", "public.\"Upper\""),
                Arguments.of("Sch.Tab", "\"Sch\".\"Tab\""),
                Arguments.of("sch.Tab", "sch.\"Tab\""),
                Arguments.of("1abc", "public.\"1abc\""),
                Arguments.of("s.1abc", "s.\"1abc\""),
                Arguments.of("we\"ird", "public.\"we\"\"ird\""),
                Arguments.of("\"", "public.\"\"\"\""),
                Arguments.of("a$b", "public.\"a$b\""),
                Arguments.of("a-b", "public.\"a-b\""),
                Arguments.of("grüße", "public.\"grüße\""),
                // keywords that quote_ident quotes; unreserved ones stay plain
                Arguments.of("user", "public.\"user\""),
                Arguments.of("public.select", "public.\"select\""),
                Arguments.of("user.tab", "\"user\".tab"),
                Arguments.of("abort", "public.abort"),
                // the first dot splits; the name keeps the others
                Arguments.of("a.b.c", "a.\"b.c\""),
                // empty parts are quoted empty identifiers
                Arguments.of("", "public.\"\""),
                Arguments.of(".x", "\"\".x"),
                Arguments.of("x.", "x.\"\""),
                Arguments.of(".", "\"\".\"\""));
    }

    @ParameterizedTest(name = "quote_fqname({0}) = {1}")
    @MethodSource("fqnames")
    void quoteFqnameQuotesLikePgq(String name, String expected) {
        assertEquals(expected, Pgq.quoteFqname(name));
    }

    static Stream<Arguments> idents() {
        return Stream.of(
                Arguments.of("c", "\"c\""),
                Arguments.of("My Cursor", "\"My Cursor\""),
                Arguments.of("a\"b", "\"a\"\"b\""),
                Arguments.of("\"\"", "\"\"\"\"\"\""),
                Arguments.of("", "\"\""),
                Arguments.of("x\"; drop table t; --", "\"x\"\"; drop table t; --\""));
    }

    /** Always quoted (cursor names come from users): the result is one identifier whatever the input. */
    @ParameterizedTest(name = "quoteIdent({0}) = {1}")
    @MethodSource("idents")
    void quoteIdentAlwaysQuotesAndDoublesQuotes(String name, String expected) {
        assertEquals(expected, Pgq.quoteIdent(name));
    }
}
