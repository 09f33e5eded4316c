package dev.kale4j.bench.local;

import dev.kale4j.annotator.NotebookReader;
import dev.kale4j.converter.PipelineCompiler;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Compile time of notebooks with 10, 100 and 1000 cells (chains of steps reading the previous step's
 * variable): the time per cell should stay about flat, i.e. compile time grows linearly.
 */
public final class CompileScalingBench {
    private CompileScalingBench() {
    }

    public static void main(String[] args) throws Exception {
        Path dir = Files.createTempDirectory("kale4j-bench-compile");
        int[] sizes = {10, 100, 1000};
        // Warm up the JIT and JShell's parser so the smallest size is not all start-up.
        for (int i = 0; i < 3; i++) {
            compile(dir, 200);
        }
        System.out.printf("%8s %12s %14s%n", "cells", "compile ms", "ms per cell");
        double base = 0;
        for (int n : sizes) {
            double best = Double.MAX_VALUE;
            for (int r = 0; r < 3; r++) {
                best = Math.min(best, compile(dir, n));
            }
            double perCell = best / n;
            if (base == 0) {
                base = perCell;
            }
            System.out.printf("%8d %12.1f %14.3f   (%.2fx the per-cell cost at %d cells)%n", n, best, perCell,
                    perCell / base, sizes[0]);
        }
    }

    private static double compile(Path dir, int n) throws Exception {
        Path nb = dir.resolve("chain" + n + ".ipynb");
        if (!Files.exists(nb)) {
            Files.writeString(nb, StepOverheadBench.chain(n));
        }
        long t0 = System.nanoTime();
        PipelineCompiler.compile(NotebookReader.read(nb));
        return (System.nanoTime() - t0) / 1e6;
    }
}
