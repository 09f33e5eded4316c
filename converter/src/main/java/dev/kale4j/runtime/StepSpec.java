package dev.kale4j.runtime;

import dev.kale4j.pipeline.CodeBlock;
import dev.kale4j.pipeline.ParameterType;
import java.util.List;

/**
 * Everything a step JVM needs to run one step, written by the runner (or a cluster compiler) as JSON and
 * passed to {@link StepMain}. Paths are as the step JVM sees them (host paths locally, container paths
 * on a cluster).
 *
 * @param inputs     artifacts to load before the body runs
 * @param outputs    variables to save into {@code outputDir} after the body ran
 * @param metrics    variables whose numeric values are reported as run metrics
 * @param outputDir  where output artifacts and the result go
 * @param workDir    the step's working directory (the run's volume); {@code null} keeps the JVM's
 * @param classpath  extra class path entries for user code (libraries)
 */
public record StepSpec(
        String pipeline,
        String step,
        List<CodeBlock> prelude,
        List<CodeBlock> body,
        List<ParameterValue> parameters,
        List<InputArtifact> inputs,
        List<String> outputs,
        List<String> metrics,
        String outputDir,
        String workDir,
        List<String> classpath) {

    public StepSpec {
        prelude = List.copyOf(prelude);
        body = List.copyOf(body);
        parameters = List.copyOf(parameters);
        inputs = List.copyOf(inputs);
        outputs = List.copyOf(outputs);
        metrics = List.copyOf(metrics);
        classpath = classpath == null ? List.of() : List.copyOf(classpath);
    }

    /** A parameter's value for this run, as canonical text of its type. */
    public record ParameterValue(String name, ParameterType type, String value) {
    }

    /** An upstream artifact: {@code variable} as saved by {@code step} at {@code path}. */
    public record InputArtifact(String variable, String step, String path) {
    }

    /** The same spec with parameters overridden (cluster steps receive values at run time). */
    public StepSpec withParameters(List<ParameterValue> values) {
        return new StepSpec(pipeline, step, prelude, body, values, inputs, outputs, metrics, outputDir, workDir,
                classpath);
    }
}
