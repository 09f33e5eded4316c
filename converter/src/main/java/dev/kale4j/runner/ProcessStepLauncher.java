package dev.kale4j.runner;

import dev.kale4j.pipeline.PipelineJson;
import dev.kale4j.runtime.StepMain;
import dev.kale4j.runtime.StepResult;
import dev.kale4j.runtime.StepSpec;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Isolates each step in its own JVM ({@link StepMain}), so {@code System.exit}, an OutOfMemoryError or a
 * stuck thread in user code cannot take the runner down. Start-up flags favour a short-lived JVM.
 */
final class ProcessStepLauncher implements StepLauncher {
    private static final Logger LOG = LoggerFactory.getLogger(ProcessStepLauncher.class);

    private final String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    private final String classpath = System.getProperty("java.class.path");
    private final List<String> jvmFlags;
    private final StepJvmArchive archive;

    /** @param cacheDir where the step JVMs' class archive is kept, or {@code null} for none */
    ProcessStepLauncher(List<String> jvmFlags, Path cacheDir) {
        this.jvmFlags = List.copyOf(jvmFlags);
        this.archive = cacheDir == null || !StepJvmArchive.supports(classpath) ? null : new StepJvmArchive(cacheDir, classpath);
    }

    @Override
    public StepResult launch(StepSpec spec, Path stepDir, Duration timeout) throws InterruptedException {
        Path specFile = stepDir.resolve("spec.json");
        PipelineJson.write(spec, specFile);
        List<String> cmd = new ArrayList<>();
        cmd.add(java);
        cmd.addAll(jvmFlags);
        StepJvmArchive.Use cds = archive == null ? new StepJvmArchive.Use(List.of(), null) : archive.use();
        cmd.addAll(cds.flags());
        cmd.add("-cp");
        cmd.add(classpath);
        cmd.add(StepMain.class.getName());
        cmd.add(specFile.toString());
        Path outputs = Path.of(spec.outputDir());
        Path resultFile = outputs.resolve(StepResult.FILE);
        long start = System.nanoTime();
        Process p;
        try {
            Files.deleteIfExists(resultFile);
            Path work = spec.workDir() == null ? stepDir : Path.of(spec.workDir());
            Files.createDirectories(work);
            ProcessBuilder pb = new ProcessBuilder(cmd)
                    .directory(work.toFile())
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(stepDir.resolve("stdout.log").toFile()))
                    .redirectError(ProcessBuilder.Redirect.appendTo(stepDir.resolve("stderr.log").toFile()));
            Map<String, String> env = pb.environment();
            env.put("KALE4J_STEP", spec.step());
            env.put("KALE4J_PIPELINE", spec.pipeline());
            LOG.debug("step {}: {}", spec.step(), cmd);
            p = pb.start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start the JVM for step " + spec.step(), e);
        }
        boolean finished;
        try {
            finished = timeout == null ? waitFor(p) : p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
            // A stopped run must leave no step JVM behind: wait (the interrupt flag is clear here) until it is gone.
            p.waitFor(5, TimeUnit.SECONDS);
            throw e;
        }
        long ms = (System.nanoTime() - start) / 1_000_000;
        if (finished && archive != null) {
            archive.finished(cds);
        }
        if (!finished) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
            p.waitFor();
            return failed(spec, ms, "step " + spec.step() + " timed out after " + human(timeout) + " (timeout: tag)");
        }
        if (Files.exists(resultFile)) {
            StepResult r = PipelineJson.read(resultFile, StepResult.class);
            return new StepResult(r.step(), r.succeeded(), ms, r.outputs(), r.metrics(), r.error());
        }
        int code = p.exitValue();
        return failed(spec, ms, "step " + spec.step() + " ended its JVM with exit code " + code
                + " before finishing (System.exit, OutOfMemoryError or a crash); see " + stepDir.resolve("stderr.log"));
    }

    private static boolean waitFor(Process p) throws InterruptedException {
        p.waitFor();
        return true;
    }

    static StepResult failed(StepSpec spec, long ms, String why) {
        return new StepResult(spec.step(), false, ms, List.of(), Map.of(), why);
    }

    static String human(Duration d) {
        return d.toString().substring(2).toLowerCase();
    }
}
