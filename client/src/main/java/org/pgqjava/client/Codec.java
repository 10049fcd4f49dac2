package org.pgqjava.client;

import java.util.Base64;

/**
 * Turns an application's payload into an event's text ({@code ev_data}) and back. PgQ stores
 * payloads as text; JSON is the usual choice (wrap the JSON library of the application in a
 * codec), {@link #base64()} carries bytes.
 *
 * @param <T> the payload type
 */
public interface Codec<T> {

    /** The text stored as {@code ev_data}; called with non-null values only. */
    String encode(T value);

    /** The payload of a stored text; called with non-null texts only. */
    T decode(String text);

    /** The text as it is. */
    static Codec<String> text() {
        return Codecs.TEXT;
    }

    /**
     * Bytes as base64 text (RFC 4648, no line breaks): any bytes, a third larger. Note that PgQ
     * consumers in other languages see the base64 text and must decode it themselves.
     */
    static Codec<byte[]> base64() {
        return Codecs.BASE64;
    }
}

/** The codecs {@link Codec} offers. */
final class Codecs {

    static final Codec<String> TEXT = new Codec<>() {
        @Override
        public String encode(String value) {
            return value;
        }

        @Override
        public String decode(String text) {
            return text;
        }
    };

    static final Codec<byte[]> BASE64 = new Codec<>() {
        @Override
        public String encode(byte[] value) {
            return Base64.getEncoder().encodeToString(value);
        }

        @Override
        public byte[] decode(String text) {
            return Base64.getDecoder().decode(text);
        }
    };

    private Codecs() {
    }
}
