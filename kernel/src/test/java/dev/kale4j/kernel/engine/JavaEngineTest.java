package dev.kale4j.kernel.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import javax.tools.ToolProvider;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The engine with a real execution JVM: values, errors, interrupt and the JVM's death. */
@org.junit.jupiter.api.Timeout(value = 120, threadMode = org.junit.jupiter.api.Timeout.ThreadMode.SEPARATE_THREAD)
class JavaEngineTest {
    private static final StringBuffer OUT = new StringBuffer();
    private static JavaEngine engine;

    @BeforeAll
    static void start() throws Exception {
        engine = TestEngines.start(OUT);
        // Wait for the warm-up so timings below measure the engine, not the session start.
        assertThat(engine.execute("0", 0, 1).ok()).isTrue();
    }

    @AfterAll
    static void stop() {
        engine.close();
    }

    @Test
    void evaluatesInAnotherJvm() {
        CellOutcome o = engine.execute("ProcessHandle.current().pid()", 1, 1);
        assertThat(o.ok()).isTrue();
        assertThat(Long.parseLong(o.valueText())).isNotEqualTo(ProcessHandle.current().pid());
    }

    @Test
    void recordsDefinedVariablesAndRichValues() {
        CellOutcome o = engine.execute("int a = 1;\nString b = \"x\";\nvoid m() {}\nhtml(\"<p>\")", 2, 1);
        assertThat(o.definedVariables()).containsExactly("a", "b");
        assertThat(o.definedNames()).containsExactly("m");
        assertThat(o.valueBundleJson()).contains("\"text/html\":\"<p>\"");
    }

    @Test
    void runtimeErrorPointsAtCellLine() {
        CellOutcome o = engine.execute("int z = 0;\n\nint boom = 1 / z;", 3, 1);
        assertThat(o.error().ename()).isEqualTo("java.lang.ArithmeticException");
        assertThat(o.error().traceback()).anyMatch(l -> l.contains("cell [3] line 3"));
    }

    @Test
    void interruptStopsBusyLoop() throws Exception {
        CompletableFuture<CellOutcome> f = CompletableFuture.supplyAsync(() -> engine.execute("while (true) { }", 4, 1));
        Thread.sleep(500);
        long t0 = System.nanoTime();
        engine.interrupt();
        CellOutcome o = f.get();
        assertThat((System.nanoTime() - t0) / 1_000_000).isLessThan(1000);
        assertThat(o.error().ename()).isEqualTo("Interrupted");
        assertThat(engine.execute("1 + 1", 5, 1).valueText()).isEqualTo("2");
    }

    @Test
    void interruptArrivingWhileTheSnippetCompilesStillStopsIt() throws Exception {
        CompletableFuture<CellOutcome> f = CompletableFuture.supplyAsync(
                () -> engine.execute("long n = 0;\nwhile (true) { n++; }", 9, 1));
        Thread.sleep(20); // most likely still compiling: no user code to stop yet
        engine.interrupt();
        CellOutcome o = f.get();
        assertThat(o.error().ename()).isEqualTo("Interrupted");
        assertThat(engine.execute("40 + 2", 10, 1).valueText()).isEqualTo("42");
    }

    @Test
    void deathOfExecutionJvmRestartsAndSaysWhatWasLost() {
        engine.execute("int keepMe = 5;\nint twice(int x) { return 2 * x; }", 6, 1);
        CellOutcome o = engine.execute("System.exit(3);", 7, 1);
        assertThat(o.error().ename()).isEqualTo("ExecutionEngineTerminated");
        assertThat(o.error().evalue()).contains("exit code 3").contains("keepMe").contains("twice");
        assertThat(engine.execute("twice(4)", 8, 1).valueText()).isEqualTo("8");
    }

    @Test
    void expressionValuesDoNotPileUpAsTempVariables() {
        engine.execute("7 * 6", 11, 1);
        engine.execute("\"x\" + 1", 12, 1);
        // Each expression cell used to leave a $N variable behind, making every later cell slower.
        assertThat(engine.variableNames()).noneMatch(n -> n.startsWith("$"));
        assertThat(engine.execute("int tv = 3;\ntv * 2", 13, 1).valueText()).isEqualTo("6");
        assertThat(engine.variableNames()).contains("tv").noneMatch(n -> n.startsWith("$"));
    }

    @Test
    void classFilesOfInactiveSnippetsAreForgottenAndRedefinitionsStillWork() {
        assertThat(engine.execute("int base = 40;", 20, 1).ok()).isTrue();
        int before = engine.generatedClassCount();
        assertThat(before).as("JShell's internals are reachable (surefire opens jdk.jshell)").isPositive();
        for (int k = 0; k < 40; k++) {
            assertThat(engine.execute("base + " + k, 21 + k, 1).valueText()).isEqualTo(Integer.toString(40 + k));
        }
        // Each expression compiled a class; without pruning there would be 40 more.
        assertThat(engine.generatedClassCount()).isLessThanOrEqualTo(before + 2);
        // Classes and methods that later snippets use, redefined after their old classes were forgotten.
        assertThat(engine.execute("class P { int v() { return 1; } }\nint useP() { return new P().v(); }\nuseP()", 70, 1)
                .valueText()).isEqualTo("1");
        assertThat(engine.execute("record Pt(int x) {}\nnew Pt(3).x()", 71, 1).valueText()).isEqualTo("3");
        assertThat(engine.execute("class P { int v() { return 2; } }", 72, 1).ok()).isTrue();
        for (int k = 0; k < 5; k++) {
            engine.execute("base * " + k, 73 + k, 1);
        }
        assertThat(engine.execute("useP()", 80, 1).valueText()).isEqualTo("2");
        assertThat(engine.execute("new Pt(base).x() + useP()", 81, 1).valueText()).isEqualTo("42");
        assertThat(engine.execute("int useP() { return new P().v() * 10; }\nuseP()", 82, 1).valueText()).isEqualTo("20");
    }

    @Test
    void kernelJarsAreNotOnTheCompilerClassPath() {
        // Jackson is on the kernel's class path but not in the execution JVM: compiling against it
        // would only fail later at run time.
        CellOutcome o = engine.execute("com.fasterxml.jackson.databind.ObjectMapper m = null;", 14, 1);
        assertThat(o.ok()).isFalse();
        assertThat(engine.execute("dev.kale4j.kernel.api.Display.class.getSimpleName()", 15, 1).valueText())
                .isEqualTo("\"Display\"");
    }

    @Test
    void inspectionShowsJavadocFromASourcesJarBesideAClassPathJar(@TempDir Path dir) throws Exception {
        Path src = dir.resolve("src/demo/Greeter.java");
        Files.createDirectories(src.getParent());
        Files.writeString(src, """
                package demo;
                /** Greets people politely. */
                public class Greeter {
                    /**
                     * Says hello to the given {@code name}, with an exclamation mark.
                     * @param name who is greeted
                     * @return the greeting
                     */
                    public static String greet(String name) { return "Hello " + name + "!"; }
                }
                """);
        Path classes = dir.resolve("classes");
        Files.createDirectories(classes);
        assertThat(ToolProvider.getSystemJavaCompiler().run(null, null, null, "-d", classes.toString(), src.toString()))
                .isZero();
        Path jar = dir.resolve("greeter-1.0.jar");
        jar(jar, classes.resolve("demo/Greeter.class"), "demo/Greeter.class");
        jar(dir.resolve("greeter-1.0-sources.jar"), src, "demo/Greeter.java");
        engine.addToClasspath(jar.toString());
        String code = "demo.Greeter.greet(";
        JavaEngine.Inspection doc = engine.inspectRich(code, code.length());
        assertThat(doc).isNotNull();
        assertThat(doc.text()).contains("String demo.Greeter.greet(String name)")
                .contains("Says hello to the given name, with an exclamation mark.")
                .contains("Parameters:").contains("name - who is greeted");
        assertThat(doc.html()).contains("<code>name</code>").contains("<dt>Returns</dt>");
        assertThat(engine.inspect("demo.Greeter", "demo.Greeter".length())).contains("Greets people politely.");
    }

    // JDK Javadoc (from the JDK's src.zip, which kernel.sh fetches when the JDK has none) is checked through the
    // installed kernel by kernel/src/test/python/test_features.py, which never skips.

    private static void jar(Path jar, Path file, String name) throws Exception {
        try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar))) {
            out.putNextEntry(new JarEntry(name));
            out.write(Files.readAllBytes(file));
            out.closeEntry();
        }
    }
}
