package dev.kale4j.runner;

import java.nio.file.Path;
import java.util.Map;

/**
 * How to run a pipeline locally.
 *
 * @param parameters  overrides as given on the command line ({@code -p name=value}); typed by the defaults
 * @param home        the {@code .kale4j} directory holding runs/ and cache/
 * @param parallel    how many steps may run at once
 * @param fromStep    re-run from this step, reusing upstream outputs of {@code fromRun} (or the latest run)
 * @param inProcess   run steps in this JVM (faster, less isolated) instead of one JVM per step
 * @param cache       reuse unchanged steps' outputs from earlier runs
 * @param snapshots   version the run's workspace before the first and after every step
 */
public record RunOptions(
        Map<String, String> parameters,
        Path home,
        int parallel,
        String fromStep,
        String fromRun,
        boolean inProcess,
        boolean cache,
        boolean snapshots) {

    public RunOptions {
        parameters = Map.copyOf(parameters);
        // Step JVMs run in the workspace, so every path handed to them must be absolute.
        home = home.toAbsolutePath().normalize();
        if (parallel < 1) {
            throw new IllegalArgumentException("parallel must be at least 1");
        }
    }

    public static RunOptions defaults(Path home) {
        return new RunOptions(Map.of(), home, Math.max(2, Runtime.getRuntime().availableProcessors()), null, null,
                false, true, true);
    }
}
