package dev.kale4j.cli;

import dev.kale4j.converter.Compilation;
import dev.kale4j.converter.graph.GraphRenderer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code kale4j graph NB [--svg FILE]}: prints the DAG. */
@Command(name = "graph", mixinStandardHelpOptions = true, description = "Print a notebook's pipeline DAG.")
public final class GraphCommand implements Callable<Integer> {
    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Parameters(index = "0", paramLabel = "NOTEBOOK")
    Path notebook;

    @Option(names = "--svg", paramLabel = "FILE", description = "Also write the graph as SVG.")
    Path svg;

    @Override
    public Integer call() throws IOException {
        Compilation c = NotebookArgs.compile(notebook, spec.commandLine().getErr());
        spec.commandLine().getOut().print(GraphRenderer.text(c.pipeline()));
        if (svg != null) {
            if (svg.toAbsolutePath().getParent() != null) {
                Files.createDirectories(svg.toAbsolutePath().getParent());
            }
            Files.writeString(svg, GraphRenderer.svg(c.pipeline()));
            spec.commandLine().getOut().println(svg);
        }
        return 0;
    }
}
