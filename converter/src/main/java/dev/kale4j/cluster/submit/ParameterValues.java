package dev.kale4j.cluster.submit;

import dev.kale4j.common.UserError;
import dev.kale4j.pipeline.Parameter;
import dev.kale4j.pipeline.Pipeline;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** {@code -p NAME=VALUE} values checked against the pipeline's parameters before anything is sent. */
public final class ParameterValues {
    private ParameterValues() {
    }

    /** Canonical values by name; unknown names and values of the wrong type are user errors. */
    public static Map<String, String> parse(Pipeline pipeline, List<String> assignments) {
        Map<String, String> out = new LinkedHashMap<>();
        for (String kv : assignments) {
            int eq = kv.indexOf('=');
            if (eq <= 0) {
                throw new UserError("-p expects NAME=VALUE, not \"" + kv + "\"");
            }
            String name = kv.substring(0, eq);
            Parameter p = pipeline.parameter(name).orElseThrow(() -> new UserError("-p " + name + ": the pipeline has no"
                    + " parameter " + name + "; its parameters are " + (pipeline.parameters().isEmpty() ? "none"
                    : String.join(", ", pipeline.parameters().stream().map(Parameter::name).toList()))));
            out.put(name, p.type().canonical(name, kv.substring(eq + 1)));
        }
        return out;
    }
}
