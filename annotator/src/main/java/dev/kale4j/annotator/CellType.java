package dev.kale4j.annotator;

/** The nbformat cell types. */
public enum CellType {
    CODE, MARKDOWN, RAW;

    static CellType of(String name) {
        return switch (name == null ? "" : name) {
            case "code" -> CODE;
            case "markdown" -> MARKDOWN;
            case "raw" -> RAW;
            default -> null;
        };
    }
}
