package dev.kale4j.pipeline;

/** A variable a step loads from the artifact of the upstream step that produced it. */
public record Input(String variable, String step) {
}
