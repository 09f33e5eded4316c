package dev.kale4j.runtime.marshal;

import java.io.InputStream;
import java.io.OutputStream;
import java.io.Reader;
import java.io.Serializable;
import java.io.Writer;
import java.lang.reflect.Constructor;
import java.lang.reflect.Proxy;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.MonthDay;
import java.time.OffsetDateTime;
import java.time.OffsetTime;
import java.time.Period;
import java.time.Year;
import java.time.YearMonth;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.LinkedList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.Set;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.Executor;
import java.util.concurrent.Future;
import java.util.stream.BaseStream;

/**
 * Chooses, once per class, how its values are written. Order (first match wins):
 * <ol>
 *   <li>scalars, strings and primitive arrays (the fast binary path);</li>
 *   <li>{@link ValueCodec}s from the ServiceLoader, highest priority first;</li>
 *   <li>enums, records, object arrays, Optionals, collections and maps, java.time, BigDecimal, BigInteger, UUID,
 *       Path, URI (structural, kale4j's own format);</li>
 *   <li>things that are not data (threads, lambdas, streams, open resources...): refused with a reason;</li>
 *   <li>beans through Jackson;</li>
 *   <li>{@code Serializable} through the filtered Java serialization of {@link SerialSupport};</li>
 *   <li>refused.</li>
 * </ol>
 */
final class Handlers {
    private Handlers() {
    }

    static final String BINARY = "kale4j.binary";
    static final String JACKSON = "kale4j.jackson";
    static final String SERIALIZABLE = "kale4j.serializable";

    // Temporal codes, written after Tags.TEMPORAL; the value follows as its ISO string (exact round trip).
    static final List<Class<?>> TEMPORALS = List.of(Instant.class, LocalDate.class, LocalTime.class,
            LocalDateTime.class, OffsetDateTime.class, OffsetTime.class, ZonedDateTime.class, Duration.class,
            Period.class, Year.class, YearMonth.class, MonthDay.class, ZoneOffset.class, ZoneId.class);

    static Handler select(Class<?> c, List<ValueCodec> codecs, JacksonSupport jackson) {
        Handler h = scalar(c);
        if (h != null) {
            return h;
        }
        for (ValueCodec codec : codecs) {
            if (codec.supports(c)) {
                return (out, v) -> out.writeCodec(codec, v);
            }
        }
        h = structural(c);
        if (h != null) {
            return h;
        }
        String notData = notData(c);
        if (notData != null) {
            return refuse(c, notData);
        }
        String whyNotBean = jackson.whyNotBean(c);
        if (whyNotBean == null) {
            return Encoder::writeJackson;
        }
        if (Serializable.class.isAssignableFrom(c)) {
            return Encoder::writeSerializable;
        }
        return refuse(c, "it is not a record, not Serializable, and not a bean (" + whyNotBean + ")");
    }

    static Handler refuse(Class<?> c, String reason) {
        return (out, v) -> {
            throw new UnsupportedValue(c, reason);
        };
    }

    private static Handler scalar(Class<?> c) {
        if (c == String.class) return (o, v) -> { o.sink.writeByte(Tags.STRING); o.sink.writeString((String) v); };
        if (c == Integer.class) return (o, v) -> { o.sink.writeByte(Tags.INT); o.sink.writeInt((Integer) v); };
        if (c == Long.class) return (o, v) -> { o.sink.writeByte(Tags.LONG); o.sink.writeLong((Long) v); };
        if (c == Double.class) return (o, v) -> { o.sink.writeByte(Tags.DOUBLE); o.sink.writeDouble((Double) v); };
        if (c == Boolean.class) return (o, v) -> o.sink.writeByte((Boolean) v ? Tags.TRUE : Tags.FALSE);
        if (c == Float.class) return (o, v) -> { o.sink.writeByte(Tags.FLOAT); o.sink.writeFloat((Float) v); };
        if (c == Short.class) return (o, v) -> { o.sink.writeByte(Tags.SHORT); o.sink.writeShort((Short) v); };
        if (c == Byte.class) return (o, v) -> { o.sink.writeByte(Tags.BYTE); o.sink.writeByte((Byte) v); };
        if (c == Character.class) return (o, v) -> { o.sink.writeByte(Tags.CHAR); o.sink.writeChar((Character) v); };
        if (c == double[].class) return (o, v) -> { var a = (double[]) v; o.arrayHeader(Tags.DOUBLE_ARRAY, a.length); o.sink.writeDoubles(a); };
        if (c == int[].class) return (o, v) -> { var a = (int[]) v; o.arrayHeader(Tags.INT_ARRAY, a.length); o.sink.writeInts(a); };
        if (c == long[].class) return (o, v) -> { var a = (long[]) v; o.arrayHeader(Tags.LONG_ARRAY, a.length); o.sink.writeLongs(a); };
        if (c == float[].class) return (o, v) -> { var a = (float[]) v; o.arrayHeader(Tags.FLOAT_ARRAY, a.length); o.sink.writeFloats(a); };
        if (c == byte[].class) return (o, v) -> { var a = (byte[]) v; o.arrayHeader(Tags.BYTE_ARRAY, a.length); o.sink.writeRaw(a, 0, a.length); };
        if (c == short[].class) return (o, v) -> { var a = (short[]) v; o.arrayHeader(Tags.SHORT_ARRAY, a.length); o.sink.writeShorts(a); };
        if (c == char[].class) return (o, v) -> { var a = (char[]) v; o.arrayHeader(Tags.CHAR_ARRAY, a.length); o.sink.writeChars(a); };
        if (c == boolean[].class) return (o, v) -> { var a = (boolean[]) v; o.arrayHeader(Tags.BOOLEAN_ARRAY, a.length); o.sink.writeBooleans(a); };
        return null;
    }

    private static Handler structural(Class<?> c) {
        if (Enum.class.isAssignableFrom(c)) {
            // Constants with bodies are anonymous subclasses; the enum is the declaring class.
            Class<?> enumClass = c.isEnum() ? c : c.getSuperclass();
            return (o, v) -> o.writeEnum(enumClass, (Enum<?>) v);
        }
        if (c.isRecord()) {
            Records.Shape shape;
            try {
                shape = Records.shapeOf(c);
            } catch (UnsupportedValue e) {
                return (o, v) -> {
                    throw new UnsupportedValue(c, e.getMessage());
                };
            }
            return (o, v) -> o.writeRecord(shape, v);
        }
        if (c.isArray()) {
            Class<?> component = c.getComponentType();
            return (o, v) -> o.writeObjectArray(component, (Object[]) v);
        }
        if (c == Optional.class) return (o, v) -> o.writeOptional((Optional<?>) v);
        if (c == OptionalInt.class) return (o, v) -> {
            var x = (OptionalInt) v;
            o.sink.writeByte(Tags.OPTIONAL_INT);
            o.sink.writeByte(x.isPresent() ? 1 : 0);
            if (x.isPresent()) o.sink.writeInt(x.getAsInt());
        };
        if (c == OptionalLong.class) return (o, v) -> {
            var x = (OptionalLong) v;
            o.sink.writeByte(Tags.OPTIONAL_LONG);
            o.sink.writeByte(x.isPresent() ? 1 : 0);
            if (x.isPresent()) o.sink.writeLong(x.getAsLong());
        };
        if (c == OptionalDouble.class) return (o, v) -> {
            var x = (OptionalDouble) v;
            o.sink.writeByte(Tags.OPTIONAL_DOUBLE);
            o.sink.writeByte(x.isPresent() ? 1 : 0);
            if (x.isPresent()) o.sink.writeDouble(x.getAsDouble());
        };
        if (c == BigDecimal.class) return (o, v) -> {
            var x = (BigDecimal) v;
            o.sink.writeByte(Tags.BIG_DECIMAL);
            o.sink.writeInt(x.scale());
            o.writeLengthPrefixed(x.unscaledValue().toByteArray());
        };
        if (c == BigInteger.class) return (o, v) -> {
            o.sink.writeByte(Tags.BIG_INTEGER);
            o.writeLengthPrefixed(((BigInteger) v).toByteArray());
        };
        if (c == UUID.class) return (o, v) -> {
            var x = (UUID) v;
            o.sink.writeByte(Tags.UUID);
            o.sink.writeLong(x.getMostSignificantBits());
            o.sink.writeLong(x.getLeastSignificantBits());
        };
        for (int i = 0; i < TEMPORALS.size(); i++) {
            if (TEMPORALS.get(i).isAssignableFrom(c) && (c.getName().startsWith("java.time."))) {
                int code = i;
                return (o, v) -> {
                    o.sink.writeByte(Tags.TEMPORAL);
                    o.sink.writeByte(code);
                    o.sink.writeString(v.toString());
                };
            }
        }
        if (Path.class.isAssignableFrom(c)) return (o, v) -> o.writePath((Path) v);
        if (c == URI.class) return (o, v) -> {
            o.sink.writeByte(Tags.URI);
            o.sink.writeString(v.toString());
        };
        if (Map.class.isAssignableFrom(c)) return mapHandler(c);
        if (Collection.class.isAssignableFrom(c)) return collectionHandler(c);
        return null;
    }

    private static Handler collectionHandler(Class<?> c) {
        String n = c.getName();
        if (c == ArrayList.class) return (o, v) -> o.writeCollection(Tags.LIST, Tags.K_HASH_OR_ARRAY, null, (Collection<?>) v);
        if (c == LinkedList.class) return (o, v) -> o.writeCollection(Tags.LIST, Tags.K_LINKED, null, (Collection<?>) v);
        if (c == HashSet.class) return (o, v) -> o.writeCollection(Tags.SET, Tags.K_HASH_OR_ARRAY, null, (Collection<?>) v);
        if (c == LinkedHashSet.class) return (o, v) -> o.writeCollection(Tags.SET, Tags.K_LINKED, null, (Collection<?>) v);
        if (c == TreeSet.class) return (o, v) -> o.writeCollection(Tags.SET, Tags.K_SORTED, null, (Collection<?>) v);
        if (EnumSet.class.isAssignableFrom(c)) return (o, v) -> o.writeCollection(Tags.SET, Tags.K_ENUM, null, (Collection<?>) v);
        if (n.equals("java.util.Arrays$ArrayList")) return (o, v) -> o.writeCollection(Tags.LIST, Tags.K_FIXED_SIZE, null, (Collection<?>) v);
        boolean sorted = SortedSet.class.isAssignableFrom(c);
        boolean list = List.class.isAssignableFrom(c);
        boolean set = Set.class.isAssignableFrom(c);
        byte tag = list ? Tags.LIST : set ? Tags.SET : Tags.COLLECTION;
        if (n.startsWith("java.util.ImmutableCollections$") || n.startsWith("java.util.Collections$Unmodifiable")
                || n.startsWith("java.util.Collections$Empty") || n.startsWith("java.util.Collections$Singleton")) {
            byte kind = sorted ? Tags.K_UNMODIFIABLE_SORTED : Tags.K_IMMUTABLE;
            return (o, v) -> o.writeCollection(tag, kind, null, (Collection<?>) v);
        }
        if (hasNoArgConstructor(c)) {
            return (o, v) -> o.writeCollection(tag, Tags.K_CUSTOM, c, (Collection<?>) v);
        }
        // Views and wrappers without a constructor (keySet(), values(), synchronizedList...): nearest JDK kind.
        byte kind = sorted ? Tags.K_SORTED : set ? Tags.K_LINKED : Tags.K_HASH_OR_ARRAY;
        byte fallbackTag = set ? Tags.SET : Tags.LIST;
        return (o, v) -> o.writeCollection(fallbackTag, kind, null, (Collection<?>) v);
    }

    private static Handler mapHandler(Class<?> c) {
        String n = c.getName();
        if (c == HashMap.class) return (o, v) -> o.writeMap(Tags.K_HASH_OR_ARRAY, null, (Map<?, ?>) v);
        if (c == LinkedHashMap.class) return (o, v) -> o.writeMap(Tags.K_LINKED, null, (Map<?, ?>) v);
        if (c == TreeMap.class) return (o, v) -> o.writeMap(Tags.K_SORTED, null, (Map<?, ?>) v);
        if (c == EnumMap.class) return (o, v) -> o.writeMap(Tags.K_ENUM, null, (Map<?, ?>) v);
        boolean sorted = SortedMap.class.isAssignableFrom(c);
        if (n.startsWith("java.util.ImmutableCollections$") || n.startsWith("java.util.Collections$Unmodifiable")
                || n.startsWith("java.util.Collections$Empty") || n.startsWith("java.util.Collections$Singleton")) {
            byte kind = sorted ? Tags.K_UNMODIFIABLE_SORTED : Tags.K_IMMUTABLE;
            return (o, v) -> o.writeMap(kind, null, (Map<?, ?>) v);
        }
        if (hasNoArgConstructor(c)) {
            return (o, v) -> o.writeMap(Tags.K_CUSTOM, c, (Map<?, ?>) v);
        }
        byte kind = sorted ? Tags.K_SORTED : Tags.K_LINKED;
        return (o, v) -> o.writeMap(kind, null, (Map<?, ?>) v);
    }

    static boolean hasNoArgConstructor(Class<?> c) {
        if (c.isInterface() || java.lang.reflect.Modifier.isAbstract(c.getModifiers())
                || c.isMemberClass() && !java.lang.reflect.Modifier.isStatic(c.getModifiers())
                || c.isAnonymousClass() || c.isLocalClass() || c.isHidden()) {
            return false;
        }
        try {
            Constructor<?> ctor = c.getDeclaredConstructor();
            return ctor.trySetAccessible();
        } catch (NoSuchMethodException e) {
            return false;
        }
    }

    /** Classes whose instances are behaviour or live resources rather than data; null if none of those. */
    static String notData(Class<?> c) {
        if (c.isHidden() || c.isSynthetic() || c.getName().contains("$$Lambda")) {
            return "lambdas and method references are code, not data, and cannot travel between JVMs";
        }
        if (Proxy.isProxyClass(c)) {
            return "dynamic proxies are tied to the JVM that created them";
        }
        if (Thread.class.isAssignableFrom(c)) {
            return "a thread belongs to the JVM that runs it";
        }
        if (BaseStream.class.isAssignableFrom(c) || Iterator.class.isAssignableFrom(c)) {
            return "streams and iterators can be consumed only once; collect the elements (e.g. `.toList()`)";
        }
        if (InputStream.class.isAssignableFrom(c) || OutputStream.class.isAssignableFrom(c)
                || Reader.class.isAssignableFrom(c) || Writer.class.isAssignableFrom(c)
                || java.nio.channels.Channel.class.isAssignableFrom(c) || AutoCloseable.class.isAssignableFrom(c)) {
            return "open resources (streams, files, connections) belong to the process that opened them; "
                    + "save the data or the path instead";
        }
        if (Executor.class.isAssignableFrom(c) || Future.class.isAssignableFrom(c)) {
            return "executors and futures are running computations; save their results instead";
        }
        if (ClassLoader.class.isAssignableFrom(c)) {
            return "class loaders belong to the JVM that created them";
        }
        if (c == Object.class) {
            return "a plain Object has no state to save";
        }
        return null;
    }
}
