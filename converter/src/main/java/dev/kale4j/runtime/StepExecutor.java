package dev.kale4j.runtime;

import dev.kale4j.common.UserError;
import dev.kale4j.pipeline.CodeBlock;
import dev.kale4j.runtime.marshal.ArtifactInfo;
import dev.kale4j.runtime.marshal.Marshaller;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import jdk.jshell.Diag;
import jdk.jshell.EvalException;
import jdk.jshell.JShell;
import jdk.jshell.JShellException;
import jdk.jshell.Snippet;
import jdk.jshell.SnippetEvent;
import jdk.jshell.TypeDeclSnippet;
import jdk.jshell.UnresolvedReferenceException;
import jdk.jshell.VarSnippet;
import jdk.jshell.execution.LocalExecutionControlProvider;

/**
 * Runs one step in this JVM: a fresh JShell evaluates the prelude, the parameters, the input loads, the
 * body, then hands the outputs over through the {@link Bridge} and marshals them. {@link StepMain} runs
 * it in an isolated JVM; the in-process mode calls it directly.
 */
public final class StepExecutor {
    private static final String BRIDGE = Bridge.class.getName();

    private final Marshaller marshaller;

    public StepExecutor(Marshaller marshaller) {
        this.marshaller = marshaller;
    }

    public StepExecutor() {
        this(Marshaller.create(StepExecutor.class.getClassLoader()));
    }

    /** Runs the step; never throws for user-code problems, which become a failed {@link StepResult}. */
    public StepResult run(StepSpec spec, PrintWriter codeLog) {
        long start = System.nanoTime();
        String ctx = UUID.randomUUID().toString();
        Map<String, Path> inputPaths = new LinkedHashMap<>();
        spec.inputs().forEach(i -> inputPaths.put(i.variable(), Path.of(i.path())));
        StepContext context = new StepContext(marshaller, inputPaths);
        Bridge.open(ctx, context);
        try (JShell shell = JShell.builder()
                .executionEngine(new LocalExecutionControlProvider(), Map.of())
                .build()) {
            Session session = new Session(shell, ctx, spec.step(), codeLog);
            shell.addToClasspath(runtimeLocation());
            spec.classpath().forEach(shell::addToClasspath);
            for (String imp : JShellSetup.DEFAULT_IMPORTS) {
                session.eval(imp, null);
            }
            for (CodeBlock b : spec.prelude()) {
                session.eval(b.source(), b);
            }
            for (StepSpec.ParameterValue p : spec.parameters()) {
                session.eval(p.type().javaName() + " " + p.name() + " = " + p.type().literal(p.value()) + ";", null);
            }
            for (StepSpec.InputArtifact in : spec.inputs()) {
                String type = declarableType(marshaller.info(Path.of(in.path())).typeName());
                String cast = type.equals("Object") ? "" : "(" + type + ") ";
                session.eval(type + " " + in.variable() + " = " + cast + BRIDGE + ".input(\"" + ctx + "\", \""
                        + in.variable() + "\", " + BRIDGE + ".class);", null);
            }
            for (CodeBlock b : spec.body()) {
                session.eval(b.source(), b);
            }
            List<ArtifactInfo> outputs = saveOutputs(spec, session, context);
            Map<String, Double> metrics = metrics(spec, session, context);
            return new StepResult(spec.step(), true, millisSince(start), outputs, metrics, null);
        } catch (StepFailure | UserError e) {
            return new StepResult(spec.step(), false, millisSince(start), List.of(), Map.of(), e.getMessage());
        } finally {
            Bridge.close(ctx);
        }
    }

    private List<ArtifactInfo> saveOutputs(StepSpec spec, Session session, StepContext context) {
        Path dir = Path.of(spec.outputDir());
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        List<String> names = new ArrayList<>(spec.outputs());
        spec.metrics().stream().filter(m -> !names.contains(m)).forEach(names::add);
        Map<String, String> types = session.capture(names);
        List<ArtifactInfo> out = new ArrayList<>();
        for (String v : spec.outputs()) {
            out.add(marshaller.write(v, context.captured(v), types.get(v), dir.resolve(artifactName(v))));
        }
        return out;
    }

    private Map<String, Double> metrics(StepSpec spec, Session session, StepContext context) {
        Map<String, Double> metrics = new LinkedHashMap<>();
        for (String m : spec.metrics()) {
            Object value = context.captured(m);
            if (value instanceof Number n) {
                metrics.put(m, n.doubleValue());
            } else if (value instanceof Boolean b) {
                metrics.put(m, b ? 1.0 : 0.0);
            } else {
                throw new StepFailure("step " + spec.step() + ": metric `" + m + "` is "
                        + (value == null ? "null" : "a " + value.getClass().getSimpleName())
                        + ", but metrics must be numbers");
            }
        }
        return metrics;
    }

    /** The artifact file of a variable inside a step's output directory. */
    public static String artifactName(String variable) {
        return variable + ".k4j";
    }

    /** Types JShell reports that cannot be written in a declaration fall back to {@code Object}. */
    static String declarableType(String typeName) {
        if (typeName == null || typeName.isBlank() || typeName.contains("<anonymous") || typeName.contains("capture#")
                || typeName.contains("&") || typeName.contains("$")) {
            return "Object";
        }
        return typeName;
    }

    private static String runtimeLocation() {
        try {
            return Path.of(Bridge.class.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    private static long millisSince(long start) {
        return (System.nanoTime() - start) / 1_000_000;
    }

    /** One JShell with the bookkeeping to turn its events into messages that point at notebook cells. */
    private static final class Session {
        private final JShell shell;
        private final String ctx;
        private final String step;
        private final PrintWriter codeLog;
        private final Map<String, CodeBlock> origins = new HashMap<>();

        Session(JShell shell, String ctx, String step, PrintWriter codeLog) {
            this.shell = shell;
            this.ctx = ctx;
            this.step = step;
            this.codeLog = codeLog;
        }

        void eval(String source, CodeBlock origin) {
            if (codeLog != null) {
                codeLog.println(origin == null ? source : "// " + origin.where() + "\n" + source);
            }
            for (SnippetEvent e : shell.eval(source)) {
                if (e.causeSnippet() != null) {
                    continue;
                }
                Snippet s = e.snippet();
                if (origin != null) {
                    origins.put(s.id(), origin);
                }
                if (e.status() == Snippet.Status.REJECTED) {
                    throw new StepFailure(rejected(s, origin));
                }
                if (e.exception() != null) {
                    throw new StepFailure(thrown(e.exception(), origin));
                }
                if (s instanceof TypeDeclSnippet t && e.status().isDefined()) {
                    shell.eval(BRIDGE + ".registerType(\"" + ctx + "\", \"" + t.name() + "\", " + t.name() + ".class);");
                }
            }
        }

        /**
         * Captures variables through the bridge in one evaluation (each evaluation compiles a class) and
         * returns the type JShell knows each has.
         */
        Map<String, String> capture(List<String> variables) {
            Map<String, String> types = new LinkedHashMap<>();
            if (variables.isEmpty()) {
                return types;
            }
            StringBuilder block = new StringBuilder("{");
            for (String variable : variables) {
                VarSnippet var = shell.variables()
                        .filter(v -> v.name().equals(variable) && shell.status(v).isActive())
                        .reduce((a, b) -> b)
                        .orElseThrow(() -> new StepFailure("step " + step + " should produce `" + variable
                                + "`, but its code did not declare it"));
                types.put(variable, var.typeName());
                block.append(BRIDGE).append(".capture(\"").append(ctx).append("\", \"").append(variable).append("\", ")
                        .append(variable).append(");");
            }
            eval(block.append("}").toString(), null);
            return types;
        }

        private String rejected(Snippet s, CodeBlock origin) {
            StringBuilder sb = new StringBuilder();
            shell.diagnostics(s).filter(Diag::isError).findFirst().ifPresentOrElse(d -> {
                int line = origin == null ? 1 : origin.line() + lineOffset(s.source(), (int) d.getStartPosition());
                sb.append(place(origin, line)).append(": ").append(d.getMessage(Locale.ROOT).lines().findFirst().orElse(""));
            }, () -> sb.append(place(origin, origin == null ? 1 : origin.line())).append(": the code was rejected"));
            return sb.toString();
        }

        private String thrown(JShellException ex, CodeBlock origin) {
            String what;
            if (ex instanceof EvalException ee) {
                what = ee.getExceptionClassName() + (ee.getMessage() == null ? "" : ": " + ee.getMessage());
            } else if (ex instanceof UnresolvedReferenceException ure) {
                what = "unresolved reference: " + ure.getSnippet().source().lines().findFirst().orElse("")
                        + " needs a declaration that is missing";
            } else {
                what = ex.toString();
            }
            int line = origin == null ? 1 : origin.line();
            StringBuilder trace = new StringBuilder();
            for (StackTraceElement el : ex.getStackTrace()) {
                String file = el.getFileName();
                if (file != null && file.startsWith("#")) {
                    CodeBlock o = origins.get(file.substring(1));
                    if (o != null) {
                        int l = o.line() + Math.max(el.getLineNumber(), 1) - 1;
                        if (trace.length() == 0 && o == origin) {
                            line = l;
                        }
                        trace.append("\n    at ").append(el.getMethodName().startsWith("do_it$") ? "" : el.getMethodName() + ", ")
                                .append("cell ").append(o.cell()).append(", line ").append(l);
                    }
                }
            }
            return place(origin, line) + ": " + what + trace;
        }

        private String place(CodeBlock origin, int line) {
            return "step " + step + " failed" + (origin == null ? "" : " at cell " + origin.cell()
                    + (origin.cellId() == null ? "" : " (id " + origin.cellId() + ")") + ", line " + line);
        }

        private static int lineOffset(String source, int pos) {
            int n = 0;
            for (int i = 0; i < Math.min(pos, source.length()); i++) {
                if (source.charAt(i) == '\n') {
                    n++;
                }
            }
            return n;
        }
    }
}
