package dev.kale4j.kernel.engine;

/** Test output of an engine or the pipeline support: text (and, if asked, display bundles) into a buffer. */
public final class CollectingOutput implements EngineOutput {
    private final StringBuffer sink;
    private final boolean displays;

    /** @param displays also append each display bundle, as {@code [display JSON]} */
    public CollectingOutput(StringBuffer sink, boolean displays) {
        this.sink = sink;
        this.displays = displays;
    }

    @Override
    public void stdout(String text) {
        sink.append(text);
    }

    @Override
    public void stderr(String text) {
        sink.append(text);
    }

    @Override
    public void display(String bundleJson) {
        if (displays) {
            sink.append("[display ").append(bundleJson).append(']');
        }
    }

    @Override
    public void clearOutput(boolean wait) {
    }
}
