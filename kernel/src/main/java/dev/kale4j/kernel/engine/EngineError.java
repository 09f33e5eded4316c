package dev.kale4j.kernel.engine;

import java.util.List;

/** An error for the notebook: Jupyter's ename, evalue and traceback lines. */
public record EngineError(String ename, String evalue, List<String> traceback) {
    public EngineError {
        traceback = List.copyOf(traceback);
    }
}
