package dev.kale4j.snapshot.cli;

import java.util.Map;
import java.util.stream.Collectors;

/** Formatting for the CLI tables. */
final class Sizes {
    private Sizes() {
    }

    static String human(long bytes) {
        if (bytes < 1024) {
            return bytes + " B";
        }
        String[] units = {"KiB", "MiB", "GiB", "TiB"};
        double v = bytes;
        int u = -1;
        while (v >= 1024 && u < units.length - 1) {
            v /= 1024;
            u++;
        }
        return oneDecimal(v) + " " + units[u];
    }

    /**
     * {@code v} (not negative) with one decimal, like {@code %.1f} in the ROOT locale. Not String.format: the
     * Formatter's first use loads locale data, ~20 ms of a short agent run.
     */
    static String oneDecimal(double v) {
        long tenths = Math.round(v * 10);
        return (tenths / 10) + "." + (tenths % 10);
    }

    static String tags(Map<String, String> tags) {
        return tags.entrySet().stream().sorted(Map.Entry.comparingByKey())
                .map(e -> e.getKey() + "=" + e.getValue()).collect(Collectors.joining(","));
    }
}
