package dev.kale4j.bench.local;

import dev.kale4j.annotator.NotebookReader;
import dev.kale4j.converter.PipelineCompiler;
import dev.kale4j.pipeline.Pipeline;
import dev.kale4j.runner.LocalRunner;
import dev.kale4j.runner.RunListener;
import dev.kale4j.runner.RunOptions;
import dev.kale4j.runner.RunSummary;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Per-step overhead of the local runner: a 10-step chain of trivial steps, wall time divided by 10,
 * against the anchor measured in the same run: one JVM start plus one JShell evaluation of the same
 * code ({@link JShellOnce}), with default JVM flags and with the step JVMs' flags.
 */
public final class StepOverheadBench {
    private StepOverheadBench() {
    }

    public static void main(String[] args) throws Exception {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 3;
        Path work = Files.createTempDirectory("kale4j-bench-steps");
        Path nb = work.resolve("chain10.ipynb");
        Files.writeString(nb, chain(10));
        Pipeline p = PipelineCompiler.compile(NotebookReader.read(nb)).pipeline();
        String cp = System.getProperty("java.class.path");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();

        // Warm the step class archive and the OS file cache once, outside the measurements.
        run(p, work, false);
        double[] anchorDefault = new double[rounds];
        double[] anchorTuned = new double[rounds];
        double[] process = new double[rounds];
        double[] inProcess = new double[rounds];
        for (int r = 0; r < rounds; r++) {
            anchorDefault[r] = time(List.of(java, "-cp", cp, JShellOnce.class.getName(), "int v1 = 1 + 1;"));
            List<String> tuned = new ArrayList<>(List.of(java));
            tuned.addAll(LocalRunner.STEP_JVM_FLAGS);
            tuned.addAll(List.of("-cp", cp, JShellOnce.class.getName(), "int v1 = 1 + 1;"));
            anchorTuned[r] = time(tuned);
            process[r] = run(p, work, false) / 10.0;
            inProcess[r] = run(p, work, true) / 10.0;
        }
        double ad = median(anchorDefault);
        double at = median(anchorTuned);
        double pr = median(process);
        double ip = median(inProcess);
        System.out.printf("anchor: JVM start + 1 JShell eval, default flags   %7.0f ms%n", ad);
        System.out.printf("anchor: JVM start + 1 JShell eval, step JVM flags  %7.0f ms%n", at);
        System.out.printf("kale4j per step, one JVM per step (10-step chain)  %7.0f ms   %.2fx default anchor, %.2fx tuned anchor%n",
                pr, pr / ad, pr / at);
        System.out.printf("kale4j per step, --in-process (10-step chain)      %7.0f ms   %.2fx default anchor, %.2fx tuned anchor%n",
                ip, ip / ad, ip / at);
    }

    private static double run(Pipeline p, Path work, boolean inProcess) throws InterruptedException {
        RunOptions o = new RunOptions(Map.of(), work.resolve(".kale4j"), 2, null, null, inProcess, false, false);
        long t0 = System.nanoTime();
        RunSummary s = new LocalRunner(o, RunListener.NONE, null).run(p);
        if (!s.succeeded()) {
            throw new IllegalStateException("benchmark pipeline failed: " + s.steps());
        }
        return (System.nanoTime() - t0) / 1e6;
    }

    private static double time(List<String> cmd) throws Exception {
        long t0 = System.nanoTime();
        Process proc = new ProcessBuilder(cmd).inheritIO().start();
        if (proc.waitFor() != 0) {
            throw new IllegalStateException("anchor failed: " + cmd);
        }
        return (System.nanoTime() - t0) / 1e6;
    }

    static double median(double[] xs) {
        double[] c = xs.clone();
        Arrays.sort(c);
        return c[c.length / 2];
    }

    static String chain(int n) {
        StringBuilder cells = new StringBuilder();
        for (int i = 0; i < n; i++) {
            String src = i == 0 ? "int v0 = 1;" : "int v" + i + " = v" + (i - 1) + " + 1;";
            cells.append(i == 0 ? "" : ",").append("{\"cell_type\":\"code\",\"id\":\"c").append(i)
                    .append("\",\"metadata\":{\"tags\":[\"step:s").append(i).append("\"]},\"source\":\"").append(src)
                    .append("\",\"outputs\":[],\"execution_count\":null}");
        }
        return "{\"nbformat\":4,\"nbformat_minor\":5,\"metadata\":{\"kernelspec\":{\"name\":\"kale4j\",\"language\":\"java\"}},"
                + "\"cells\":[" + cells + "]}";
    }
}
