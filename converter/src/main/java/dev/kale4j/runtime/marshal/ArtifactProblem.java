package dev.kale4j.runtime.marshal;

/**
 * Internal: an intact artifact that this JVM cannot turn back into a value (a class the step does not declare, a
 * record whose components changed, a missing codec). The message completes "artifact F (variable `v` of type `T`)".
 */
final class ArtifactProblem extends RuntimeException {
    ArtifactProblem(String message) {
        super(message, null, false, false);
    }

    ArtifactProblem(String message, Throwable cause) {
        super(message, cause, false, false);
    }
}
