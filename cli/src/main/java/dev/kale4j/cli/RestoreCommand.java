package dev.kale4j.cli;

import dev.kale4j.common.UserError;
import dev.kale4j.pipeline.PipelineJson;
import dev.kale4j.runner.RunLayout;
import dev.kale4j.runner.RunSummary;
import dev.kale4j.snapshot.SnapshotRepository;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code kale4j restore RUN STEP --target DIR}: the run's workspace exactly as it was after STEP. */
@Command(name = "restore", mixinStandardHelpOptions = true,
        description = "Restore the workspace of a local run as it was after a step (or before the first step with _initial).")
public final class RestoreCommand implements Callable<Integer> {
    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Parameters(index = "0", paramLabel = "RUN", description = "Run id, or 'latest'.")
    String run;

    @Parameters(index = "1", paramLabel = "STEP", description = "Step name, or _initial for the workspace before the first step.")
    String step;

    @Option(names = "--target", required = true, paramLabel = "DIR", description = "New or empty directory to restore into.")
    Path target;

    @Option(names = "--workdir", paramLabel = "DIR", defaultValue = ".kale4j", description = "Default: ${DEFAULT-VALUE}.")
    Path workdir;

    @Override
    public Integer call() {
        Path home = workdir.toAbsolutePath().normalize();
        String runId = run;
        if (run.equals("latest")) {
            var ids = RunLayout.runIds(home);
            if (ids.isEmpty()) {
                throw new UserError("no runs under " + home.resolve("runs"));
            }
            runId = ids.get(ids.size() - 1);
        }
        RunLayout layout = RunLayout.existing(home, runId);
        if (!Files.exists(layout.summaryFile())) {
            throw new UserError("run " + runId + " has no summary (still running or interrupted); nothing to restore");
        }
        RunSummary summary = PipelineJson.read(layout.summaryFile(), RunSummary.class);
        if (summary.snapshots() == null || summary.snapshots().isEmpty()) {
            throw new UserError("run " + runId + " took no snapshots (it ran with --no-snapshots); re-run without it");
        }
        String id = summary.snapshots().get(step);
        if (id == null) {
            throw new UserError("run " + runId + " has no snapshot for step " + step + "; it has: "
                    + String.join(", ", summary.snapshots().keySet()));
        }
        try (SnapshotRepository repo = SnapshotRepository.open(layout.snapshotRepository().toString())) {
            repo.restore(id, target);
        }
        spec.commandLine().getOut().println("restored step " + step + " of run " + runId + " (snapshot "
                + id.substring(0, Math.min(12, id.length())) + ") into " + target);
        return 0;
    }
}
