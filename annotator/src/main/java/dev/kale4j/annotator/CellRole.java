package dev.kale4j.annotator;

/** What a code cell is for in the pipeline. */
public enum CellRole {
    /** {@code imports}: prepended to every step. */
    IMPORTS,
    /** {@code functions}: declarations prepended to the steps that use them. */
    FUNCTIONS,
    /** {@code pipeline-parameters}: literal assignments that become pipeline parameters. */
    PARAMETERS,
    /** {@code pipeline-metrics}: variables reported as run metrics. */
    METRICS,
    /** {@code step:NAME}: starts (or continues) a step. */
    STEP,
    /** {@code skip}: never part of the pipeline. */
    SKIP,
    /** No role tag: continues the step above. */
    CONTINUATION;

    /** The tag users write for this role (Kale's spelling), for messages and the editor. */
    public String tag() {
        return switch (this) {
            case IMPORTS -> "imports";
            case FUNCTIONS -> "functions";
            case PARAMETERS -> "pipeline-parameters";
            case METRICS -> "pipeline-metrics";
            case STEP -> "step:<name>";
            case SKIP -> "skip";
            case CONTINUATION -> "(no tag)";
        };
    }
}
