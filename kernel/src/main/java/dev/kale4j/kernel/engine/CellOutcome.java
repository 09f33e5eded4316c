package dev.kale4j.kernel.engine;

import java.util.List;

/**
 * What running one cell produced.
 *
 * @param valueText plain-text value of the cell's final expression, or null
 * @param valueBundleJson the value as a MIME bundle (JSON) when it is rich, or null
 * @param error the error that stopped the cell, or null
 * @param definedVariables variables the cell declared or redeclared, in order
 * @param definedNames methods and types the cell declared
 */
public record CellOutcome(String valueText, String valueBundleJson, EngineError error,
        List<String> definedVariables, List<String> definedNames) {
    public CellOutcome {
        definedVariables = List.copyOf(definedVariables);
        definedNames = List.copyOf(definedNames);
    }

    public boolean ok() {
        return error == null;
    }
}
