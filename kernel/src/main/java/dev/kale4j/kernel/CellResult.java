package dev.kale4j.kernel;

import dev.kale4j.kernel.engine.EngineError;

/**
 * Result of a whole cell (magics included): an optional rich value, or an error, and optional
 * text for the pager (an execute_reply "page" payload, e.g. from %doc).
 */
public record CellResult(String valueText, String valueBundleJson, EngineError error, String pagerText) {
    public static final CellResult EMPTY = new CellResult(null, null, null, null);

    public CellResult(String valueText, String valueBundleJson, EngineError error) {
        this(valueText, valueBundleJson, error, null);
    }

    public static CellResult error(EngineError e) {
        return new CellResult(null, null, e, null);
    }

    public static CellResult page(String text) {
        return new CellResult(null, null, null, text);
    }
}
