package dev.kale4j.kernel;

import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;

/**
 * Coalesces stdout/stderr text into few {@code stream} messages: text is sent when a cell ends,
 * before any other output (so order is kept), when 8 KiB piled up, or 20 ms after the first
 * pending text. The timer is a one-shot schedule per batch, not a polling loop.
 */
final class OutputStreams {
    private static final int MAX_PENDING = 8192;

    private final BiConsumer<String, String> publish;
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "kale4j-output-flush");
        t.setDaemon(true);
        return t;
    });
    private final StringBuilder out = new StringBuilder();
    private final StringBuilder err = new StringBuilder();
    private boolean scheduled;

    OutputStreams(BiConsumer<String, String> publish) {
        this.publish = publish;
    }

    synchronized void append(String stream, String text) {
        StringBuilder sb = stream.equals("stderr") ? err : out;
        // Keep stdout and stderr in order relative to each other.
        StringBuilder other = sb == out ? err : out;
        if (other.length() > 0) {
            flush();
        }
        sb.append(text);
        if (sb.length() > MAX_PENDING) {
            flush();
        } else if (!scheduled) {
            scheduled = true;
            timer.schedule(this::flush, 20, TimeUnit.MILLISECONDS);
        }
    }

    synchronized void flush() {
        scheduled = false;
        if (out.length() > 0) {
            publish.accept("stdout", out.toString());
            out.setLength(0);
        }
        if (err.length() > 0) {
            publish.accept("stderr", err.toString());
            err.setLength(0);
        }
    }

    void close() {
        timer.shutdownNow();
    }
}
