package dev.kale4j.runner;

import dev.kale4j.runtime.StepExecutor;
import dev.kale4j.runtime.StepResult;
import dev.kale4j.runtime.StepSpec;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Runs steps in the runner's JVM, each with its own JShell: no JVM start per step. The price is weaker
 * isolation: user code shares the heap and the working directory, and {@code System.exit} ends the run.
 * Step output goes to each step's log through {@link OutputRouter}.
 */
final class InProcessStepLauncher implements StepLauncher {
    private final StepExecutor executor = new StepExecutor();
    private final ExecutorService threads = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "kale4j-step");
        t.setDaemon(true);
        return t;
    });

    @Override
    public StepResult launch(StepSpec spec, Path stepDir, Duration timeout) throws InterruptedException {
        OutputRouter.install();
        long start = System.nanoTime();
        Future<StepResult> f = threads.submit(() -> {
            Path outputs = Files.createDirectories(Path.of(spec.outputDir()));
            try (OutputRouter.Route ignored = OutputRouter.route(stepDir.resolve("stdout.log"), stepDir.resolve("stderr.log"));
                 PrintWriter code = new PrintWriter(Files.newBufferedWriter(outputs.resolve("code.jsh"), StandardCharsets.UTF_8))) {
                return executor.run(spec, code);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
        try {
            return timeout == null ? f.get() : f.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            f.cancel(true);
            return ProcessStepLauncher.failed(spec, (System.nanoTime() - start) / 1_000_000, "step " + spec.step()
                    + " timed out after " + ProcessStepLauncher.human(timeout) + " (timeout: tag)");
        } catch (ExecutionException e) {
            return ProcessStepLauncher.failed(spec, (System.nanoTime() - start) / 1_000_000,
                    "step " + spec.step() + " failed: " + e.getCause());
        }
    }
}
