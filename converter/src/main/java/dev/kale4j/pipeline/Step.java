package dev.kale4j.pipeline;

import dev.kale4j.annotator.StepSettings;
import java.util.List;

/**
 * One pipeline step.
 *
 * @param cells        notebook cell indexes that make up the step, in order
 * @param dependencies upstream steps (explicit {@code prev:} plus resolved data dependencies), sorted by notebook order
 * @param prelude      imports and the declarations (methods, types) the step needs from elsewhere, in notebook order
 * @param body         the step's own snippets
 * @param inputs       variables loaded from upstream artifacts
 * @param outputs      variables this step saves because a downstream step or a metric uses them
 * @param parameters   pipeline parameters the step uses
 */
public record Step(
        String name,
        List<Integer> cells,
        List<String> dependencies,
        List<CodeBlock> prelude,
        List<CodeBlock> body,
        List<Input> inputs,
        List<String> outputs,
        List<String> parameters,
        StepSettings settings) {

    public Step {
        cells = List.copyOf(cells);
        dependencies = List.copyOf(dependencies);
        prelude = List.copyOf(prelude);
        body = List.copyOf(body);
        inputs = List.copyOf(inputs);
        outputs = List.copyOf(outputs);
        parameters = List.copyOf(parameters);
    }
}
