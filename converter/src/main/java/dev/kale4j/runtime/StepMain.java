package dev.kale4j.runtime;

import dev.kale4j.pipeline.PipelineJson;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The step JVM: {@code java dev.kale4j.runtime.StepMain SPEC.json [-p NAME=VALUE]...}. Writes
 * {@code result.json} and {@code code.jsh} into the spec's output directory; exits 0 when the step
 * succeeded, 1 when its code failed. Parameters given with {@code -p} override the spec's (cluster
 * engines pass run-time values this way).
 */
public final class StepMain {
    private StepMain() {
    }

    public static void main(String[] args) throws IOException {
        if (args.length < 1) {
            System.err.println("usage: StepMain SPEC.json [-p NAME=VALUE]...");
            System.exit(2);
        }
        StepSpec spec = PipelineJson.read(Path.of(args[0]), StepSpec.class);
        spec = spec.withParameters(overrides(spec, args));
        Path out = Path.of(spec.outputDir());
        Files.createDirectories(out);
        StepResult result;
        try (PrintWriter code = new PrintWriter(Files.newBufferedWriter(out.resolve("code.jsh"), StandardCharsets.UTF_8))) {
            result = new StepExecutor().run(spec, code);
        }
        PipelineJson.write(result, out.resolve(StepResult.FILE));
        if (!result.succeeded()) {
            System.err.println(result.error());
        }
        System.out.flush();
        System.exit(result.succeeded() ? 0 : 1);
    }

    private static List<StepSpec.ParameterValue> overrides(StepSpec spec, String[] args) {
        List<StepSpec.ParameterValue> values = new ArrayList<>(spec.parameters());
        for (int i = 1; i < args.length; i++) {
            if (args[i].equals("-p") && i + 1 < args.length) {
                String kv = args[++i];
                int eq = kv.indexOf('=');
                String name = kv.substring(0, Math.max(eq, 0));
                for (int j = 0; j < values.size(); j++) {
                    StepSpec.ParameterValue p = values.get(j);
                    if (p.name().equals(name)) {
                        values.set(j, new StepSpec.ParameterValue(name, p.type(),
                                p.type().canonical(name, kv.substring(eq + 1))));
                    }
                }
            }
        }
        return values;
    }
}
