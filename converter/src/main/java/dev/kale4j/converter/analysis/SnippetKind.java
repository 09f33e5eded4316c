package dev.kale4j.converter.analysis;

/** What a top-level snippet declares, following JShell's snippet kinds. */
public enum SnippetKind {
    IMPORT, VARIABLE, METHOD, TYPE, STATEMENT, EXPRESSION
}
