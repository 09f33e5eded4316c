package dev.kale4j.kernel.engine;

import dev.kale4j.kernel.api.Display;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.locks.ReentrantLock;
import java.util.stream.Collectors;
import jdk.jshell.DeclarationSnippet;
import jdk.jshell.Diag;
import jdk.jshell.EvalException;
import jdk.jshell.ExpressionSnippet;
import jdk.jshell.ImportSnippet;
import jdk.jshell.JShell;
import jdk.jshell.JShellException;
import jdk.jshell.MethodSnippet;
import jdk.jshell.Snippet;
import jdk.jshell.SnippetEvent;
import jdk.jshell.SourceCodeAnalysis;
import jdk.jshell.SourceCodeAnalysis.Completeness;
import jdk.jshell.TypeDeclSnippet;
import jdk.jshell.UnresolvedReferenceException;
import jdk.jshell.VarSnippet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A JShell session whose user code runs in a separate execution JVM. The session survives the
 * death of that JVM: the next JVM (pre-started) takes over, imports, class path, methods and
 * classes are declared again, and the user is told which variables were lost.
 */
public final class JavaEngine implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(JavaEngine.class);

    private final AgentLauncher launcher;
    private final EngineOutput output;
    private final InputProvider input;
    private final String apiClasspath;
    private final boolean keepSpare;
    private final List<String> classpath = new CopyOnWriteArrayList<>();
    /** -sources.jar files of class path jars, for Javadoc in inspection. */
    private final List<java.nio.file.Path> sourceJars = new CopyOnWriteArrayList<>();
    private final ReentrantLock lock = new ReentrantLock();
    /** Where each snippet came from, for tracebacks that point at cell lines. */
    private final Map<String, Origin> origins = new ConcurrentHashMap<>();
    private final CompletenessMemo completeness = new CompletenessMemo(256);
    private volatile Session session;
    private volatile boolean running;
    private volatile boolean interrupted;
    private volatile Thread warmUp;

    private record Origin(int cell, int line) {
    }

    private static final class Session {
        final JShell jshell;
        final GeneratedClasses generated;
        /** The jshell tool's default imports, made per type as cells name them. */
        final DefaultImports imports = new DefaultImports();
        final Agent[] agent = new Agent[1];
        volatile boolean dead;

        Session(JShell jshell) {
            this.jshell = jshell;
            this.generated = GeneratedClasses.of(jshell);
        }
    }

    public JavaEngine(AgentLauncher launcher, EngineOutput output, InputProvider input, String apiClasspath,
            boolean keepSpare) {
        this.launcher = launcher;
        this.output = output;
        this.input = input;
        this.apiClasspath = apiClasspath;
        this.keepSpare = keepSpare;
    }

    /** Builds and warms the session in the background; calls that need it wait for it. */
    public void startAsync() {
        lock.lock();
        try {
            Thread t = new Thread(() -> {
                lock.lock();
                try {
                    ensureSession();
                } catch (RuntimeException e) {
                    LOG.error("could not start the Java session", e);
                } finally {
                    lock.unlock();
                }
            }, "kale4j-engine-start");
            t.setDaemon(true);
            warmUp = t;
            t.start();
        } finally {
            lock.unlock();
        }
    }

    private Session ensureSession() {
        Session s = session;
        if (s != null && !s.dead) {
            return s;
        }
        s = newSession();
        session = s;
        return s;
    }

    private Session newSession() {
        long t0 = System.nanoTime();
        Agent agent;
        try {
            agent = launcher.take();
        } catch (IOException | RuntimeException e) {
            throw new IllegalStateException("cannot start the execution JVM: " + e.getMessage(), e);
        }
        Session[] holder = new Session[1];
        Agent[] generated = new Agent[1];
        AgentExecutionControlProvider provider = new AgentExecutionControlProvider(agent,
                new TextStream(output::stdout), new TextStream(output::stderr), new FrameStream(this::displayFrame),
                this::nextInputLine, a -> generated[0] = a);
        PrintStream quiet = new PrintStream(OutputStream.nullOutputStream());
        JShell js = buildWithCompilerClasspath(JShell.builder()
                .executionEngine(provider, Map.of())
                .out(quiet).err(quiet), apiClasspath);
        Session s = new Session(js);
        holder[0] = s;
        js.onShutdown(j -> s.dead = true);
        // Sets the compiler's class path explicitly (JShell's own start value is java.class.path).
        js.addToClasspath(apiClasspath);
        s.agent[0] = agent;
        for (String entry : classpath) {
            js.addToClasspath(entry);
        }
        DefaultImports.warmUp();
        js.eval("import static " + Display.class.getName() + ".*;");
        // Compile and run one statement so javac and the class loading path are warm before the
        // first real cell (it is not a declaration, so it leaves nothing behind in the session).
        js.eval("{ }");
        LOG.info("Java session ready in {} ms (execution JVM pid {})", (System.nanoTime() - t0) / 1_000_000,
                agent.process().pid());
        if (keepSpare) {
            launcher.prestart();
        }
        return s;
    }

    /**
     * Builds a JShell whose compiler class path starts as {@code classpath} instead of the kernel
     * JVM's own class path (JShell's compiler starts from {@code java.class.path}, read once while
     * it is built). The kernel's ~100 jars (Jackson, jeromq, Kubernetes client, ...) are not on
     * the execution JVM's class path, so user code compiled against them would fail at run time;
     * and javac indexes every class path jar for each of the four compilations of an evaluation
     * (1.5-4 ms per evaluation measured on a small machine).
     */
    static JShell buildWithCompilerClasspath(JShell.Builder builder, String classpath) {
        synchronized (JavaEngine.class) {
            String host = System.getProperty("java.class.path");
            System.setProperty("java.class.path", classpath);
            try {
                return builder.build();
            } finally {
                if (host == null) {
                    System.clearProperty("java.class.path");
                } else {
                    System.setProperty("java.class.path", host);
                }
            }
        }
    }

    private void displayFrame(String frame) {
        if (frame.startsWith("D")) {
            output.display(frame.substring(1));
        } else if (frame.startsWith("C") || frame.startsWith("W")) {
            output.clearOutput(frame.startsWith("W"));
        }
    }

    /** Adds a jar or directory to the session's class path (compiler and execution JVM). */
    public void addToClasspath(String entry) {
        withLock(() -> {
            classpath.add(entry);
            java.nio.file.Path sources = JavaSources.sourcesJarFor(entry);
            if (sources != null && !sourceJars.contains(sources)) {
                sourceJars.add(sources);
            }
            ensureSession().jshell.addToClasspath(entry);
            return null;
        });
    }

    /** Class files JShell holds for its compiler (-1 if unknown): for tests. */
    int generatedClassCount() {
        return withLock(() -> ensureSession().generated.size());
    }

    /** Full names of the session's active imports (single-type and on demand): for tests. */
    List<String> activeImports() {
        return withLock(() -> {
            JShell js = ensureSession().jshell;
            return js.imports().filter(i -> js.status(i).isActive()).map(i -> i.fullname()).toList();
        });
    }

    public List<String> classpath() {
        return List.copyOf(classpath);
    }

    /** Runs a cell's code (magics already removed); {@code firstLine} is its line in the cell. */
    public CellOutcome execute(String code, int cellNumber, int firstLine) {
        // The cell counts as running from here, even while it waits for the session to finish
        // warming up: an interrupt in that window must cancel it, not be lost.
        interrupted = false;
        running = true;
        try {
            return withLock(() -> {
                try {
                    return executeLocked(code, cellNumber, firstLine);
                } finally {
                    Session s = session;
                    if (s != null && !s.dead) {
                        s.generated.prune();
                    }
                }
            });
        } finally {
            running = false;
        }
    }

    private CellOutcome executeLocked(String code, int cellNumber, int firstLine) {
        Session s = ensureSession();
        try {
            // Forget interrupts of earlier cells in the agent; an interrupt sent after this point
            // stops this cell even if it arrives before user code starts.
            s.agent[0].sendControl(dev.kale4j.kernel.agent.ExecAgent.CONTROL_RESET);
        } catch (IOException e) {
            LOG.debug("execution JVM unreachable before a cell: {}", e.toString());
        }
        if (interrupted) {
            return failed(new EngineError("Interrupted", "interrupted by the user",
                    List.of(red("Interrupted") + " before the cell started")), List.of(), List.of());
        }
        long splitStart = System.nanoTime();
        SourceCodeAnalysis sca = s.jshell.sourceCodeAnalysis();
        CellSplitter.Split split = CellSplitter.split(code, t -> completeness.analyze(t, sca));
        List<CellSplitter.Chunk> chunks = new ArrayList<>(split.chunks());
        if (split.pending() != null) {
            chunks.add(split.pending());
        }
        List<String> vars = new ArrayList<>();
        List<String> names = new ArrayList<>();
        String valueText = null;
        String valueBundle = null;
        for (int i = 0; i < chunks.size(); i++) {
            CellSplitter.Chunk chunk = chunks.get(i);
            int line = firstLine + chunk.line() - 1;
            if (!chunk.complete() && chunk.completeness() != Completeness.UNKNOWN
                    && chunk.completeness() != Completeness.EMPTY) {
                return failed(new EngineError("CompilationException", "incomplete code at cell line " + line,
                        List.of(red("cell line " + line + ": the code is incomplete (missing '}', ')' or ';'?)"),
                                firstLineOf(chunk.source()))), vars, names);
            }
            long evalStart = System.nanoTime();
            s.imports.prepare(s.jshell, chunk.source());
            List<SnippetEvent> events = s.jshell.eval(chunk.source());
            if (LOG.isTraceEnabled()) {
                LOG.trace("eval took {} us ({} us after the cell started)", (System.nanoTime() - evalStart) / 1000,
                        (evalStart - splitStart) / 1000);
            }
            if (s.dead) {
                return failed(engineDied(s), vars, names);
            }
            valueText = null;
            valueBundle = null;
            try {
                for (SnippetEvent e : events) {
                    Snippet sn = e.snippet();
                    if (e.causeSnippet() == null) {
                        origins.put(sn.id(), new Origin(cellNumber, line));
                    }
                    if (e.causeSnippet() != null) {
                        continue;
                    }
                    if (e.status() == Snippet.Status.REJECTED) {
                        return failed(compileError(s.jshell, sn, chunk.source(), line), vars, names);
                    }
                    if (interrupted) {
                        return failed(new EngineError("Interrupted", "interrupted by the user",
                                List.of(red("Interrupted") + " at cell line " + line)), vars, names);
                    }
                    if (e.exception() != null) {
                        return failed(runtimeError(s.jshell, e.exception(), sn), vars, names);
                    }
                    if (e.status() == Snippet.Status.RECOVERABLE_DEFINED
                            || e.status() == Snippet.Status.RECOVERABLE_NOT_DEFINED) {
                        output.notice(describe(sn) + " can be used once "
                                + s.jshell.unresolvedDependencies((DeclarationSnippet) sn).collect(Collectors.joining(", "))
                                + " is declared\n");
                    }
                    if (sn instanceof VarSnippet v && e.status().isDefined()) {
                        if (v.subKind() == Snippet.SubKind.TEMP_VAR_EXPRESSION_SUBKIND) {
                            valueText = e.value();
                        } else if (!vars.contains(v.name())) {
                            vars.add(v.name());
                        }
                    } else if (sn instanceof ExpressionSnippet) {
                        if (sn.subKind() == Snippet.SubKind.VAR_VALUE_SUBKIND) {
                            valueText = e.value();
                        }
                    } else if ((sn instanceof MethodSnippet || sn instanceof TypeDeclSnippet) && e.status().isDefined()) {
                        names.add(((DeclarationSnippet) sn).name());
                    }
                }
            } finally {
                dropTempVars(s, events);
            }
            if (valueText != null && valueText.startsWith(Display.VALUE_MARKER)) {
                valueBundle = valueText.substring(Display.VALUE_MARKER.length());
            }
        }
        return new CellOutcome(valueText, valueBundle, null, vars, names);
    }

    /**
     * JShell keeps the value of each expression cell as a variable ($1, $2, ...) and puts one
     * import line per defined variable into the wrapper class of every later snippet, so each
     * evaluation gets slower with every expression cell run before it (~5 ms per evaluation after
     * 130 cells on a small machine). A notebook shows values as results, not as $N names: drop
     * them once their value (already in the event) has been read.
     */
    private static void dropTempVars(Session s, List<SnippetEvent> events) {
        if (s.dead) {
            return;
        }
        for (SnippetEvent e : events) {
            if (e.causeSnippet() == null && e.snippet() instanceof VarSnippet v
                    && v.subKind() == Snippet.SubKind.TEMP_VAR_EXPRESSION_SUBKIND && e.status().isDefined()) {
                try {
                    s.jshell.drop(v);
                } catch (IllegalStateException | IllegalArgumentException ex) {
                    LOG.debug("cannot drop {}: {}", v.name(), ex.toString());
                }
            }
        }
    }

    private static CellOutcome failed(EngineError error, List<String> vars, List<String> names) {
        return new CellOutcome(null, null, error, vars, names);
    }

    private EngineError compileError(JShell js, Snippet sn, String source, int firstLine) {
        List<String> tb = new ArrayList<>();
        String first = null;
        List<Diag> diags = js.diagnostics(sn).filter(Diag::isError).toList();
        for (Diag d : diags) {
            String msg = d.getMessage(null);
            int pos = (int) Math.max(0, Math.min(source.length(), d.getStartPosition() < 0 ? 0 : d.getStartPosition()));
            int lineInSnippet = 1 + (int) source.substring(0, pos).chars().filter(c -> c == '\n').count();
            int lineStart = source.lastIndexOf('\n', pos - 1) + 1;
            int lineEnd = source.indexOf('\n', pos);
            String srcLine = source.substring(lineStart, lineEnd < 0 ? source.length() : lineEnd);
            tb.add(red("cell line " + (firstLine + lineInSnippet - 1) + ": " + msg));
            tb.add(srcLine);
            tb.add(" ".repeat(Math.max(0, pos - lineStart)) + "^");
            if (first == null) {
                first = "cell line " + (firstLine + lineInSnippet - 1) + ": " + msg;
            }
        }
        if (first == null) {
            first = "the code was rejected: " + firstLineOf(source);
            tb.add(red(first));
        }
        return new EngineError("CompilationException", first, tb);
    }

    private EngineError runtimeError(JShell js, JShellException ex, Snippet sn) {
        List<String> tb = new ArrayList<>();
        String ename;
        String evalue;
        if (ex instanceof EvalException ee) {
            ename = ee.getExceptionClassName();
            evalue = ee.getMessage() == null ? "" : ee.getMessage();
            appendTrace(tb, ee, "");
        } else if (ex instanceof UnresolvedReferenceException ure) {
            DeclarationSnippet d = ure.getSnippet();
            ename = "UnresolvedReferenceException";
            evalue = describe(d) + " cannot be used until "
                    + js.unresolvedDependencies(d).collect(Collectors.joining(", ")) + " is declared";
            tb.add(red(ename + ": " + evalue));
        } else {
            ename = ex.getClass().getName();
            evalue = String.valueOf(ex.getMessage());
            tb.add(red(ename + ": " + evalue));
        }
        return new EngineError(ename, evalue, tb);
    }

    private void appendTrace(List<String> tb, EvalException ee, String prefix) {
        String msg = ee.getMessage();
        tb.add(red(prefix + ee.getExceptionClassName() + (msg == null ? "" : ": " + msg)));
        for (StackTraceElement el : ee.getStackTrace()) {
            String file = el.getFileName();
            if (file != null && file.startsWith("#")) {
                String id = file.substring(1);
                Origin o = origins.get(id);
                String method = el.getMethodName().equals("do_it$") || el.getMethodName().isEmpty()
                        ? "" : el.getMethodName() + " ";
                String where = o == null ? "snippet " + id + " line " + el.getLineNumber()
                        : "cell [" + o.cell + "] line " + (o.line + el.getLineNumber() - 1);
                tb.add("    at " + method + "(" + where + ")");
            } else if (!el.getClassName().startsWith("jdk.internal.reflect")
                    && !el.getClassName().startsWith("java.lang.reflect.Method")
                    && !el.getClassName().startsWith("jdk.jshell.") && !el.getClassName().startsWith("dev.kale4j.kernel.agent")) {
                tb.add("    at " + el);
            }
        }
        if (ee.getCause() instanceof EvalException cause) {
            appendTrace(tb, cause, "Caused by: ");
        }
    }

    private EngineError engineDied(Session dead) {
        Agent agent = dead.agent[0];
        Integer code = agent == null ? null : agent.exitCode(2_000);
        List<String> lostVars = new ArrayList<>();
        List<String> redeclared = new ArrayList<>();
        List<String> replay = new ArrayList<>();
        List<Origin> replayOrigins = new ArrayList<>();
        try {
            JShell old = dead.jshell;
            for (Snippet sn : old.snippets().toList()) {
                Snippet.Status st = old.status(sn);
                if (!st.isActive()) {
                    continue;
                }
                if (sn instanceof VarSnippet v) {
                    if (!v.name().startsWith("$")) {
                        lostVars.add(v.name());
                    }
                } else if (sn instanceof ImportSnippet imp) {
                    // The new session makes its own default imports as the replayed code names the types.
                    if (!dead.imports.madeBySession(imp) && !imp.source().contains(Display.class.getName())) {
                        replay.add(sn.source());
                        replayOrigins.add(origins.get(sn.id()));
                    }
                } else if (sn instanceof MethodSnippet || sn instanceof TypeDeclSnippet) {
                    replay.add(sn.source());
                    replayOrigins.add(origins.get(sn.id()));
                    redeclared.add(((DeclarationSnippet) sn).name());
                }
            }
        } catch (RuntimeException e) {
            LOG.debug("cannot list the lost session's snippets", e);
        }
        try {
            dead.jshell.close();
        } catch (RuntimeException ignored) {
            // already closed by the shutdown
        }
        String how = code == null ? "ended" : "exited (exit code " + code + ")";
        StringBuilder msg = new StringBuilder("The execution JVM " + how + "; a new one was started.");
        try {
            session = null;
            // Snippet ids restart in a new JShell, so the old id-to-cell map would mislead.
            origins.clear();
            Session fresh = ensureSession();
            for (int i = 0; i < replay.size(); i++) {
                fresh.imports.prepare(fresh.jshell, replay.get(i));
                for (SnippetEvent ev : fresh.jshell.eval(replay.get(i))) {
                    if (ev.causeSnippet() == null && replayOrigins.get(i) != null) {
                        origins.put(ev.snippet().id(), replayOrigins.get(i));
                    }
                }
            }
        } catch (RuntimeException e) {
            msg.append(" Starting a new one failed: ").append(e.getMessage());
        }
        msg.append(lostVars.isEmpty() ? " No variables were lost."
                : " Lost variables: " + String.join(", ", new LinkedHashSet<>(lostVars)) + ".");
        if (!redeclared.isEmpty()) {
            msg.append(" Declared again: ").append(String.join(", ", redeclared)).append('.');
        }
        if (!classpath.isEmpty()) {
            msg.append(" Class path restored.");
        }
        return new EngineError("ExecutionEngineTerminated", msg.toString(), List.of(red("ExecutionEngineTerminated: " + msg)));
    }

    /** Stops the running cell; a no-op when nothing runs. Safe from any thread. */
    public void interrupt() {
        if (!running) {
            return;
        }
        interrupted = true;
        Session s = session;
        if (s != null) {
            s.jshell.stop();
        }
    }

    public boolean isInterrupted() {
        return interrupted;
    }

    public boolean isRunning() {
        return running;
    }

    /** Completion result: replacement candidates for the code between start and end. */
    public record Completion(List<String> matches, int start, int end) {
    }

    public Completion complete(String code, int cursor) {
        return withLock(() -> {
            Session s = ensureSession();
            SourceCodeAnalysis sca = s.jshell.sourceCodeAnalysis();
            int chunkStart = currentChunkStart(code.substring(0, cursor), sca);
            String src = code.substring(chunkStart, cursor);
            s.imports.prepare(s.jshell, src);
            int[] anchor = new int[1];
            List<SourceCodeAnalysis.Suggestion> suggestions = sca.completionSuggestions(src, src.length(), anchor);
            Set<String> matches = new LinkedHashSet<>();
            suggestions.stream()
                    .sorted(Comparator.comparing(sg -> !sg.matchesType()))
                    .forEach(sg -> matches.add(sg.continuation()));
            int identStart = identifierStart(src, src.length());
            String typed = src.substring(identStart);
            if (!typed.isEmpty() && Character.isUpperCase(typed.charAt(0))
                    && (identStart == 0 || src.charAt(identStart - 1) != '.')) {
                // Default-package types not imported yet: JShell only offers names already in scope.
                if (matches.isEmpty()) {
                    anchor[0] = identStart;
                }
                if (anchor[0] == identStart) {
                    matches.addAll(s.imports.typesStartingWith(s.jshell, typed));
                }
            }
            return new Completion(new ArrayList<>(matches), chunkStart + anchor[0], cursor);
        });
    }

    private int currentChunkStart(String prefix, SourceCodeAnalysis sca) {
        CellSplitter.Split split = CellSplitter.split(prefix, t -> completeness.analyze(t, sca));
        if (split.pending() != null) {
            return split.pending().offset();
        }
        List<CellSplitter.Chunk> chunks = split.chunks();
        return chunks.isEmpty() ? prefix.length() : chunks.get(chunks.size() - 1).offset();
    }

    /** Signature and Javadoc of what is at the cursor, as plain text; null when there is nothing to show. */
    public String inspect(String code, int cursor) {
        Inspection i = inspectRich(code, cursor);
        return i == null ? null : i.text();
    }

    /** What inspection shows: plain text and the same as HTML. */
    public record Inspection(String text, String html) {
    }

    /**
     * Signature and Javadoc of what is at the cursor (Javadoc when the JDK's src.zip or the
     * jar's -sources.jar is found, see {@link JavaSources}); null when there is nothing to show.
     */
    public Inspection inspectRich(String code, int cursor) {
        return withLock(() -> {
            Session s = ensureSession();
            SourceCodeAnalysis sca = s.jshell.sourceCodeAnalysis();
            JavaSources.apply(sca, List.copyOf(sourceJars));
            int chunkStart = currentChunkStart(code.substring(0, cursor), sca);
            // Extend to the end of the identifier so "Math.ma|x(" still documents max.
            int end = identifierEnd(code, cursor);
            String src = code.substring(chunkStart, end);
            s.imports.prepare(s.jshell, src);
            StringBuilder text = new StringBuilder();
            StringBuilder html = new StringBuilder();
            String ident = identifierAt(code, cursor);
            if (ident != null && src.strip().equals(ident)) {
                // A session variable: its type and current value say more than JShell's "name:type".
                s.jshell.variables().filter(v -> v.name().equals(ident) && s.jshell.status(v).isActive())
                        .forEach(v -> text.append(v.typeName()).append(' ').append(v.name()).append(" = ")
                                .append(s.jshell.varValue(v)).append('\n'));
                if (text.length() > 0) {
                    return new Inspection(text.toString(),
                            "<pre><code>" + JavadocText.escape(text.toString().strip()) + "</code></pre>\n");
                }
            }
            List<SourceCodeAnalysis.Documentation> docs = sca.documentation(src, src.length(), true);
            if (docs.isEmpty() && !src.endsWith("(")) {
                // JShell documents calls ("Math.max(") more readily than bare names ("Math.max").
                docs = sca.documentation(src + "(", src.length() + 1, true);
            }
            for (SourceCodeAnalysis.Documentation d : docs) {
                if (text.length() > 0) {
                    text.append('\n');
                    html.append("<hr/>\n");
                }
                text.append(JavadocText.plain(d.signature(), d.javadoc()));
                html.append(JavadocText.html(d.signature(), d.javadoc()));
            }
            if (text.length() == 0) {
                if (ident != null) {
                    s.jshell.variables().filter(v -> v.name().equals(ident) && s.jshell.status(v).isActive())
                            .forEach(v -> text.append(v.typeName()).append(' ').append(v.name()).append(" = ")
                                    .append(s.jshell.varValue(v)).append('\n'));
                    s.jshell.methods().filter(m -> m.name().equals(ident) && s.jshell.status(m).isActive())
                            .forEach(m -> text.append(m.source().strip().split("\\{", 2)[0].strip()).append('\n'));
                    if (text.length() > 0) {
                        html.append("<pre><code>").append(JavadocText.escape(text.toString().strip())).append("</code></pre>\n");
                    }
                }
            }
            return text.length() == 0 ? null : new Inspection(text.toString(), html.toString());
        });
    }

    private static String identifierAt(String code, int cursor) {
        int at = Math.min(cursor, code.length());
        int a = identifierStart(code, at);
        int b = identifierEnd(code, at);
        return a < b ? code.substring(a, b) : null;
    }

    /** Where the identifier that ends at {@code pos} starts ({@code pos} if none does). */
    private static int identifierStart(String code, int pos) {
        while (pos > 0 && Character.isJavaIdentifierPart(code.charAt(pos - 1))) {
            pos--;
        }
        return pos;
    }

    /** Where the identifier that starts at {@code pos} ends ({@code pos} if none does). */
    private static int identifierEnd(String code, int pos) {
        while (pos < code.length() && Character.isJavaIdentifierPart(code.charAt(pos))) {
            pos++;
        }
        return pos;
    }

    /** Jupyter's is_complete: "complete", "incomplete" or "invalid". */
    public String isComplete(String code) {
        return withLock(() -> {
            SourceCodeAnalysis sca = ensureSession().jshell.sourceCodeAnalysis();
            CellSplitter.Split split = CellSplitter.split(code, t -> completeness.analyze(t, sca));
            for (CellSplitter.Chunk c : split.chunks()) {
                if (c.completeness() == Completeness.UNKNOWN) {
                    return "invalid";
                }
            }
            if (split.pending() == null) {
                return "complete";
            }
            Completeness c = split.pending().completeness();
            if (c == Completeness.UNKNOWN) {
                return "invalid";
            }
            return c == Completeness.DEFINITELY_INCOMPLETE || c == Completeness.CONSIDERED_INCOMPLETE
                    ? "incomplete" : "complete";
        });
    }

    /** Names of the variables currently defined, for pipeline tracking. */
    public List<String> variableNames() {
        return withLock(() -> {
            JShell js = ensureSession().jshell;
            return js.variables().filter(v -> js.status(v).isActive()).map(VarSnippet::name).toList();
        });
    }

    /** Type name of a defined variable, or null. */
    public String variableType(String name) {
        return withLock(() -> {
            JShell js = ensureSession().jshell;
            return js.variables().filter(v -> v.name().equals(name) && js.status(v).isActive())
                    .map(VarSnippet::typeName).findFirst().orElse(null);
        });
    }

    private <T> T withLock(java.util.function.Supplier<T> body) {
        lock.lock();
        try {
            return body.get();
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void close() {
        Session s = session;
        if (s != null) {
            try {
                s.jshell.close();
            } catch (RuntimeException ignored) {
                // closing anyway
            }
        }
        launcher.close();
    }

    private static String describe(Snippet sn) {
        if (sn instanceof MethodSnippet m) {
            return "method " + m.name() + m.signature().replaceFirst("\\).*", ")");
        }
        if (sn instanceof TypeDeclSnippet t) {
            return "class " + t.name();
        }
        if (sn instanceof VarSnippet v) {
            return "variable " + v.name();
        }
        return "snippet";
    }

    private static String firstLineOf(String s) {
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl) + " ...";
    }

    static String red(String s) {
        return "\u001b[0;31m" + s + "\u001b[0m";
    }

    /** Decodes UTF-8 from the execution JVM, keeping a multi-byte character split across packets. */
    private static final class TextStream extends OutputStream {
        private final java.util.function.Consumer<String> sink;
        private final java.io.ByteArrayOutputStream partial = new java.io.ByteArrayOutputStream();

        TextStream(java.util.function.Consumer<String> sink) {
            this.sink = sink;
        }

        @Override
        public void write(int b) {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public synchronized void write(byte[] b, int off, int len) {
            partial.write(b, off, len);
            byte[] all = partial.toByteArray();
            int end = completeUtf8Prefix(all);
            if (end > 0) {
                sink.accept(new String(all, 0, end, StandardCharsets.UTF_8));
                partial.reset();
                partial.write(all, end, all.length - end);
            }
        }

        private static int completeUtf8Prefix(byte[] b) {
            int n = b.length;
            // Look back at most 3 bytes for the start of an unfinished sequence.
            for (int i = n - 1; i >= Math.max(0, n - 3); i--) {
                int c = b[i] & 0xff;
                if ((c & 0xC0) == 0x80) {
                    continue; // continuation byte
                }
                int need = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC0 ? 2 : 1;
                return i + need <= n ? n : i;
            }
            return n;
        }
    }

    /** Length-prefixed display frames from {@link Display#display}. */
    private static final class FrameStream extends OutputStream {
        private final java.util.function.Consumer<String> sink;
        private final java.io.ByteArrayOutputStream buf = new java.io.ByteArrayOutputStream();

        FrameStream(java.util.function.Consumer<String> sink) {
            this.sink = sink;
        }

        @Override
        public void write(int b) {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public synchronized void write(byte[] b, int off, int len) {
            buf.write(b, off, len);
            byte[] all = buf.toByteArray();
            int pos = 0;
            while (all.length - pos >= 4) {
                int n = ((all[pos] & 0xff) << 24) | ((all[pos + 1] & 0xff) << 16) | ((all[pos + 2] & 0xff) << 8)
                        | (all[pos + 3] & 0xff);
                if (all.length - pos - 4 < n) {
                    break;
                }
                sink.accept(new String(all, pos + 4, n, StandardCharsets.UTF_8));
                pos += 4 + n;
            }
            buf.reset();
            buf.write(all, pos, all.length - pos);
        }
    }

    /** A line for System.in of user code, asked for with an input_request; null = end of input. */
    private String nextInputLine() throws IOException {
        if (interrupted) {
            throw new InterruptedIOException("interrupted");
        }
        String line = input.readLine("", false);
        if (interrupted) {
            throw new InterruptedIOException("interrupted");
        }
        return line;
    }
}
