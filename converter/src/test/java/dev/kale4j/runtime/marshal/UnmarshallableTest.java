package dev.kale4j.runtime.marshal;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.Serializable;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.function.Supplier;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class UnmarshallableTest {
    @TempDir
    Path dir;

    private final Marshaller marshaller = Marshaller.create(getClass().getClassLoader());

    record Job(String name, Runnable callback) {
    }

    /** Neither a record, nor Serializable, nor a bean. */
    static final class Handle {
        final int fd;

        Handle(int fd) {
            this.fd = fd;
        }
    }

    static final class Holder implements Serializable {
        final Thread thread = new Thread(() -> { });
    }

    private String failure(String variable, Object value, String type) {
        Path file = dir.resolve(variable + ".k4j");
        try {
            marshaller.write(variable, value, type, file);
        } catch (MarshalException e) {
            assertThat(file).doesNotExist();
            return e.getMessage();
        }
        throw new AssertionError("expected a MarshalException for " + variable);
    }

    @Test
    void aThreadAtTopLevel() {
        assertThat(failure("t", new Thread(() -> { }), "Thread")).isEqualTo(
                "variable `t` of type `Thread` cannot be saved for downstream steps: a thread belongs to the JVM that "
                        + "runs it. Make it a record, a Serializable class or a bean, register a ValueCodec "
                        + "(ServiceLoader), or recompute it in the step that uses it.");
    }

    @Test
    void aLambdaDeepInsideNamesItsPath() {
        List<Job> jobs = List.of(new Job("a", null), new Job("b", () -> { }));
        assertThat(failure("jobs", jobs, "List<Job>"))
                .startsWith("variable `jobs` of type `List<Job>` cannot be saved for downstream steps: "
                        + "`jobs[1].callback` holds a ")
                .contains("lambdas and method references are code, not data")
                .endsWith("or recompute it in the step that uses it.");
    }

    @Test
    void anInputStreamAsAMapValue() {
        String msg = failure("m", Map.of("in", new ByteArrayInputStream(new byte[1])), "Map<String, InputStream>");
        assertThat(msg).contains("`m[in]` holds a java.io.ByteArrayInputStream: open resources");
    }

    @Test
    void aPlainClassWithoutAnyShape() {
        assertThat(failure("h", new Handle(3), "Handle"))
                .contains("variable `h` of type `Handle` cannot be saved for downstream steps: it is not a record, "
                        + "not Serializable, and not a bean (it has no bean properties)")
                .contains("register a ValueCodec (ServiceLoader)");
    }

    @Test
    void aSerializableClassHoldingSomethingThatIsNot() {
        assertThat(failure("s", new Holder(), "Holder"))
                .contains("it is Serializable but holds a value that is not: java.lang.Thread");
    }

    @Test
    void streamsSuppliersCyclesAndComparators() {
        assertThat(failure("st", Stream.of(1, 2), "Stream<Integer>")).contains("collect the elements");
        Supplier<String> supplier = () -> "x";
        assertThat(failure("sup", supplier, "Supplier<String>")).contains("code, not data");
        List<Object> cyclic = new ArrayList<>();
        cyclic.add(cyclic);
        assertThat(failure("cyc", cyclic, "List<Object>")).contains("is it cyclic");
        TreeSet<String> custom = new TreeSet<>(Comparator.comparing(String::length));
        custom.add("abc");
        assertThat(failure("ts", custom, "TreeSet<String>")).contains("sorted by a custom comparator");
    }

    record Fragile(int x) {
        @Override
        public int x() {
            throw new IllegalStateException("accessor broke");
        }
    }

    @Test
    void anAccessorThatThrowsFailsTheStepWithTheVariableNamed() {
        assertThat(failure("f", new Fragile(1), "Fragile"))
                .startsWith("variable `f` of type `Fragile` cannot be saved for downstream steps: ")
                .contains("accessor broke");
    }

    @Test
    void aFailedWriteKeepsThePreviousArtifactAndLeavesNoTemporaryFiles() throws Exception {
        Path file = dir.resolve("keep.k4j");
        marshaller.write("v", List.of(1), "List<Integer>", file);
        assertThatThrownBy(() -> marshaller.write("v", List.of(new Thread()), "List<Thread>", file))
                .isInstanceOf(MarshalException.class);
        assertThat(marshaller.read(file, TypeResolver.of(getClass().getClassLoader()))).isEqualTo(List.of(1));
        try (var files = Files.list(dir)) {
            assertThat(files.map(p -> p.getFileName().toString())).containsExactly("keep.k4j");
        }
    }
}
