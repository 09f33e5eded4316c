package dev.kale4j.runtime.marshal;

import dev.kale4j.common.UserError;

import java.nio.file.Path;

/**
 * A value that cannot be saved or an artifact that cannot be loaded. The message is what the user sees (the CLI
 * prints only the message), so it names the variable, its type or the artifact file, and what to do.
 */
public class MarshalException extends UserError {
    static final String REMEDY = "Make it a record, a Serializable class or a bean, register a ValueCodec (ServiceLoader), "
            + "or recompute it in the step that uses it.";

    public MarshalException(String message) {
        super(message);
    }

    public MarshalException(String message, Throwable cause) {
        super(message, cause);
    }

    /** The producing side could not represent the value; {@code why} says which part and why. */
    static MarshalException cannotSave(String variable, String typeName, String why, Throwable cause) {
        return new MarshalException("variable `" + variable + "` of type `" + typeName
                + "` cannot be saved for downstream steps: " + why + ". " + REMEDY, cause);
    }

    /** The artifact file is damaged: re-running the producer is the fix. */
    static MarshalException corrupted(Path file, String why) {
        return new MarshalException("artifact " + file + " is corrupted: " + why
                + ". Re-run the step that produced it.");
    }
}
