package dev.kale4j.cli;

import dev.kale4j.cluster.CompileOptions;
import dev.kale4j.cluster.DataPassing;
import dev.kale4j.cluster.Targets;
import dev.kale4j.pipeline.PipelineJson;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code kale4j compile NB --target ir|argo|kfp|katib -o DIR}: writes the result and prints the written paths. */
@Command(name = "compile", mixinStandardHelpOptions = true,
        description = "Compile a tagged notebook and write the result; prints each written path.")
public final class CompileCommand implements Callable<Integer> {
    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Parameters(index = "0", paramLabel = "NOTEBOOK", description = "The .ipynb file.")
    Path notebook;

    @Option(names = "--target", defaultValue = "ir", paramLabel = "TARGET",
            description = "ir (the pipeline model as JSON), argo, kfp or katib. Default: ${DEFAULT-VALUE}.")
    String target;

    @Option(names = {"-o", "--output"}, defaultValue = ".", paramLabel = "DIR", description = "Output directory.")
    Path output;

    @Option(names = "--workflow-template", description = "argo: write a WorkflowTemplate instead of a Workflow.")
    boolean workflowTemplate;

    @Option(names = "--image", paramLabel = "IMAGE", description = "Image for steps without image: tag or notebook docker_image.")
    String image;

    @Option(names = "--data-passing", paramLabel = "artifacts|volume",
            description = "How values reach downstream steps on a cluster (default: the notebook's setting, else artifacts).")
    String dataPassing;

    @Option(names = "--namespace", paramLabel = "NS", description = "Namespace written into the manifests.")
    String namespace;

    @Override
    public Integer call() {
        NotebookArgs.Compiled c = NotebookArgs.read(notebook, spec.commandLine().getErr());
        List<Path> written;
        if (target.equals("ir")) {
            Path file = output.resolve(c.compilation().pipeline().name() + ".pipeline.json");
            PipelineJson.write(c.compilation().pipeline(), file);
            written = List.of(file);
        } else {
            CompileOptions options = new CompileOptions(image,
                    dataPassing == null ? null : DataPassing.parse(dataPassing, "--data-passing"), workflowTemplate, namespace);
            written = Targets.find(target).compile(c.compilation(), c.notebook(), options, output);
        }
        written.forEach(spec.commandLine().getOut()::println);
        return 0;
    }
}
