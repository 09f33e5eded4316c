package dev.kale4j.converter.graph;

import dev.kale4j.pipeline.Pipeline;
import dev.kale4j.pipeline.Step;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Draws a pipeline's DAG as text (one line per step, by layer) or as a standalone SVG. */
public final class GraphRenderer {
    private GraphRenderer() {
    }

    /** Layer of each step: 0 for steps without dependencies, else one more than its deepest dependency. */
    public static Map<String, Integer> layers(Pipeline p) {
        Map<String, Integer> layer = new HashMap<>();
        for (Step s : p.steps()) {
            int l = 0;
            for (String d : s.dependencies()) {
                l = Math.max(l, layer.get(d) + 1);
            }
            layer.put(s.name(), l);
        }
        return layer;
    }

    public static String text(Pipeline p) {
        Map<String, Integer> layer = layers(p);
        int width = p.steps().stream().mapToInt(s -> s.name().length()).max().orElse(4);
        StringBuilder sb = new StringBuilder();
        sb.append("pipeline ").append(p.name()).append(" (").append(p.steps().size()).append(" steps)\n");
        for (Step s : p.steps()) {
            sb.append("  ".repeat(layer.get(s.name()))).append(s.name());
            if (!s.dependencies().isEmpty()) {
                sb.append(" ".repeat(Math.max(1, width + 2 - s.name().length()))).append("<- ")
                        .append(String.join(", ", s.dependencies()));
            }
            if (!s.inputs().isEmpty()) {
                sb.append("  [");
                sb.append(String.join(", ", s.inputs().stream().map(i -> i.variable() + " from " + i.step()).toList()));
                sb.append("]");
            }
            sb.append('\n');
        }
        return sb.toString();
    }

    public static String svg(Pipeline p) {
        Map<String, Integer> layer = layers(p);
        Map<Integer, List<String>> rows = new HashMap<>();
        p.steps().forEach(s -> rows.computeIfAbsent(layer.get(s.name()), k -> new ArrayList<>()).add(s.name()));
        int boxW = 160;
        int boxH = 36;
        int gapX = 40;
        int gapY = 50;
        int maxRow = rows.values().stream().mapToInt(List::size).max().orElse(1);
        int width = maxRow * (boxW + gapX) + gapX;
        int height = rows.size() * (boxH + gapY) + gapY;
        Map<String, int[]> pos = new HashMap<>();
        rows.forEach((l, names) -> {
            int offset = (width - names.size() * (boxW + gapX) + gapX) / 2;
            for (int i = 0; i < names.size(); i++) {
                pos.put(names.get(i), new int[] {offset + i * (boxW + gapX), gapY + l * (boxH + gapY)});
            }
        });
        StringBuilder sb = new StringBuilder();
        sb.append("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"").append(width).append("\" height=\"").append(height)
                .append("\" font-family=\"sans-serif\" font-size=\"13\">\n");
        sb.append("  <defs><marker id=\"arrow\" viewBox=\"0 0 10 10\" refX=\"10\" refY=\"5\" markerWidth=\"8\""
                + " markerHeight=\"8\" orient=\"auto\"><path d=\"M0,0 L10,5 L0,10 z\" fill=\"#555\"/></marker></defs>\n");
        sb.append("  <title>").append(escape(p.name())).append("</title>\n");
        for (Step s : p.steps()) {
            int[] to = pos.get(s.name());
            for (String d : s.dependencies()) {
                int[] from = pos.get(d);
                sb.append("  <line x1=\"").append(from[0] + boxW / 2).append("\" y1=\"").append(from[1] + boxH)
                        .append("\" x2=\"").append(to[0] + boxW / 2).append("\" y2=\"").append(to[1])
                        .append("\" stroke=\"#555\" marker-end=\"url(#arrow)\"/>\n");
            }
        }
        for (Step s : p.steps()) {
            int[] at = pos.get(s.name());
            sb.append("  <g class=\"step\" id=\"step-").append(escape(s.name())).append("\">")
                    .append("<rect x=\"").append(at[0]).append("\" y=\"").append(at[1]).append("\" width=\"").append(boxW)
                    .append("\" height=\"").append(boxH).append("\" rx=\"6\" fill=\"#e8f0fe\" stroke=\"#1a73e8\"/>")
                    .append("<text x=\"").append(at[0] + boxW / 2).append("\" y=\"").append(at[1] + boxH / 2 + 5)
                    .append("\" text-anchor=\"middle\">").append(escape(s.name())).append("</text></g>\n");
        }
        sb.append("</svg>\n");
        return sb.toString();
    }

    private static String escape(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
