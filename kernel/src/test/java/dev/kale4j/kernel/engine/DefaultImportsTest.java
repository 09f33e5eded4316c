package dev.kale4j.kernel.engine;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The jshell tool's default imports, made one type at a time, in a session with a real execution JVM. */
@org.junit.jupiter.api.TestMethodOrder(org.junit.jupiter.api.MethodOrderer.OrderAnnotation.class)
@org.junit.jupiter.api.Timeout(value = 120, threadMode = org.junit.jupiter.api.Timeout.ThreadMode.SEPARATE_THREAD)
class DefaultImportsTest {
    private static JavaEngine engine;

    @BeforeAll
    static void start() throws Exception {
        engine = TestEngines.start(new StringBuffer());
    }

    @AfterAll
    static void stop() {
        engine.close();
    }

    private static String value(String code) {
        CellOutcome o = engine.execute(code, 1, 1);
        assertThat(o.error()).as(code).isNull();
        return o.valueText();
    }

    @Test
    @org.junit.jupiter.api.Order(1) // the first cell of a fresh session
    void typesOfEveryDefaultPackageResolveAndOnlyTheUsedOnesAreImported() {
        assertThat(value("1 + 1")).isEqualTo("2");
        assertThat(engine.activeImports()).noneMatch(i -> i.startsWith("java.util") || i.startsWith("java.io"));
        assertThat(value("""
                List<String> names = new ArrayList<>(List.of("b", "a"));
                Map<String, Integer> sizes = new ConcurrentHashMap<>();
                Function<String, Integer> len = String::length;
                names.stream().sorted().map(len).collect(Collectors.toList()).toString() +
                    Path.of("x").getFileName() + new BigDecimal("1.5") + URI.create("s3://b").getScheme() +
                    Pattern.compile("a+").matcher("aa").matches() + (new StringReader("") instanceof Reader) +
                    Preferences.class.getSimpleName() + Files.class.getSimpleName() +
                    IOException.class.getSimpleName()
                """)).isEqualTo("\"[1, 1]x1.5s3truetruePreferencesFilesIOException\"");
        assertThat(engine.activeImports()).contains("java.util.List", "java.util.concurrent.ConcurrentHashMap",
                "java.util.prefs.Preferences", "java.io.IOException").doesNotContain("java.util.*", "java.lang.String");
    }

    @Test
    void aTypeTheUserDeclaresReplacesTheDefaultOneAsInJshell() {
        assertThat(value("Vector<String> v = new Vector<>(); v.add(\"x\"); v.size()")).isEqualTo("1");
        // With a single-type import of java.util.Vector still in scope, every later snippet would fail to compile.
        assertThat(engine.execute("class Vector { int v = 3; }", 2, 1).ok()).isTrue();
        assertThat(value("new Vector().v")).isEqualTo("3");
        assertThat(value("new ArrayList<String>().size() + new Vector().v")).isEqualTo("3");
        assertThat(engine.activeImports()).doesNotContain("java.util.Vector");
    }

    @Test
    void theUsersOwnSingleTypeImportWinsBeforeAndAfterTheDefault() {
        assertThat(engine.execute("import java.sql.Date;", 3, 1).ok()).isTrue();
        assertThat(value("Date.class.getName()")).isEqualTo("\"java.sql.Date\"");
        assertThat(value("Timer.class.getName()")).isEqualTo("\"java.util.Timer\"");
        assertThat(engine.execute("import javax.swing.Timer;", 4, 1).ok()).isTrue();
        assertThat(value("Timer.class.getName()")).isEqualTo("\"javax.swing.Timer\"");
    }

    @Test
    void completionOffersTypesNotImportedYetAndMembersOfThem() {
        JavaEngine.Completion c = engine.complete("var q = new ArrayDe", 19);
        assertThat(c.matches()).contains("ArrayDeque");
        assertThat(c.start()).isEqualTo(12);
        assertThat(engine.complete("Collectors.joi", 14).matches()).anyMatch(m -> m.startsWith("joining("));
    }

    @Test
    void methodsThatUseDefaultTypesAreDeclaredAgainAfterTheExecutionJvmDies() {
        assertThat(engine.execute("List<Integer> twice(List<Integer> xs) { return xs.stream().map(x -> 2 * x).toList(); }",
                5, 1).ok()).isTrue();
        CellOutcome died = engine.execute("System.exit(3);", 6, 1);
        assertThat(died.error().ename()).isEqualTo("ExecutionEngineTerminated");
        assertThat(died.error().evalue()).contains("Declared again: twice");
        assertThat(value("twice(List.of(1, 2))")).isEqualTo("[2, 4]");
    }
}
