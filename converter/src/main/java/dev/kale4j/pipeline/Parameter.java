package dev.kale4j.pipeline;

/** A pipeline parameter from the {@code pipeline-parameters} cell; {@code defaultValue} is canonical text. */
public record Parameter(String name, ParameterType type, String defaultValue) {
}
