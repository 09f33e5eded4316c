package dev.kale4j.pipeline;

/** A run metric: the value of {@code name} as produced by {@code step}. */
public record Metric(String name, String step) {
}
