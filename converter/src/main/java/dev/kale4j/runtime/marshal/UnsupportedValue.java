package dev.kale4j.runtime.marshal;

/**
 * Internal: a value (possibly deep inside the one being saved) that no codec can represent. Containers prepend
 * their path segment on the way out, so the final message says where it is ({@code jobs[3].callback}).
 * No stack trace: it is a user-facing outcome, thrown on the error path only.
 */
final class UnsupportedValue extends RuntimeException {
    private final Class<?> type;
    private final String reason;
    private final StringBuilder path = new StringBuilder();

    UnsupportedValue(Class<?> type, String reason) {
        this(type, reason, null);
    }

    UnsupportedValue(Class<?> type, String reason, Throwable cause) {
        super(reason, cause, false, false);
        this.type = type;
        this.reason = reason;
    }

    UnsupportedValue within(String segment) {
        path.insert(0, segment);
        return this;
    }

    /** The "why" part of the user's message, for a variable called {@code variable}. */
    String why(String variable) {
        if (path.length() == 0) {
            return reason;
        }
        return "`" + variable + path + "` holds a " + TypeNames.display(type) + ": " + reason;
    }

    static String keySegment(Object key) {
        String s = String.valueOf(key);
        return "[" + (s.length() > 40 ? s.substring(0, 37) + "..." : s) + "]";
    }
}
