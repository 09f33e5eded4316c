package dev.kale4j.runner;

import com.fasterxml.jackson.annotation.JsonValue;

/** A step's state in a run; the words are the ones users see (summary JSON, progress, the extension). */
public enum StepStatus {
    PENDING("Pending"), RUNNING("Running"), SUCCEEDED("Succeeded"), FAILED("Failed"), SKIPPED("Skipped"),
    CACHED("Cached");

    private final String word;

    StepStatus(String word) {
        this.word = word;
    }

    @JsonValue
    public String word() {
        return word;
    }

    public boolean done() {
        return this == SUCCEEDED || this == FAILED || this == SKIPPED || this == CACHED;
    }

    /** Downstream steps may use this step's outputs. */
    public boolean usable() {
        return this == SUCCEEDED || this == CACHED;
    }
}
