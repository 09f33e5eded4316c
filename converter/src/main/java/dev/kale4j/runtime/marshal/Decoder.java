package dev.kale4j.runtime.marshal;

import java.io.EOFException;
import java.io.IOException;
import java.io.InvalidClassException;
import java.lang.reflect.Array;
import java.lang.reflect.Constructor;
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
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.HashSet;
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
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;

/**
 * Reads the value {@link Encoder} wrote. Problems with the data itself surface as {@link EOFException} or runtime
 * exceptions (the caller then decides between "corrupted" and "unreadable" by the checksum); problems of this JVM
 * (missing class, changed record) as {@link ArtifactProblem}.
 */
final class Decoder implements ReadContext {
    private final ChannelSource src;
    private final Marshaller marshaller;
    private final TypeResolver resolver;
    private final String variable;
    private final List<Class<?>> classes = new ArrayList<>();
    private final List<RecordReader> shapes = new ArrayList<>();
    private final List<ValueCodec> codecs = new ArrayList<>();
    private final List<Integer> codecVersions = new ArrayList<>();
    private int codecVersion;
    private int depth;

    Decoder(ChannelSource src, Marshaller marshaller, TypeResolver resolver, String variable) {
        this.src = src;
        this.marshaller = marshaller;
        this.resolver = resolver;
        this.variable = variable;
    }

    /** Consumer-side plan for one record shape of the artifact: where each saved component goes. */
    private record RecordReader(Records.Ctor ctor, byte[] kinds, int[] slots) {
    }

    @Override
    public Object readValue() throws IOException {
        if (++depth > Encoder.MAX_DEPTH) {
            throw new EOFException("values nest deeper than any kale4j writes");
        }
        try {
            return readTagged(src.readByte());
        } finally {
            depth--;
        }
    }

    private Object readTagged(byte tag) throws IOException {
        switch (tag) {
            case Tags.NULL: return null;
            case Tags.FALSE: return Boolean.FALSE;
            case Tags.TRUE: return Boolean.TRUE;
            case Tags.BYTE: return src.readByte();
            case Tags.SHORT: return src.readShort();
            case Tags.CHAR: return src.readChar();
            case Tags.INT: return src.readInt();
            case Tags.LONG: return src.readLong();
            case Tags.FLOAT: return src.readFloat();
            case Tags.DOUBLE: return src.readDouble();
            case Tags.STRING: return src.readString();
            case Tags.DOUBLE_ARRAY: { double[] a = new double[src.readLength(8)]; src.readDoubles(a); return a; }
            case Tags.INT_ARRAY: { int[] a = new int[src.readLength(4)]; src.readInts(a); return a; }
            case Tags.LONG_ARRAY: { long[] a = new long[src.readLength(8)]; src.readLongs(a); return a; }
            case Tags.FLOAT_ARRAY: { float[] a = new float[src.readLength(4)]; src.readFloats(a); return a; }
            case Tags.BYTE_ARRAY: { byte[] a = new byte[src.readLength(1)]; src.readRaw(a); return a; }
            case Tags.SHORT_ARRAY: { short[] a = new short[src.readLength(2)]; src.readShorts(a); return a; }
            case Tags.CHAR_ARRAY: { char[] a = new char[src.readLength(2)]; src.readChars(a); return a; }
            case Tags.BOOLEAN_ARRAY: { boolean[] a = new boolean[src.readLength(1)]; src.readBooleans(a); return a; }
            case Tags.OBJECT_ARRAY: return readObjectArray();
            case Tags.LIST: case Tags.SET: case Tags.COLLECTION: return readCollection(tag);
            case Tags.MAP: return readMap();
            case Tags.OPTIONAL_EMPTY: return Optional.empty();
            case Tags.OPTIONAL: return Optional.of(readValue());
            case Tags.OPTIONAL_INT: return src.readByte() != 0 ? OptionalInt.of(src.readInt()) : OptionalInt.empty();
            case Tags.OPTIONAL_LONG: return src.readByte() != 0 ? OptionalLong.of(src.readLong()) : OptionalLong.empty();
            case Tags.OPTIONAL_DOUBLE: return src.readByte() != 0 ? OptionalDouble.of(src.readDouble()) : OptionalDouble.empty();
            case Tags.ENUM: return readEnum();
            case Tags.RECORD: return readRecord();
            case Tags.BIG_DECIMAL: { int scale = src.readInt(); return new BigDecimal(new BigInteger(readLengthPrefixed()), scale); }
            case Tags.BIG_INTEGER: return new BigInteger(readLengthPrefixed());
            case Tags.UUID: return new UUID(src.readLong(), src.readLong());
            case Tags.TEMPORAL: return readTemporal(src.readByte(), src.readString());
            case Tags.PATH: return Path.of(src.readString());
            case Tags.URI: return URI.create(src.readString());
            case Tags.JACKSON: return readJackson();
            case Tags.SERIALIZABLE: return readSerializable();
            case Tags.CODEC: return readCodec();
            default: throw new EOFException("unknown value tag " + tag);
        }
    }

    private byte[] readLengthPrefixed() throws IOException {
        byte[] b = new byte[src.readLength(1)];
        src.readRaw(b);
        return b;
    }

    Class<?> readClassRef() throws IOException {
        int id = src.readVarInt();
        if (id < classes.size()) {
            return classes.get(id);
        }
        if (id != classes.size()) {
            throw new EOFException("bad class reference " + id);
        }
        String name = src.readString();
        if (name == null) {
            throw new EOFException("missing class name");
        }
        Class<?> c;
        try {
            c = TypeNames.resolve(name, resolver);
        } catch (ClassNotFoundException | LinkageError e) {
            throw new ArtifactProblem("needs class `" + name + "`, which this step cannot find. Declare it "
                    + "(the same declaration as in the producing step) before `" + variable
                    + "` is loaded, or add the jar that provides it", e);
        }
        classes.add(c);
        return c;
    }

    private Object readObjectArray() throws IOException {
        Class<?> component = readClassRef();
        if (component.isPrimitive()) {
            throw new EOFException("object array of primitives");
        }
        int n = src.readLength(1);
        Object a = Array.newInstance(component, n);
        Object[] arr = (Object[]) a;
        for (int i = 0; i < n; i++) {
            Object v = readValue();
            try {
                arr[i] = v;
            } catch (ArrayStoreException e) {
                throw new ArtifactProblem("element " + i + " of a `" + TypeNames.display(component)
                        + "[]` is a " + TypeNames.display(v.getClass()) + " here", e);
            }
        }
        return a;
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private Object readEnum() throws IOException {
        Class<?> c = readClassRef();
        String name = src.readString();
        if (!c.isEnum()) {
            throw new ArtifactProblem("`" + TypeNames.display(c) + "` was an enum in the producing step but is not one here");
        }
        try {
            return Enum.valueOf((Class) c, name);
        } catch (IllegalArgumentException e) {
            throw new ArtifactProblem("enum `" + TypeNames.display(c) + "` has no constant `" + name
                    + "` in this step; declare the same enum as the producing step", e);
        }
    }

    private Object readRecord() throws IOException {
        int id = src.readVarInt();
        RecordReader reader;
        if (id < shapes.size()) {
            reader = shapes.get(id);
        } else if (id == shapes.size()) {
            reader = readShape();
            shapes.add(reader);
        } else {
            throw new EOFException("bad record shape reference " + id);
        }
        byte[] kinds = reader.kinds;
        int[] slots = reader.slots;
        Object[] args = new Object[kinds.length];
        for (int i = 0; i < kinds.length; i++) {
            Object v = switch (kinds[i]) {
                case Tags.C_INT -> src.readInt();
                case Tags.C_LONG -> src.readLong();
                case Tags.C_DOUBLE -> src.readDouble();
                case Tags.C_BOOLEAN -> src.readByte() != 0;
                case Tags.C_FLOAT -> src.readFloat();
                case Tags.C_BYTE -> src.readByte();
                case Tags.C_SHORT -> src.readShort();
                case Tags.C_CHAR -> src.readChar();
                default -> readValue();
            };
            args[slots[i]] = v;
        }
        try {
            return (Object) reader.ctor.spread().invokeExact(args);
        } catch (ClassCastException | NullPointerException e) {
            throw new ArtifactProblem("a saved value does not fit record `" + TypeNames.display(reader.ctor.type())
                    + "` as declared in this step (" + e.getMessage() + "); declare the same record as the producing step", e);
        } catch (Throwable t) {
            throw new ArtifactProblem("the constructor of record `" + TypeNames.display(reader.ctor.type())
                    + "` rejected the saved values: " + t, t);
        }
    }

    private RecordReader readShape() throws IOException {
        Class<?> c = readClassRef();
        int n = src.readLength(2);
        String[] names = new String[n];
        byte[] kinds = new byte[n];
        for (int i = 0; i < n; i++) {
            names[i] = src.readString();
            kinds[i] = src.readByte();
        }
        if (!c.isRecord()) {
            throw new ArtifactProblem("`" + TypeNames.display(c) + "` was a record in the producing step but is not one here");
        }
        Records.Ctor ctor = Records.ctorOf(c);
        int[] slots = new int[n];
        boolean same = ctor.names().length == n;
        for (int i = 0; i < n && same; i++) {
            slots[i] = ctor.indexOf(names[i]);
            if (slots[i] < 0) {
                same = false;
                break;
            }
            Class<?> t = ctor.types()[slots[i]];
            // Boxed <-> primitive differences are left to the constructor call (null into an int fails there).
            if (t.isPrimitive() && kinds[i] != Tags.C_VALUE && Tags.componentKind(t) != kinds[i]) {
                throw new ArtifactProblem("component `" + names[i] + "` of record `" + TypeNames.display(c)
                        + "` has a different type here than in the producing step; declare the same record in both steps");
            }
        }
        if (!same) {
            throw new ArtifactProblem("record `" + TypeNames.display(c) + "` has components (" + String.join(", ", names)
                    + ") in the producing step but (" + String.join(", ", ctor.names())
                    + ") here; declare the same record in both steps");
        }
        return new RecordReader(ctor, kinds, slots);
    }

    private Comparator<Object> readOrder() throws IOException {
        byte order = src.readByte();
        return order == Tags.ORDER_REVERSE ? Collections.reverseOrder() : null;
    }

    private Object newCustom(Class<?> c, Class<?> expected) {
        if (!expected.isAssignableFrom(c)) {
            throw new ArtifactProblem("`" + TypeNames.display(c) + "` is not a " + expected.getSimpleName() + " here");
        }
        try {
            Constructor<?> ctor = c.getDeclaredConstructor();
            ctor.trySetAccessible();
            return ctor.newInstance();
        } catch (ReflectiveOperationException | RuntimeException e) {
            throw new ArtifactProblem("cannot create a `" + TypeNames.display(c) + "` with its no-arg constructor: " + e, e);
        }
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private Object readCollection(byte tag) throws IOException {
        byte kind = src.readByte();
        Class<?> type = null;
        Comparator<Object> order = null;
        switch (kind) {
            case Tags.K_CUSTOM, Tags.K_ENUM -> type = readClassRef();
            case Tags.K_SORTED, Tags.K_UNMODIFIABLE_SORTED -> order = readOrder();
            default -> {
            }
        }
        int n = src.readLength(1);
        Collection<Object> target = switch (kind) {
            case Tags.K_IMMUTABLE, Tags.K_FIXED_SIZE -> new ArrayList<>(n);
            case Tags.K_LINKED -> tag == Tags.LIST ? new LinkedList<>() : new LinkedHashSet<>(capacity(n));
            case Tags.K_SORTED, Tags.K_UNMODIFIABLE_SORTED -> new TreeSet<>(order);
            case Tags.K_ENUM -> {
                if (!type.isEnum()) {
                    throw new ArtifactProblem("`" + TypeNames.display(type) + "` is not an enum here");
                }
                yield (Collection<Object>) EnumSet.noneOf((Class) type);
            }
            case Tags.K_CUSTOM -> (Collection<Object>) newCustom(type, Collection.class);
            case Tags.K_HASH_OR_ARRAY -> tag == Tags.SET ? new HashSet<>(capacity(n)) : new ArrayList<>(n);
            default -> throw new EOFException("unknown collection kind " + kind);
        };
        for (int i = 0; i < n; i++) {
            target.add(readValue());
        }
        if (kind == Tags.K_FIXED_SIZE) {
            return Arrays.asList(target.toArray());
        }
        if (kind == Tags.K_UNMODIFIABLE_SORTED) {
            return Collections.unmodifiableNavigableSet((TreeSet<Object>) target);
        }
        if (kind == Tags.K_IMMUTABLE) {
            boolean hasNull = target.contains(null);
            if (tag == Tags.SET) {
                return hasNull ? Collections.unmodifiableSet(new LinkedHashSet<>(target)) : Set.copyOf(target);
            }
            // List.of rejects nulls, Stream.toList() allows them: both are unmodifiable.
            return hasNull ? Collections.unmodifiableList((List<Object>) target) : List.copyOf(target);
        }
        return target;
    }

    private static int capacity(int n) {
        return (int) Math.min(1 << 30, n / 0.75f + 1);
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private Object readMap() throws IOException {
        byte kind = src.readByte();
        Class<?> type = null;
        Comparator<Object> order = null;
        switch (kind) {
            case Tags.K_CUSTOM, Tags.K_ENUM -> type = readClassRef();
            case Tags.K_SORTED, Tags.K_UNMODIFIABLE_SORTED -> order = readOrder();
            default -> {
            }
        }
        int n = src.readLength(2);
        Map<Object, Object> target = switch (kind) {
            case Tags.K_HASH_OR_ARRAY -> new HashMap<>(capacity(n));
            case Tags.K_LINKED, Tags.K_IMMUTABLE -> new LinkedHashMap<>(capacity(n));
            case Tags.K_SORTED, Tags.K_UNMODIFIABLE_SORTED -> new TreeMap<>(order);
            case Tags.K_ENUM -> {
                if (!type.isEnum()) {
                    throw new ArtifactProblem("`" + TypeNames.display(type) + "` is not an enum here");
                }
                yield new EnumMap(type);
            }
            case Tags.K_CUSTOM -> (Map<Object, Object>) newCustom(type, Map.class);
            default -> throw new EOFException("unknown map kind " + kind);
        };
        for (int i = 0; i < n; i++) {
            Object k = readValue();
            target.put(k, readValue());
        }
        if (kind == Tags.K_UNMODIFIABLE_SORTED) {
            return Collections.unmodifiableNavigableMap((TreeMap<Object, Object>) target);
        }
        if (kind == Tags.K_IMMUTABLE) {
            boolean hasNull = target.containsKey(null) || target.containsValue(null);
            return hasNull ? Collections.unmodifiableMap(target) : Map.copyOf(target);
        }
        return target;
    }

    private static Object readTemporal(byte code, String s) throws EOFException {
        if (s == null) {
            throw new EOFException("missing temporal value");
        }
        return switch (code) {
            case 0 -> Instant.parse(s);
            case 1 -> LocalDate.parse(s);
            case 2 -> LocalTime.parse(s);
            case 3 -> LocalDateTime.parse(s);
            case 4 -> OffsetDateTime.parse(s);
            case 5 -> OffsetTime.parse(s);
            case 6 -> ZonedDateTime.parse(s);
            case 7 -> Duration.parse(s);
            case 8 -> Period.parse(s);
            case 9 -> Year.of(Integer.parseInt(s));
            case 10 -> YearMonth.parse(s);
            case 11 -> MonthDay.parse(s);
            case 12 -> ZoneOffset.of(s);
            case 13 -> ZoneId.of(s);
            default -> throw new EOFException("unknown temporal code " + code);
        };
    }

    private Object readJackson() throws IOException {
        Class<?> c = readClassRef();
        byte[] json = readLengthPrefixed();
        return marshaller.jackson().mapper.readValue(json, c);
    }

    private Object readSerializable() throws IOException {
        int count = src.readLength(1);
        List<String> names = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            names.add(src.readString());
        }
        byte[] bytes = readLengthPrefixed();
        try {
            return SerialSupport.read(new SerialSupport.Payload(names, bytes), resolver);
        } catch (InvalidClassException e) {
            throw new ArtifactProblem("was refused: its Java-serialized data contains a class that is not allowed "
                    + "(only the classes recorded when it was written, never known gadget classes): "
                    + e.getMessage() + ". kale4j did not write it this way; re-run the producing step", e);
        } catch (ClassNotFoundException e) {
            throw new ArtifactProblem("needs class `" + TypeNames.portableName(e.getMessage()) + "`, which this step "
                    + "cannot find. Declare it (the same declaration as in the producing step) or add its jar", e);
        }
    }

    private Object readCodec() throws IOException {
        int id = src.readVarInt();
        if (id == codecs.size()) {
            String codecId = src.readString();
            int version = src.readVarInt();
            ValueCodec codec = marshaller.codec(codecId);
            if (codec == null) {
                throw new ArtifactProblem("was written with ValueCodec `" + codecId + "`, which is not on this "
                        + "step's class path; add the library that provides it");
            }
            codecs.add(codec);
            codecVersions.add(version);
        } else if (id > codecs.size()) {
            throw new EOFException("bad codec reference " + id);
        }
        ValueCodec codec = codecs.get(id);
        int saved = codecVersion;
        codecVersion = codecVersions.get(id);
        Object v;
        try {
            v = codec.read(this);
        } finally {
            codecVersion = saved;
        }
        if (src.readInt() != Tags.CODEC_END) {
            throw new ArtifactProblem("ValueCodec `" + codec.id() + "` read back a different number of bytes than "
                    + "it wrote (a bug in that codec)");
        }
        return v;
    }

    // ReadContext for ValueCodecs.

    @Override
    public String variable() {
        return variable;
    }

    @Override
    public int codecVersion() {
        return codecVersion;
    }

    @Override
    public TypeResolver resolver() {
        return resolver;
    }

    @Override
    public byte readByte() throws IOException {
        return src.readByte();
    }

    @Override
    public boolean readBoolean() throws IOException {
        return src.readByte() != 0;
    }

    @Override
    public int readInt() throws IOException {
        return src.readInt();
    }

    @Override
    public long readLong() throws IOException {
        return src.readLong();
    }

    @Override
    public float readFloat() throws IOException {
        return src.readFloat();
    }

    @Override
    public double readDouble() throws IOException {
        return src.readDouble();
    }

    @Override
    public String readString() throws IOException {
        return src.readString();
    }

    /** -1 for null (see {@link Encoder#writeBytes}). */
    private int nullableLength(int size) throws IOException {
        int n = src.readVarInt();
        return n == 0 ? -1 : src.checkLength(Integer.toUnsignedLong(n) - 1, size);
    }

    @Override
    public byte[] readBytes() throws IOException {
        int n = nullableLength(1);
        if (n < 0) return null;
        byte[] a = new byte[n];
        src.readRaw(a);
        return a;
    }

    @Override
    public int[] readInts() throws IOException {
        int n = nullableLength(4);
        if (n < 0) return null;
        int[] a = new int[n];
        src.readInts(a);
        return a;
    }

    @Override
    public long[] readLongs() throws IOException {
        int n = nullableLength(8);
        if (n < 0) return null;
        long[] a = new long[n];
        src.readLongs(a);
        return a;
    }

    @Override
    public float[] readFloats() throws IOException {
        int n = nullableLength(4);
        if (n < 0) return null;
        float[] a = new float[n];
        src.readFloats(a);
        return a;
    }

    @Override
    public double[] readDoubles() throws IOException {
        int n = nullableLength(8);
        if (n < 0) return null;
        double[] a = new double[n];
        src.readDoubles(a);
        return a;
    }

    @Override
    public Class<?> readType() throws IOException {
        return readClassRef();
    }
}
