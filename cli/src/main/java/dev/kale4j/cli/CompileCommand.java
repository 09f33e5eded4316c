package dev.kale4j.cli;

import dev.kale4j.common.UserError;
import dev.kale4j.converter.Compilation;
import dev.kale4j.pipeline.PipelineJson;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code kale4j compile NB --target ir -o DIR}: writes the pipeline and prints the written paths. */
@Command(name = "compile", mixinStandardHelpOptions = true,
        description = "Compile a tagged notebook and write the result; prints each written path.")
public final class CompileCommand implements Callable<Integer> {
    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Parameters(index = "0", paramLabel = "NOTEBOOK", description = "The .ipynb file.")
    Path notebook;

    @Option(names = "--target", defaultValue = "ir", paramLabel = "TARGET",
            description = "ir: the pipeline model as JSON. Default: ${DEFAULT-VALUE}.")
    String target;

    @Option(names = {"-o", "--output"}, defaultValue = ".", paramLabel = "DIR", description = "Output directory.")
    Path output;

    @Override
    public Integer call() {
        Compilation c = NotebookArgs.compile(notebook, spec.commandLine().getErr());
        if (!target.equals("ir")) {
            throw new UserError("unknown target " + target + "; this build supports: ir");
        }
        Path file = output.resolve(c.pipeline().name() + ".pipeline.json");
        PipelineJson.write(c.pipeline(), file);
        spec.commandLine().getOut().println(file);
        return 0;
    }
}
