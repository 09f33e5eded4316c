package dev.kale4j.kernel.channels;

/** A multipart message that is not a valid, correctly signed Jupyter message; it is dropped. */
public final class MalformedMessageException extends Exception {
    public MalformedMessageException(String message) {
        super(message);
    }
}
