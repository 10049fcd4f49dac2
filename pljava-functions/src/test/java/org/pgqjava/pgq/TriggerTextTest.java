package org.pgqjava.pgq;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.function.BiConsumer;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The triggers' encodings against what PgQ's C triggers write (the expected texts were taken
 * from Debian's PgQ 3.5 on PostgreSQL 15, UTF-8 database).
 */
class TriggerTextTest {

    private static String literal(String s) {
        StringBuilder sb = new StringBuilder();
        TriggerText.quoteLiteral(sb, s, 0, s.length());
        return sb.toString();
    }

    private static String with(BiConsumer<StringBuilder, String> f, String s) {
        StringBuilder sb = new StringBuilder();
        f.accept(sb, s);
        return sb.toString();
    }

    @Test
    void urlencodingKeepsUnreservedWritesSpaceAsPlusAndEveryOtherByteInLowerCaseHex() {
        assertEquals("aZ09_.-", with(TriggerText::urlencode, "aZ09_.-"));
        assertEquals("a+b%26c%3dd%25%c3%a9%2b%27%5c", with(TriggerText::urlencode, "a b&c=d%é+'\\"));
        assertEquals("%f0%9f%98%80%01%7e%0a", with(TriggerText::urlencode, "😀\u0001~\n"));
        assertEquals("%e2%82%ac", with(TriggerText::urlencode, "€"));
        assertEquals("", with(TriggerText::urlencode, ""));
    }

    @Test
    void literalsDoubleQuotesAndTakeAnEPrefixForBackslashes() {
        assertEquals("'plain'", literal("plain"));
        assertEquals("'it''s'", literal("it's"));
        assertEquals("E'a\\\\b''c'", literal("a\\b'c"));
        assertEquals("''", literal(""));
    }

    @Test
    void identifiersAreQuotedOnlyWhenNeeded() {
        assertEquals("id", Pgq.quoteIdentIfNeeded("id"));
        assertEquals("\"Name x\"", Pgq.quoteIdentIfNeeded("Name x"));
        assertEquals("\"select\"", Pgq.quoteIdentIfNeeded("select"));
        assertEquals("\"é\"", Pgq.quoteIdentIfNeeded("é"));
        assertEquals("\"a\"\"b\"", Pgq.quoteIdentIfNeeded("a\"b"));
    }

    @Test
    void jsonStringsEscapeQuotesBackslashesAndControlCharacters() {
        assertEquals("\"a\\\"b\\\\c\"", with(TriggerText::jsonString, "a\"b\\c"));
        assertEquals("\"\\b\\f\\n\\r\\t\\u0001\\u001f é😀/\"", with(TriggerText::jsonString, "\b\f\n\r\t\u0001\u001f é😀/"));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "a,b|a|true", "a,b|b|true", "a, b|b|true", "ab,b|a|false", "ba|a|false", "a b|a|true",
        "aa,a|a|true", "x,idx|id|false", "id|id|true", "Name x|Name x|true", "Name,x|Name x|false", "v,w|v,w|true"})
    void nameListsMatchWholeItemsBetweenCommasAndWhiteSpace(String list, String name, boolean contained) {
        assertEquals(contained, TriggerText.listContains(list, name));
    }

    @Test
    void recordTextQuotesEveryValueAndLeavesNullsEmpty() {
        assertEquals("(\"1\",,\"a \\\"q\\\" \\\\\",\"\")", TriggerText.recordText(new String[] {"1", null, "a \"q\" \\", ""}));
        assertEquals("()", TriggerText.recordText(new String[0]));
    }
}
