package dev.kale4j.bench.kernel;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import jdk.jshell.JShell;
import jdk.jshell.SnippetEvent;

/**
 * The kernel benchmark's baseline: a bare JShell (local execution, in its own JVM) that evaluates a snippet
 * each time it reads a line and answers with the evaluation's time in nanoseconds and its value. A JVM of its
 * own per measured kernel gives the baseline the same JIT history as the kernel it is compared with; in the
 * benchmark's JVM it would get warmer with every kernel measured before.
 *
 * <p>Protocol: {@code BareJShell SNIPPET [IMPORT...]}; each input line runs SNIPPET once and prints
 * {@code NANOS VALUE}; end of input ends it.
 */
public final class BareJShell {
    private BareJShell() {
    }

    public static void main(String[] args) throws IOException {
        try (JShell js = JShell.builder().executionEngine("local").build();
                BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
                PrintWriter out = new PrintWriter(new OutputStreamWriter(System.out, StandardCharsets.UTF_8), true)) {
            for (int a = 1; a < args.length; a++) {
                js.eval("import " + args[a] + ";");
            }
            js.eval("int i = 0;");
            out.println("ready");
            while (in.readLine() != null) {
                long t0 = System.nanoTime();
                SnippetEvent ev = js.eval(args[0]).get(0);
                // Dropped as the kernel drops its own: JShell imports each live $N into every later snippet.
                js.drop(ev.snippet());
                out.println((System.nanoTime() - t0) + " " + ev.value());
            }
        }
    }

    /** A running baseline process. */
    static final class Process implements AutoCloseable {
        private final java.lang.Process process;
        private final BufferedReader replies;
        private final PrintWriter requests;

        Process(String snippet, List<String> imports) throws IOException {
            List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-XX:+UseSerialGC", "-cp", System.getProperty("java.class.path"), BareJShell.class.getName(), snippet));
            cmd.addAll(imports);
            process = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT).start();
            replies = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
            requests = new PrintWriter(new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8), true);
            if (!"ready".equals(replies.readLine())) {
                throw new IOException("the bare JShell baseline did not start");
            }
        }

        /** Evaluates the snippet once; returns milliseconds, after checking the value. */
        double eval(String expectedValue) throws IOException {
            requests.println();
            String line = replies.readLine();
            if (line == null) {
                throw new IOException("the bare JShell baseline ended");
            }
            String[] nv = line.split(" ", 2);
            if (!expectedValue.equals(nv[1])) {
                throw new IllegalStateException("bare JShell gave " + nv[1]);
            }
            return Long.parseLong(nv[0]) / 1e6;
        }

        @Override
        public void close() throws IOException {
            requests.close();
            try {
                if (!process.waitFor(10, TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                process.destroyForcibly();
            }
        }
    }
}
