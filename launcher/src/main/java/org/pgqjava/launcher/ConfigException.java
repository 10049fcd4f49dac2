package org.pgqjava.launcher;

/** The config file cannot be used: the message names the file, the key and what is wrong. */
final class ConfigException extends Exception {

    private static final long serialVersionUID = 1L;

    ConfigException(String message) {
        super(message);
    }

    ConfigException(String message, Throwable cause) {
        super(message, cause);
    }
}
