package dev.kale4j.runtime.marshal;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.Serializable;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.MonthDay;
import java.time.OffsetDateTime;
import java.time.Period;
import java.time.Year;
import java.time.YearMonth;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.LinkedList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.IntStream;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

@SuppressWarnings("unchecked")
class RoundTripTest {
    @TempDir
    Path dir;

    private final Marshaller marshaller = Marshaller.create(getClass().getClassLoader());
    private final TypeResolver resolver = TypeResolver.of(getClass().getClassLoader());
    private int counter;

    private Object roundTrip(Object value) {
        return roundTrip(value, value == null ? "Object" : value.getClass().getSimpleName());
    }

    private Object roundTrip(Object value, String typeName) {
        Path file = dir.resolve("a" + (counter++) + ".k4j");
        ArtifactInfo info = marshaller.write("x", value, typeName, file);
        assertThat(info.bytes()).isEqualTo(size(file));
        assertThat(marshaller.info(file)).isEqualTo(info);
        return marshaller.read(file, resolver);
    }

    private static long size(Path p) {
        try {
            return Files.size(p);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    enum Color { RED, GREEN { @Override public String toString() { return "green!"; } }, BLUE }

    record Point(int x, double y) {
    }

    record AllPrimitives(boolean z, byte b, short s, char c, int i, long j, float f, double d) {
    }

    record Shape(String name, List<Point> points, Map<String, Point> named, Optional<Point> origin, Point[] corners,
                 double[] weights, Color color, Integer boxed, Object anything) {
        // Arrays compare by identity in the generated equals; compare them by content for the test.
        @Override
        public boolean equals(Object o) {
            return o instanceof Shape s && name.equals(s.name) && points.equals(s.points) && named.equals(s.named)
                    && origin.equals(s.origin) && Arrays.equals(corners, s.corners) && Arrays.equals(weights, s.weights)
                    && color == s.color && Objects.equals(boxed, s.boxed) && Objects.equals(anything, s.anything);
        }

        @Override
        public int hashCode() {
            return name.hashCode();
        }
    }

    record Pair<A, B>(A first, B second) {
    }

    record Validated(int positive) {
        Validated {
            if (positive <= 0) {
                throw new IllegalArgumentException("must be positive");
            }
        }
    }

    public static class Bean {
        private String name;
        private int count;
        public List<String> tags = new ArrayList<>();

        public String getName() {
            return name;
        }

        public void setName(String name) {
            this.name = name;
        }

        public int getCount() {
            return count;
        }

        public void setCount(int count) {
            this.count = count;
        }
    }

    /** Serializable but not a bean (no no-arg constructor) and not a record. */
    static final class Money implements Serializable {
        private static final long serialVersionUID = 1L;
        final long cents;
        final String currency;

        Money(long cents, String currency) {
            this.cents = cents;
            this.currency = currency;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Money m && m.cents == cents && m.currency.equals(currency);
        }

        @Override
        public int hashCode() {
            return Long.hashCode(cents);
        }
    }

    @Test
    void scalarsAndStrings() {
        for (Object v : new Object[]{null, true, false, (byte) -7, (short) 1234, 'λ', 42, -1L, 1.5f, Math.PI,
                Double.NaN, "", "plain", "ünïcødé ✓ 𝄞", "x".repeat(3_000_000)}) {
            assertThat(roundTrip(v)).isEqualTo(v);
        }
    }

    @Test
    void primitiveArraysIncludingOnesLargerThanTheBuffer() {
        double[] big = IntStream.range(0, 400_000).mapToDouble(i -> i * 0.5).toArray(); // 3.2 MB > 1 MiB buffer
        assertThat((double[]) roundTrip(big)).isEqualTo(big);
        long[] longs = IntStream.range(0, 300_000).mapToLong(i -> (long) i << 33).toArray();
        assertThat((long[]) roundTrip(longs)).isEqualTo(longs);
        int[] ints = IntStream.range(0, 700_001).map(i -> i * 31).toArray();
        assertThat((int[]) roundTrip(ints)).isEqualTo(ints);
        assertThat((float[]) roundTrip(new float[]{1f, -2.5f, Float.MIN_VALUE})).containsExactly(1f, -2.5f, Float.MIN_VALUE);
        assertThat((short[]) roundTrip(new short[]{1, -2, Short.MAX_VALUE})).containsExactly(1, -2, Short.MAX_VALUE);
        assertThat((char[]) roundTrip("héllo".toCharArray())).containsExactly('h', 'é', 'l', 'l', 'o');
        assertThat((boolean[]) roundTrip(new boolean[]{true, false, true})).containsExactly(true, false, true);
        byte[] bytes = new byte[2_500_000];
        new java.util.Random(1).nextBytes(bytes);
        assertThat((byte[]) roundTrip(bytes)).isEqualTo(bytes);
        assertThat((double[]) roundTrip(new double[0])).isEmpty();
    }

    @Test
    void objectArrays() {
        String[] strings = {"a", null, "c"};
        Object back = roundTrip(strings);
        assertThat(back).isInstanceOf(String[].class);
        assertThat((String[]) back).containsExactly("a", null, "c");
        int[][] matrix = {{1, 2}, {3}, null};
        Object m = roundTrip(matrix);
        assertThat(m).isInstanceOf(int[][].class);
        assertThat((int[][]) m).isDeepEqualTo(matrix);
        Point[] points = {new Point(1, 2), new Point(3, 4)};
        assertThat((Point[]) roundTrip(points)).containsExactly(points);
    }

    @Test
    void listsKeepTheirKind() {
        ArrayList<Integer> arrayList = new ArrayList<>(List.of(3, 1, 2));
        assertThat(roundTrip(arrayList)).isInstanceOf(ArrayList.class).isEqualTo(arrayList);
        LinkedList<String> linked = new LinkedList<>(List.of("a", "b"));
        assertThat(roundTrip(linked)).isInstanceOf(LinkedList.class).isEqualTo(linked);

        Object immutable = roundTrip(List.of(1, 2, 3));
        assertThat(immutable).isEqualTo(List.of(1, 2, 3)).isInstanceOf(List.of(1, 2, 3).getClass());
        assertThatThrownBy(() -> ((List<Object>) immutable).add(4)).isInstanceOf(UnsupportedOperationException.class);

        List<String> withNull = Stream.of("a", null).toList();
        Object toList = roundTrip(withNull);
        assertThat((List<Object>) toList).containsExactly("a", null);
        assertThatThrownBy(() -> ((List<Object>) toList).add("b")).isInstanceOf(UnsupportedOperationException.class);

        Object unmodifiable = roundTrip(Collections.unmodifiableList(new ArrayList<>(List.of("u"))));
        assertThat((List<Object>) unmodifiable).containsExactly("u");
        assertThatThrownBy(() -> ((List<Object>) unmodifiable).add("v")).isInstanceOf(UnsupportedOperationException.class);

        Object fixed = roundTrip(Arrays.asList("p", "q"));
        assertThat(fixed.getClass()).isEqualTo(Arrays.asList().getClass());
        ((List<Object>) fixed).set(0, "changed"); // fixed-size lists are still settable

        assertThat(roundTrip(new CopyOnWriteArrayList<>(List.of(1, 2)))).isInstanceOf(CopyOnWriteArrayList.class)
                .isEqualTo(List.of(1, 2));
        Object deque = roundTrip(new ArrayDeque<>(List.of("x", "y")));
        assertThat(deque).isInstanceOf(ArrayDeque.class);
        assertThat((ArrayDeque<Object>) deque).containsExactly("x", "y");
        // A view without a constructor comes back as the nearest JDK kind.
        Map<String, Integer> source = new HashMap<>(Map.of("k", 1));
        assertThat(roundTrip(source.values())).isInstanceOf(ArrayList.class).isEqualTo(List.of(1));
        assertThat(roundTrip(source.keySet())).isInstanceOf(LinkedHashSet.class).isEqualTo(Set.of("k"));
    }

    @Test
    void setsKeepTheirKindAndOrder() {
        HashSet<String> hash = new HashSet<>(Set.of("a", "b"));
        assertThat(roundTrip(hash)).isInstanceOf(HashSet.class).isEqualTo(hash);
        LinkedHashSet<String> linked = new LinkedHashSet<>(List.of("z", "a", "m"));
        assertThat((Set<Object>) roundTrip(linked)).isInstanceOf(LinkedHashSet.class).containsExactly("z", "a", "m");
        TreeSet<String> tree = new TreeSet<>(List.of("b", "a", "c"));
        assertThat((Set<Object>) roundTrip(tree)).isInstanceOf(TreeSet.class).containsExactly("a", "b", "c");
        TreeSet<Integer> reversed = new TreeSet<>(Collections.reverseOrder());
        reversed.addAll(List.of(1, 3, 2));
        Object back = roundTrip(reversed);
        ((TreeSet<Integer>) back).add(5);
        assertThat((Set<Object>) back).containsExactly(5, 3, 2, 1);
        Object immutable = roundTrip(Set.of("x", "y"));
        assertThat(immutable).isEqualTo(Set.of("x", "y"));
        assertThatThrownBy(() -> ((Set<Object>) immutable).add("z")).isInstanceOf(UnsupportedOperationException.class);
        EnumSet<Color> colors = EnumSet.of(Color.GREEN, Color.BLUE);
        assertThat(roundTrip(colors)).isInstanceOf(EnumSet.class).isEqualTo(colors);
        assertThat(roundTrip(EnumSet.noneOf(Color.class))).isInstanceOf(EnumSet.class).isEqualTo(Set.of());
        Object unmodSorted = roundTrip(Collections.unmodifiableSortedSet(new TreeSet<>(List.of(2, 1))));
        assertThat((Set<Object>) unmodSorted).isInstanceOf(java.util.NavigableSet.class).containsExactly(1, 2);
    }

    @Test
    void mapsKeepTheirKindAndOrder() {
        HashMap<String, Long> hash = new HashMap<>(Map.of("a", 1L, "b", 2L));
        assertThat(roundTrip(hash)).isInstanceOf(HashMap.class).isEqualTo(hash);
        LinkedHashMap<String, Integer> linked = new LinkedHashMap<>();
        linked.put("z", 1);
        linked.put("a", 2);
        assertThat(((Map<Object, Object>) roundTrip(linked)).keySet()).containsExactly("z", "a");
        assertThat(roundTrip(linked)).isInstanceOf(LinkedHashMap.class);
        TreeMap<String, Integer> tree = new TreeMap<>(Map.of("b", 2, "a", 1));
        assertThat(roundTrip(tree)).isInstanceOf(TreeMap.class).isEqualTo(tree);
        Object immutable = roundTrip(Map.of("k", List.of(1)));
        assertThat(immutable).isEqualTo(Map.of("k", List.of(1)));
        assertThatThrownBy(() -> ((Map<Object, Object>) immutable).put("q", 1)).isInstanceOf(UnsupportedOperationException.class);
        Map<String, String> withNull = new HashMap<>();
        withNull.put("n", null);
        Object unmod = roundTrip(Collections.unmodifiableMap(withNull));
        assertThat((Map<Object, Object>) unmod).containsEntry("n", null);
        EnumMap<Color, Integer> enumMap = new EnumMap<>(Map.of(Color.RED, 1));
        assertThat(roundTrip(enumMap)).isInstanceOf(EnumMap.class).isEqualTo(enumMap);
        Object emptyEnumMap = roundTrip(new EnumMap<Color, Integer>(Color.class));
        assertThat(emptyEnumMap).isInstanceOf(EnumMap.class);
        ((EnumMap<Color, Integer>) emptyEnumMap).put(Color.BLUE, 3); // the key type survived
        assertThat(roundTrip(new ConcurrentHashMap<>(Map.of(1, "one")))).isInstanceOf(ConcurrentHashMap.class)
                .isEqualTo(Map.of(1, "one"));
    }

    @Test
    void optionalsEnumsAndValueTypes() {
        assertThat(roundTrip(Optional.empty())).isEqualTo(Optional.empty());
        assertThat(roundTrip(Optional.of(List.of("a")))).isEqualTo(Optional.of(List.of("a")));
        assertThat(roundTrip(OptionalInt.of(3))).isEqualTo(OptionalInt.of(3));
        assertThat(roundTrip(OptionalLong.empty())).isEqualTo(OptionalLong.empty());
        assertThat(roundTrip(OptionalDouble.of(2.5))).isEqualTo(OptionalDouble.of(2.5));
        assertThat(roundTrip(Color.GREEN)).isSameAs(Color.GREEN);
        assertThat(roundTrip(Color.RED)).isSameAs(Color.RED);
        for (Object v : List.of(new BigDecimal("-12345678901234567890.000123"), new BigInteger("-98765432109876543210"),
                UUID.randomUUID(), Instant.parse("2026-11-22T15:00:00.123456789Z"), LocalDate.of(2026, 2, 28),
                LocalTime.of(23, 59, 58, 1), LocalDateTime.of(2020, 1, 1, 0, 0), OffsetDateTime.now(),
                ZonedDateTime.now(ZoneId.of("Europe/Paris")), Duration.ofNanos(123456789012L), Period.of(1, 2, 3),
                Year.of(12345), YearMonth.of(2026, 11), MonthDay.of(12, 24), ZoneOffset.ofHours(-3),
                ZoneId.of("America/New_York"), Path.of("/tmp/some dir/file.txt"), URI.create("s3://bucket/key?x=1"))) {
            assertThat(roundTrip(v)).isEqualTo(v);
        }
    }

    @Test
    void recordsNestedWithEverything() {
        assertThat(roundTrip(new AllPrimitives(true, (byte) 1, (short) 2, 'c', 3, 4L, 5f, 6d)))
                .isEqualTo(new AllPrimitives(true, (byte) 1, (short) 2, 'c', 3, 4L, 5f, 6d));
        Shape shape = new Shape("tri", List.of(new Point(0, 0), new Point(1, 0)), Map.of("apex", new Point(0, 1)),
                Optional.of(new Point(-1, -1)), new Point[]{new Point(9, 9)}, new double[]{0.1, 0.2}, Color.BLUE,
                null, new Pair<>("k", 7L));
        assertThat(roundTrip(shape)).isEqualTo(shape);
        assertThat(roundTrip(new Pair<>(List.of(1), Map.of("a", new Point(1, 1)))))
                .isEqualTo(new Pair<>(List.of(1), Map.of("a", new Point(1, 1))));
        List<Point> many = IntStream.range(0, 50_000).mapToObj(i -> new Point(i, i / 2.0)).toList();
        assertThat(roundTrip(many, "List<Point>")).isEqualTo(many);
    }

    @Test
    void recordConstructorValidationStillApplies() {
        assertThat(roundTrip(new Validated(5))).isEqualTo(new Validated(5));
    }

    @Test
    void beansGoThroughJackson() {
        Bean bean = new Bean();
        bean.setName("n");
        bean.setCount(3);
        bean.tags.add("t");
        Path file = dir.resolve("bean.k4j");
        ArtifactInfo info = marshaller.write("b", bean, "Bean", file);
        assertThat(info.codec()).isEqualTo("kale4j.jackson");
        Bean back = (Bean) marshaller.read(file, resolver);
        assertThat(back.getName()).isEqualTo("n");
        assertThat(back.getCount()).isEqualTo(3);
        assertThat(back.tags).containsExactly("t");
        // Inside a list, too.
        List<?> list = (List<Object>) roundTrip(new ArrayList<>(List.of(bean)));
        assertThat(((Bean) list.get(0)).getName()).isEqualTo("n");
    }

    @Test
    void serializableNonBeansGoThroughFilteredSerialization() {
        Path file = dir.resolve("money.k4j");
        ArtifactInfo info = marshaller.write("m", new Money(1050, "EUR"), "Money", file);
        assertThat(info.codec()).isEqualTo("kale4j.serializable");
        assertThat(marshaller.read(file, resolver)).isEqualTo(new Money(1050, "EUR"));
        assertThat(roundTrip(new java.util.Date(123456789L))).isEqualTo(new java.util.Date(123456789L));
    }

    @Test
    void headerRecordsVariableTypeCodecAndChecksum() {
        Path file = dir.resolve("h.k4j");
        ArtifactInfo info = marshaller.write("scores", Map.of("a", 1L), "Map<String, Long>", file);
        assertThat(info.variable()).isEqualTo("scores");
        assertThat(info.typeName()).isEqualTo("Map<String, Long>");
        assertThat(info.codec()).isEqualTo("kale4j.binary");
        assertThat(info.checksum()).matches("crc32c:[0-9a-f]{8}");
        assertThat(marshaller.info(file)).isEqualTo(info);
        // Rewriting replaces the file, and leaves no temporary files behind.
        marshaller.write("scores", Map.of("b", 2L), "Map<String, Long>", file);
        assertThat(marshaller.read(file, resolver)).isEqualTo(Map.of("b", 2L));
        assertThat(dir.toFile().list()).containsExactly("h.k4j");
    }
}
