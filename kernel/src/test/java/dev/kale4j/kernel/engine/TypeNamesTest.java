package dev.kale4j.kernel.engine;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class TypeNamesTest {
    @Test
    void findsCapitalizedNamesOutsideCommentsStringsAndQualifiedNames() {
        TypeNames t = TypeNames.scan("""
                // List in a comment
                /* Map too */ Set<Path> s = java.util.Collections.emptySet(); // Optional
                String q = "Deque \\" Queue"; char c = '\\''; String tb = \"""
                    Stack
                    \""";
                Map.Entry<String, Integer> e = Map.entry("k", 1); BigDecimal.ONE; Files::exists;
                """);
        assertThat(t.referenced()).containsExactly("Set", "Path", "String", "Map", "Integer", "BigDecimal", "Files");
        assertThat(t.declared()).isEmpty();
    }

    @Test
    void declaredTypesAreOnlyThoseAtTheTopLevel() {
        TypeNames t = TypeNames.scan("""
                @interface Marker {}
                record Point(int x) { class Inner {} }
                public final class Vector<T> { void f() { class Local {} } }
                enum Color { RED }
                int record = 1; Object o = Vector.class;
                """);
        assertThat(t.declared()).containsExactly("Marker", "Point", "Vector", "Color");
        assertThat(t.referenced()).doesNotContain("Inner", "Local").contains("T", "RED", "Object");
    }
}
