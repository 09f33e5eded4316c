package dev.kale4j.cli;

import dev.kale4j.common.UserError;
import dev.kale4j.converter.Compilation;
import dev.kale4j.pipeline.PipelineJson;
import dev.kale4j.runner.LocalRunner;
import dev.kale4j.runner.RunOptions;
import dev.kale4j.runner.RunSummary;
import dev.kale4j.runner.WorkspaceSnapshots;
import dev.kale4j.snapshot.SnapshotRepository;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code kale4j run NB}: runs the pipeline on this machine. Exit 0 succeeded, 1 a step failed, 2 bad input. */
@Command(name = "run", mixinStandardHelpOptions = true,
        description = "Run a tagged notebook's pipeline on this machine (exit 0: succeeded, 1: a step failed, 2: invalid input).")
public final class RunCommand implements Callable<Integer> {
    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Parameters(index = "0", paramLabel = "NOTEBOOK")
    Path notebook;

    @Option(names = {"-p", "--param"}, paramLabel = "NAME=VALUE", description = "Override a pipeline parameter (repeatable).")
    Map<String, String> params = new LinkedHashMap<>();

    @Option(names = "--summary", paramLabel = "FILE", description = "Write the run summary as JSON.")
    Path summaryFile;

    @Option(names = "--workdir", paramLabel = "DIR", defaultValue = ".kale4j",
            description = "Where runs, the step cache and snapshots live. Default: ${DEFAULT-VALUE}.")
    Path workdir;

    @Option(names = "--parallel", paramLabel = "N", description = "Steps run at once (default: number of cores, at least 2).")
    Integer parallel;

    @Option(names = "--from", paramLabel = "STEP", description = "Re-run from STEP, reusing upstream outputs of an earlier run.")
    String fromStep;

    @Option(names = "--from-run", paramLabel = "RUN", description = "The run --from takes outputs from (default: the latest of this notebook).")
    String fromRun;

    @Option(names = "--in-process", description = "Run steps in this JVM (faster start, less isolation).")
    boolean inProcess;

    @Option(names = "--no-cache", description = "Run every step even if an earlier run has its outputs.")
    boolean noCache;

    @Option(names = "--no-snapshots", description = "Do not version the workspace after each step.")
    boolean noSnapshots;

    @Override
    public Integer call() throws InterruptedException {
        if (fromRun != null && fromStep == null) {
            throw new UserError("--from-run needs --from STEP");
        }
        Compilation c = NotebookArgs.compile(notebook, spec.commandLine().getErr());
        RunOptions defaults = RunOptions.defaults(workdir);
        boolean snapshotsOn = !noSnapshots && c.pipeline().snapshots();
        RunOptions options = new RunOptions(params, workdir, parallel == null ? defaults.parallel() : parallel,
                fromStep, fromRun, inProcess, !noCache, snapshotsOn);
        boolean terminal = System.console() != null && System.getenv("TERM") != null && !"dumb".equals(System.getenv("TERM"));
        ProgressDisplay display = new ProgressDisplay(spec.commandLine().getOut(), terminal);
        RunSummary summary;
        try (SnapshotRepository repo = SnapshotRepository.open(options.home().resolve("snapshots").toString())) {
            WorkspaceSnapshots snapshots = (workspace, tags) -> repo.create(workspace, withNotebook(tags, c)).id();
            summary = new LocalRunner(options, display, snapshots).run(c.pipeline());
        }
        if (summaryFile != null) {
            PipelineJson.write(summary, summaryFile);
        }
        return summary.succeeded() ? 0 : 1;
    }

    private static Map<String, String> withNotebook(Map<String, String> tags, Compilation c) {
        Map<String, String> all = new LinkedHashMap<>(tags);
        all.put("notebook", c.pipeline().notebook());
        all.put("pipeline", c.pipeline().name());
        return all;
    }
}
