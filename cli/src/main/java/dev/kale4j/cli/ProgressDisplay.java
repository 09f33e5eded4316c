package dev.kale4j.cli;

import dev.kale4j.runner.RunListener;
import dev.kale4j.runner.RunSummary;
import dev.kale4j.runner.StepStatus;
import java.io.PrintWriter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Shows run progress: on a terminal a table of steps redrawn in place (status and elapsed time);
 * otherwise one plain line per change, which logs and CI read well.
 */
final class ProgressDisplay implements RunListener {
    private final PrintWriter out;
    private final boolean terminal;
    private final Map<String, String> rows = new LinkedHashMap<>();
    private final Map<String, Long> started = new LinkedHashMap<>();
    private final long t0 = System.nanoTime();
    private ScheduledExecutorService ticker;
    private int drawn;

    ProgressDisplay(PrintWriter out, boolean terminal) {
        this.out = out;
        this.terminal = terminal;
    }

    @Override
    public synchronized void runStarted(String runId, List<String> steps) {
        out.println("run " + runId + ": " + steps.size() + " steps");
        steps.forEach(s -> rows.put(s, "Pending"));
        if (terminal) {
            redraw();
            // Only the elapsed-time column needs a clock; everything else redraws on events.
            ticker = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "kale4j-progress");
                t.setDaemon(true);
                return t;
            });
            ticker.scheduleAtFixedRate(this::tick, 500, 500, TimeUnit.MILLISECONDS);
        }
        out.flush();
    }

    @Override
    public synchronized void stepChanged(String step, StepStatus status, long durationMs, String message) {
        String word = status.word();
        if (status == StepStatus.RUNNING) {
            started.put(step, System.nanoTime());
        } else {
            started.remove(step);
        }
        String row = status == StepStatus.RUNNING || status == StepStatus.SKIPPED ? word
                : word + " (" + seconds(durationMs) + ")";
        rows.put(step, row);
        if (terminal) {
            redraw();
        } else {
            out.printf("[%7s] %-20s %s%n", seconds((System.nanoTime() - t0) / 1_000_000), step, row);
        }
        if (status == StepStatus.FAILED && message != null) {
            if (terminal) {
                drawn = 0;
            }
            out.println(indent(message));
        }
        out.flush();
    }

    @Override
    public synchronized void runFinished(RunSummary summary) {
        if (ticker != null) {
            ticker.shutdownNow();
        }
        if (!summary.metrics().isEmpty()) {
            out.println("metrics: " + summary.metrics());
        }
        if (summary.snapshots() != null && !summary.snapshots().isEmpty()) {
            // Short ids, as `kale4j snapshot list` shows them; `kale4j restore RUN STEP` takes the step name.
            StringBuilder line = new StringBuilder("snapshots:");
            summary.snapshots().forEach((step, id) -> line.append(' ').append(step).append('=')
                    .append(id, 0, Math.min(12, id.length())));
            out.println(line);
        }
        out.println("run " + summary.runId() + " " + summary.status() + " in " + seconds(summary.durationMs()));
        out.flush();
    }

    private synchronized void tick() {
        if (!started.isEmpty()) {
            redraw();
            out.flush();
        }
    }

    private void redraw() {
        if (drawn > 0) {
            out.print("\033[" + drawn + "A");
        }
        for (Map.Entry<String, String> e : rows.entrySet()) {
            String row = e.getValue();
            Long since = started.get(e.getKey());
            if (since != null) {
                row = row + " " + seconds((System.nanoTime() - since) / 1_000_000);
            }
            out.printf("\033[2K  %-20s %s%n", e.getKey(), row);
        }
        drawn = rows.size();
    }

    private static String indent(String message) {
        return "    " + message.replace("\n", "\n    ");
    }

    static String seconds(long ms) {
        return String.format("%.1fs", ms / 1000.0);
    }
}
