package dev.kale4j.runtime;

/** A step's code failed; the message names the step, cell and line. */
final class StepFailure extends RuntimeException {
    StepFailure(String message) {
        super(message, null, false, false);
    }
}
