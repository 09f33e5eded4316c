package dev.kale4j.common;

/**
 * A problem with what the user gave us (a notebook, a tag, a flag, a repository path) rather than a bug.
 * The CLI prints {@link #getMessage()} alone, without a stack trace, and exits with {@link #EXIT_CODE}.
 * Messages must name the thing at fault (cell index and id, tag, file) and, where possible, the fix.
 */
public class UserError extends RuntimeException {
    public static final int EXIT_CODE = 2;

    public UserError(String message) {
        super(message);
    }

    public UserError(String message, Throwable cause) {
        super(message, cause);
    }
}
