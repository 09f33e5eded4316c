package dev.kale4j.runtime.marshal;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The real situation: the producer step and the consumer step each declare the same classes in their own JShell,
 * so the classes have different wrapper names ({@code REPL.$JShell$3$Point} vs {@code REPL.$JShell$9$Point}).
 */
class JShellClassesTest {
    static final String DECLARATIONS = """
            record Point(int x, double y) {}
            enum Color { RED, GREEN, BLUE }
            record Shape(String name, java.util.List<Point> points, java.util.Map<Color, Point> byColor,
                         java.util.Optional<Point> origin, Point[] corners) {}
            class Outer { record Inner(long id, String label) {} }
            class Money implements java.io.Serializable {
                final long cents; final String currency;
                Money(long cents, String currency) { this.cents = cents; this.currency = currency; }
                public String toString() { return cents + " " + currency; }
            }
            public static class Bean { private String name; private int n;
                public String getName() { return name; } public void setName(String s) { name = s; }
                public int getN() { return n; } public void setN(int v) { n = v; }
                public String toString() { return name + "/" + n; } }
            """;

    static JShellSession producer;
    static JShellSession consumer;

    @TempDir
    Path dir;

    private final Marshaller marshaller = Marshaller.create(getClass().getClassLoader());

    @BeforeAll
    static void startShells() {
        producer = new JShellSession();
        consumer = new JShellSession();
        // Different history in the consumer, so its wrapper class numbers differ from the producer's.
        consumer.eval("int unrelated1 = 1;");
        consumer.eval("String unrelated2 = \"x\";");
        consumer.eval("double unrelated3 = 2;");
        producer.eval(DECLARATIONS);
        consumer.eval(DECLARATIONS);
    }

    @AfterAll
    static void stopShells() {
        producer.close();
        consumer.close();
    }

    private Object transfer(String expression, String typeName) {
        Object value = producer.value(expression);
        Path file = dir.resolve("v.k4j");
        marshaller.write("v", value, typeName, file);
        return marshaller.read(file, consumer.resolver());
    }

    @Test
    void theTwoShellsReallyHaveDifferentClasses() {
        Class<?> p = (Class<?>) producer.value("Point.class");
        Class<?> c = (Class<?>) consumer.value("Point.class");
        assertThat(p.getName()).startsWith("REPL.$JShell$").endsWith("$Point");
        assertThat(c.getName()).startsWith("REPL.$JShell$").endsWith("$Point");
        assertThat(p.getName()).isNotEqualTo(c.getName());
    }

    @Test
    void recordComesBackAsTheConsumersClass() {
        Object back = transfer("new Point(3, 4.5)", "Point");
        assertThat(back.getClass()).isSameAs(consumer.value("Point.class"));
        assertThat(back).hasToString("Point[x=3, y=4.5]");
    }

    @Test
    void nestedRecordsCollectionsEnumsArraysAndOptionals() {
        Object back = transfer("""
                new Shape("s", java.util.List.of(new Point(1, 2), new Point(3, 4)),
                          new java.util.EnumMap<>(java.util.Map.of(Color.GREEN, new Point(5, 6))),
                          java.util.Optional.of(new Point(0, 0)), new Point[] { new Point(7, 8) })""", "Shape");
        assertThat(back.getClass()).isSameAs(consumer.value("Shape.class"));
        JShellHolder.value = back;
        // Check it from inside the consumer's JShell, with its own types.
        assertThat(consumer.value("""
                ((Shape) dev.kale4j.runtime.marshal.JShellHolder.value).points().get(1).y() == 4.0
                && ((Shape) dev.kale4j.runtime.marshal.JShellHolder.value).byColor().get(Color.GREEN).x() == 5
                && ((Shape) dev.kale4j.runtime.marshal.JShellHolder.value).origin().get().equals(new Point(0, 0))
                && ((Shape) dev.kale4j.runtime.marshal.JShellHolder.value).corners()[0].equals(new Point(7, 8))
                && ((Shape) dev.kale4j.runtime.marshal.JShellHolder.value).byColor() instanceof java.util.EnumMap""")).isEqualTo(true);
    }

    @Test
    void listOfRecordsAndNestedClassNames() {
        Object back = transfer("java.util.stream.IntStream.range(0, 1000).mapToObj(i -> new Point(i, i)).toList()", "List<Point>");
        assertThat((List<?>) back).hasSize(1000);
        assertThat(((List<?>) back).get(999).getClass()).isSameAs(consumer.value("Point.class"));
        Object inner = transfer("new Outer.Inner(7L, \"seven\")", "Outer.Inner");
        assertThat(inner.getClass()).isSameAs(consumer.value("Outer.Inner.class"));
        assertThat(inner).hasToString("Inner[id=7, label=seven]");
        Object color = transfer("Color.BLUE", "Color");
        assertThat(color).isSameAs(consumer.value("Color.BLUE"));
    }

    @Test
    void serializableAndBeanClassesDeclaredInJShell() {
        Object money = transfer("new Money(250, \"USD\")", "Money");
        assertThat(money.getClass()).isSameAs(consumer.value("Money.class"));
        assertThat(money).hasToString("250 USD");
        producer.eval("Bean theBean = new Bean(); theBean.setName(\"b\"); theBean.setN(4);");
        Object realBean = transfer("theBean", "Bean");
        assertThat(realBean.getClass()).isSameAs(consumer.value("Bean.class"));
        assertThat(realBean).hasToString("b/4");
    }

    @Test
    void recordDeclaredDifferentlyDownstreamIsReported() {
        try (JShellSession other = new JShellSession()) {
            other.eval("record Point(int x, double y, double z) {}");
            Object value = producer.value("new Point(1, 2)");
            Path file = dir.resolve("p.k4j");
            marshaller.write("p", value, "Point", file);
            assertThatThrownBy(() -> marshaller.read(file, other.resolver()))
                    .isInstanceOf(MarshalException.class)
                    .hasMessageContaining(file.toString())
                    .hasMessageContaining("variable `p` of type `Point`")
                    .hasMessageContaining("record `Point` has components (x, y) in the producing step but (x, y, z) here");
        }
    }

    @Test
    void classMissingDownstreamIsReported() {
        try (JShellSession empty = new JShellSession()) {
            Object value = producer.value("java.util.List.of(new Point(1, 2))");
            Path file = dir.resolve("p.k4j");
            marshaller.write("pts", value, "List<Point>", file);
            assertThatThrownBy(() -> marshaller.read(file, empty.resolver()))
                    .isInstanceOf(MarshalException.class)
                    .hasMessageContaining("needs class `Point`, which this step cannot find");
        }
    }
}
