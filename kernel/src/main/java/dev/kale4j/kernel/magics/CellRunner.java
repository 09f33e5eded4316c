package dev.kale4j.kernel.magics;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kale4j.common.UserError;
import dev.kale4j.kernel.CellResult;
import dev.kale4j.kernel.engine.CellOutcome;
import dev.kale4j.kernel.engine.EngineError;
import dev.kale4j.kernel.engine.EngineOutput;
import dev.kale4j.kernel.engine.JavaEngine;
import dev.kale4j.kernel.messages.Message;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Runs a cell: magics ({@code %name args} lines, {@code %%name} cell magics) and Java code in
 * between, handed to the engine segment by segment so errors point at the right cell line.
 * A {@code %} line counts as a magic only where a statement may start, so {@code a\n% b} in the
 * middle of an expression stays Java.
 */
public final class CellRunner {
    /** What the kernel knows about the cell being run. */
    public record Context(Message request, int executionCount, boolean silent, ObjectNode metadata) {
    }

    public record Completion(List<String> matches, int start, int end) {
    }

    /** Observer of executed cells (pipeline awareness). */
    public interface CellListener {
        void executed(Context ctx, String code, CellOutcome outcome);
    }

    /** A magic: {@code body} is the cell below a {@code %%} line, or null for a line magic. */
    public interface Magic {
        CellResult run(String args, String body, Context ctx) throws Exception;
    }

    private final JavaEngine engine;
    private final EngineOutput out;
    private final ObjectMapper json;
    private final Map<String, Magic> lineMagics = new LinkedHashMap<>();
    private final Map<String, Magic> cellMagics = new LinkedHashMap<>();
    private final List<CellListener> listeners = new ArrayList<>();
    private final MavenResolver maven = new MavenResolver();

    public CellRunner(JavaEngine engine, EngineOutput out, ObjectMapper json) {
        this.engine = engine;
        this.out = out;
        this.json = json;
        lineMagics.put("maven", (args, body, ctx) -> maven(args));
        lineMagics.put("classpath", (args, body, ctx) -> classpath(args));
        lineMagics.put("load", (args, body, ctx) -> load(args, ctx));
        lineMagics.put("time", (args, body, ctx) -> timed(() -> runCode(args, ctx, 1)));
        lineMagics.put("lsmagic", (args, body, ctx) -> {
            out.stdout("Line magics: " + String.join(" ", lineMagics.keySet().stream().map(k -> "%" + k).toList())
                    + "\nCell magics: " + String.join(" ", cellMagics.keySet().stream().map(k -> "%%" + k).toList()) + "\n");
            return CellResult.EMPTY;
        });
        lineMagics.put("doc", (args, body, ctx) -> {
            String doc = engine.inspect(args, args.length());
            return CellResult.page(doc == null ? "No documentation found for " + args : doc);
        });
        cellMagics.put("time", (args, body, ctx) -> timed(() -> runCode(body, ctx, 2)));
    }

    public void addLineMagic(String name, Magic magic) {
        lineMagics.put(name, magic);
    }

    public void addCellMagic(String name, Magic magic) {
        cellMagics.put(name, magic);
    }

    public void addListener(CellListener l) {
        listeners.add(l);
    }

    public boolean interruptRequested() {
        return engine.isInterrupted();
    }

    public CellResult run(String code, Context ctx) {
        try {
            String trimmed = code.stripLeading();
            if (trimmed.startsWith("%%")) {
                int nl = trimmed.indexOf('\n');
                String first = nl < 0 ? trimmed : trimmed.substring(0, nl);
                String body = nl < 0 ? "" : trimmed.substring(nl + 1);
                String[] nameArgs = first.substring(2).strip().split("\\s+", 2);
                Magic m = cellMagics.get(nameArgs[0]);
                if (m == null) {
                    return userError("UnknownMagic", "unknown cell magic %%" + nameArgs[0] + " (try %lsmagic)");
                }
                return m.run(nameArgs.length > 1 ? nameArgs[1] : "", body, ctx);
            }
            return runCode(code, ctx, 1);
        } catch (UserError e) {
            return userError("MagicError", e.getMessage());
        } catch (Exception e) {
            return userError(e.getClass().getSimpleName(), String.valueOf(e.getMessage()));
        }
    }

    /** Runs Java code with line magics in it; {@code firstLine} is its first line in the cell. */
    CellResult runCode(String code, Context ctx, int firstLine) throws Exception {
        String[] lines = code.split("\n", -1);
        StringBuilder segment = new StringBuilder();
        int segmentLine = firstLine;
        CellResult last = CellResult.EMPTY;
        for (int i = 0; i < lines.length; i++) {
            String t = lines[i].strip();
            boolean magicLine = t.startsWith("%") && !t.startsWith("%%") && t.length() > 1
                    && Character.isLetter(t.charAt(1))
                    && (segment.toString().isBlank() || !engine.isComplete(segment.toString()).equals("incomplete"));
            if (!magicLine) {
                if (segment.length() == 0) {
                    segmentLine = firstLine + i;
                }
                segment.append(lines[i]).append('\n');
                continue;
            }
            if (!segment.toString().isBlank()) {
                last = runJava(segment.toString(), ctx, segmentLine);
                if (last.error() != null) {
                    return last;
                }
            }
            segment.setLength(0);
            String[] nameArgs = t.substring(1).split("\\s+", 2);
            Magic m = lineMagics.get(nameArgs[0]);
            if (m == null) {
                return userError("UnknownMagic", "unknown line magic %" + nameArgs[0] + " at cell line "
                        + (firstLine + i) + " (try %lsmagic)");
            }
            last = m.run(nameArgs.length > 1 ? nameArgs[1].strip() : "", null, ctx);
            if (last.error() != null) {
                return last;
            }
        }
        if (!segment.toString().isBlank()) {
            last = runJava(segment.toString(), ctx, segmentLine);
        }
        return last;
    }

    private CellResult runJava(String code, Context ctx, int line) {
        CellOutcome o = engine.execute(code, ctx.executionCount(), line);
        for (CellListener l : listeners) {
            try {
                l.executed(ctx, code, o);
            } catch (RuntimeException e) {
                out.notice("[kale4j] pipeline tracking failed: " + e + "\n");
            }
        }
        return new CellResult(o.valueText(), o.valueBundleJson(), o.error());
    }

    public CellResult evaluateExpression(String expr, int count) {
        CellOutcome o = engine.execute(expr, count, 1);
        return new CellResult(o.valueText(), o.valueBundleJson(), o.error());
    }

    public Completion complete(String code, int cursor) {
        int lineStart = code.lastIndexOf('\n', cursor - 1) + 1;
        String line = code.substring(lineStart, cursor);
        if (line.stripLeading().startsWith("%")) {
            String typed = line.stripLeading();
            boolean cell = typed.startsWith("%%");
            String prefix = typed.substring(cell ? 2 : 1);
            if (!prefix.contains(" ")) {
                List<String> matches = new ArrayList<>();
                for (String name : (cell ? cellMagics : lineMagics).keySet()) {
                    if (name.startsWith(prefix)) {
                        matches.add((cell ? "%%" : "%") + name);
                    }
                }
                return new Completion(matches, cursor - typed.length(), cursor);
            }
            return new Completion(List.of(), cursor, cursor);
        }
        JavaEngine.Completion c = engine.complete(code, cursor);
        return new Completion(c.matches(), c.start(), c.end());
    }

    public String isComplete(String code) {
        String t = code.strip();
        if (t.startsWith("%")) {
            return t.startsWith("%%") && !t.contains("\n") ? "incomplete" : "complete";
        }
        return engine.isComplete(code);
    }

    // ---- magics ----

    private CellResult maven(String args) {
        List<String> coords = List.of(args.strip().split("\\s+"));
        if (args.isBlank()) {
            throw new UserError("usage: %maven group:artifact:version [...]");
        }
        List<Path> jars = maven.resolve(coords);
        for (Path jar : jars) {
            engine.addToClasspath(jar.toString());
        }
        out.stdout("Added " + jars.size() + " jar(s) to the class path: "
                + String.join(", ", jars.stream().map(p -> p.getFileName().toString()).toList()) + "\n");
        return CellResult.EMPTY;
    }

    private CellResult classpath(String args) {
        if (args.isBlank()) {
            out.stdout(String.join(File.pathSeparator, engine.classpath()) + "\n");
            return CellResult.EMPTY;
        }
        for (String entry : args.strip().split("[\\s" + File.pathSeparator + "]+")) {
            List<Path> paths = new ArrayList<>();
            if (entry.endsWith("/*") || entry.endsWith("\\*")) {
                Path dir = Path.of(entry.substring(0, entry.length() - 2));
                try (var s = Files.list(dir)) {
                    s.filter(p -> p.toString().endsWith(".jar")).sorted().forEach(paths::add);
                } catch (IOException e) {
                    throw new UserError("cannot list " + dir + ": " + e.getMessage());
                }
            } else {
                Path p = Path.of(entry).toAbsolutePath();
                if (!Files.exists(p)) {
                    throw new UserError("no such file or directory: " + entry);
                }
                paths.add(p);
            }
            for (Path p : paths) {
                engine.addToClasspath(p.toAbsolutePath().toString());
            }
        }
        return CellResult.EMPTY;
    }

    private CellResult load(String args, Context ctx) throws Exception {
        if (args.isBlank()) {
            throw new UserError("usage: %load FILE (.jsh, .java or .ipynb)");
        }
        Path file = Path.of(args.strip());
        if (!Files.isRegularFile(file)) {
            throw new UserError("no such file: " + file);
        }
        String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
        if (name.endsWith(".ipynb")) {
            JsonNode nb = json.readTree(file.toFile());
            CellResult last = CellResult.EMPTY;
            for (JsonNode cell : nb.path("cells")) {
                if (!cell.path("cell_type").asText().equals("code")) {
                    continue;
                }
                String src = cell.path("source").isArray()
                        ? String.join("", iterate(cell.path("source")))
                        : cell.path("source").asText("");
                last = runCode(src, ctx, 1);
                if (last.error() != null) {
                    return last;
                }
            }
            return last;
        }
        return runCode(Files.readString(file), ctx, 1);
    }

    private static List<String> iterate(JsonNode array) {
        List<String> l = new ArrayList<>();
        array.forEach(n -> l.add(n.asText()));
        return l;
    }

    private interface Body {
        CellResult run() throws Exception;
    }

    private CellResult timed(Body body) throws Exception {
        long t0 = System.nanoTime();
        CellResult r = body.run();
        double ms = (System.nanoTime() - t0) / 1e6;
        out.stdout(String.format(Locale.ROOT, "Wall time: %s%n", ms >= 1000 ? String.format(Locale.ROOT, "%.2f s", ms / 1000)
                : String.format(Locale.ROOT, "%.1f ms", ms)));
        return r;
    }

    static CellResult userError(String ename, String message) {
        return CellResult.error(new EngineError(ename, message, List.of("\u001b[0;31m" + ename + ": " + message + "\u001b[0m")));
    }
}
