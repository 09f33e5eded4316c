package dev.kale4j.runtime.marshal;

import com.fasterxml.jackson.core.JsonProcessingException;

import java.io.IOException;
import java.io.NotSerializableException;
import java.lang.invoke.MethodHandle;
import java.nio.file.FileSystems;
import java.nio.file.Path;
import java.util.Collection;
import java.util.Collections;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.RandomAccess;
import java.util.SortedMap;
import java.util.SortedSet;

/**
 * Writes one value (the body of one artifact) to a {@link ChannelSink}. Class names, record shapes and codec ids
 * are written once per artifact and referred to by index afterwards, so a million records of one class cost their
 * component values plus two bytes each.
 */
final class Encoder implements WriteContext {
    static final int MAX_DEPTH = 1_000;

    final ChannelSink sink;
    private final Marshaller marshaller;
    private final String variable;
    private final Map<Class<?>, Integer> classIds = new HashMap<>();
    private final Map<Records.Shape, Integer> shapeIds = new IdentityHashMap<>();
    private final Map<String, Integer> codecIds = new HashMap<>();
    private int depth;
    private String rootCodec = Handlers.BINARY;

    Encoder(ChannelSink sink, Marshaller marshaller, String variable) {
        this.sink = sink;
        this.marshaller = marshaller;
        this.variable = variable;
    }

    /** Writes the top-level value; returns the id of the codec that wrote it (for the header). */
    String writeRoot(Object value) throws IOException {
        writeValue(value);
        return rootCodec;
    }

    private void codecUsed(String id) {
        if (depth == 1) {
            rootCodec = id;
        }
    }

    @Override
    public String variable() {
        return variable;
    }

    @Override
    public void writeValue(Object v) throws IOException {
        if (v == null) {
            sink.writeByte(Tags.NULL);
            return;
        }
        if (v.getClass() == String.class) {
            // The most common component value; skips the per-class handler lookup.
            sink.writeByte(Tags.STRING);
            sink.writeString((String) v);
            return;
        }
        if (++depth > MAX_DEPTH) {
            throw new UnsupportedValue(v.getClass(), "it nests more than " + MAX_DEPTH
                    + " levels deep (is it cyclic, e.g. a list that contains itself?)");
        }
        try {
            marshaller.handler(v.getClass()).write(this, v);
        } finally {
            depth--;
        }
    }

    void writeClassRef(Class<?> c) throws IOException {
        Integer id = classIds.get(c);
        if (id != null) {
            sink.writeVarInt(id);
            return;
        }
        id = classIds.size();
        classIds.put(c, id);
        sink.writeVarInt(id);
        sink.writeString(TypeNames.portableName(c));
    }

    void arrayHeader(byte tag, int length) throws IOException {
        sink.writeByte(tag);
        sink.writeVarInt(length);
    }

    void writeLengthPrefixed(byte[] b) throws IOException {
        sink.writeVarInt(b.length);
        sink.writeRaw(b, 0, b.length);
    }

    void writeEnum(Class<?> enumClass, Enum<?> e) throws IOException {
        sink.writeByte(Tags.ENUM);
        writeClassRef(enumClass);
        sink.writeString(e.name());
    }

    void writeRecord(Records.Shape shape, Object r) throws IOException {
        sink.writeByte(Tags.RECORD);
        Integer id = shapeIds.get(shape);
        if (id != null) {
            sink.writeVarInt(id);
        } else {
            id = shapeIds.size();
            shapeIds.put(shape, id);
            sink.writeVarInt(id);
            writeClassRef(shape.type());
            sink.writeVarInt(shape.names().length);
            for (int i = 0; i < shape.names().length; i++) {
                sink.writeString(shape.names()[i]);
                sink.writeByte(shape.kinds()[i]);
            }
        }
        byte[] kinds = shape.kinds();
        MethodHandle[] getters = shape.getters();
        try {
            for (int i = 0; i < kinds.length; i++) {
                MethodHandle g = getters[i];
                switch (kinds[i]) {
                    case Tags.C_INT -> sink.writeInt((int) g.invokeExact(r));
                    case Tags.C_LONG -> sink.writeLong((long) g.invokeExact(r));
                    case Tags.C_DOUBLE -> sink.writeDouble((double) g.invokeExact(r));
                    case Tags.C_BOOLEAN -> sink.writeByte((boolean) g.invokeExact(r) ? 1 : 0);
                    case Tags.C_FLOAT -> sink.writeFloat((float) g.invokeExact(r));
                    case Tags.C_BYTE -> sink.writeByte((byte) g.invokeExact(r));
                    case Tags.C_SHORT -> sink.writeShort((short) g.invokeExact(r));
                    case Tags.C_CHAR -> sink.writeChar((char) g.invokeExact(r));
                    default -> {
                        Object value = (Object) g.invokeExact(r);
                        try {
                            writeValue(value);
                        } catch (UnsupportedValue u) {
                            throw u.within("." + shape.names()[i]);
                        }
                    }
                }
            }
        } catch (IOException | RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new UnsupportedValue(shape.type(), "a record accessor threw " + t, t);
        }
    }

    void writeObjectArray(Class<?> component, Object[] a) throws IOException {
        sink.writeByte(Tags.OBJECT_ARRAY);
        writeClassRef(component);
        sink.writeVarInt(a.length);
        for (int i = 0; i < a.length; i++) {
            try {
                writeValue(a[i]);
            } catch (UnsupportedValue u) {
                throw u.within("[" + i + "]");
            }
        }
    }

    void writeOptional(Optional<?> o) throws IOException {
        if (o.isEmpty()) {
            sink.writeByte(Tags.OPTIONAL_EMPTY);
            return;
        }
        sink.writeByte(Tags.OPTIONAL);
        try {
            writeValue(o.get());
        } catch (UnsupportedValue u) {
            throw u.within(".get()");
        }
    }

    void writePath(Path p) throws IOException {
        if (p.getFileSystem() != FileSystems.getDefault()) {
            throw new UnsupportedValue(p.getClass(), "only paths of the default file system can be saved");
        }
        sink.writeByte(Tags.PATH);
        sink.writeString(p.toString());
    }

    private static byte order(Comparator<?> comparator, Class<?> type) {
        if (comparator == null) {
            return Tags.ORDER_NATURAL;
        }
        if (comparator == Collections.reverseOrder() || comparator == Comparator.reverseOrder()) {
            return Tags.ORDER_REVERSE;
        }
        throw new UnsupportedValue(type, "it is sorted by a custom comparator, which is code and cannot be saved; "
                + "copy it into a collection with natural ordering (e.g. new TreeSet<>(x) of Comparable elements) "
                + "or a LinkedHash* one that keeps the current order");
    }

    void writeCollection(byte tag, byte kind, Class<?> custom, Collection<?> c) throws IOException {
        sink.writeByte(tag);
        Class<?> enumClass = null;
        if (kind == Tags.K_ENUM) {
            enumClass = enumElementType((EnumSet<?>) c);
            if (enumClass == null) {
                kind = Tags.K_IMMUTABLE; // an empty EnumSet of an enum without constants: nothing to keep
            }
        }
        sink.writeByte(kind);
        switch (kind) {
            case Tags.K_CUSTOM -> {
                if (c instanceof SortedSet<?> s && s.comparator() != null) {
                    order(s.comparator(), c.getClass());
                }
                writeClassRef(custom);
            }
            case Tags.K_SORTED, Tags.K_UNMODIFIABLE_SORTED ->
                    sink.writeByte(order(((SortedSet<?>) c).comparator(), c.getClass()));
            case Tags.K_ENUM -> writeClassRef(enumClass);
            default -> {
            }
        }
        int size = c.size();
        sink.writeVarInt(size);
        int i = 0;
        try {
            if (c instanceof List<?> list && c instanceof RandomAccess) {
                for (; i < size; i++) {
                    writeValue(list.get(i));
                }
            } else {
                for (Object e : c) {
                    if (i == size) {
                        break;
                    }
                    writeValue(e);
                    i++;
                }
            }
        } catch (UnsupportedValue u) {
            throw u.within("[" + i + "]");
        }
        if (i != size) {
            throw new UnsupportedValue(c.getClass(), "it changed size while being saved");
        }
    }

    private static Class<?> enumElementType(EnumSet<?> s) {
        // EnumSet does not expose its element type; an element (of the set or of its complement) does.
        EnumSet<?> probe = s.isEmpty() ? EnumSet.complementOf(s) : s;
        return probe.isEmpty() ? null : probe.iterator().next().getDeclaringClass();
    }

    void writeMap(byte kind, Class<?> custom, Map<?, ?> m) throws IOException {
        if (kind == Tags.K_ENUM && m.isEmpty()) {
            // An empty EnumMap does not reveal its key type; Java serialization records it.
            writeSerializable(m);
            return;
        }
        sink.writeByte(Tags.MAP);
        sink.writeByte(kind);
        switch (kind) {
            case Tags.K_CUSTOM -> {
                if (m instanceof SortedMap<?, ?> s && s.comparator() != null) {
                    order(s.comparator(), m.getClass());
                }
                writeClassRef(custom);
            }
            case Tags.K_SORTED, Tags.K_UNMODIFIABLE_SORTED ->
                    sink.writeByte(order(((SortedMap<?, ?>) m).comparator(), m.getClass()));
            case Tags.K_ENUM -> writeClassRef(((EnumMap<?, ?>) m).keySet().iterator().next().getDeclaringClass());
            default -> {
            }
        }
        int size = m.size();
        sink.writeVarInt(size);
        int i = 0;
        Iterator<? extends Map.Entry<?, ?>> it = m.entrySet().iterator();
        for (; i < size && it.hasNext(); i++) {
            Map.Entry<?, ?> e = it.next();
            try {
                writeValue(e.getKey());
            } catch (UnsupportedValue u) {
                throw u.within(".keySet()[" + i + "]");
            }
            try {
                writeValue(e.getValue());
            } catch (UnsupportedValue u) {
                throw u.within(UnsupportedValue.keySegment(e.getKey()));
            }
        }
        if (i != size) {
            throw new UnsupportedValue(m.getClass(), "it changed size while being saved");
        }
    }

    void writeJackson(Object v) throws IOException {
        byte[] json;
        try {
            json = marshaller.jackson().mapper.writeValueAsBytes(v);
        } catch (JsonProcessingException e) {
            if (v instanceof java.io.Serializable) {
                writeSerializable(v); // e.g. a bean with a java.time field and no Jackson module for it
                return;
            }
            throw new UnsupportedValue(v.getClass(), "Jackson could not write it as a bean: "
                    + e.getOriginalMessage(), e);
        } catch (RuntimeException e) {
            throw new UnsupportedValue(v.getClass(), "Jackson could not write it as a bean: " + e, e);
        }
        codecUsed(Handlers.JACKSON);
        sink.writeByte(Tags.JACKSON);
        writeClassRef(v.getClass());
        writeLengthPrefixed(json);
    }

    void writeSerializable(Object v) throws IOException {
        SerialSupport.Payload p;
        try {
            p = SerialSupport.write(v);
        } catch (NotSerializableException e) {
            throw new UnsupportedValue(v.getClass(), "it is Serializable but holds a value that is not: "
                    + e.getMessage(), e);
        }
        codecUsed(Handlers.SERIALIZABLE);
        sink.writeByte(Tags.SERIALIZABLE);
        sink.writeVarInt(p.classes().size());
        for (String name : p.classes()) {
            sink.writeString(name);
        }
        writeLengthPrefixed(p.bytes());
    }

    void writeCodec(ValueCodec codec, Object v) throws IOException {
        codecUsed(codec.id());
        sink.writeByte(Tags.CODEC);
        Integer id = codecIds.get(codec.id());
        if (id != null) {
            sink.writeVarInt(id);
        } else {
            id = codecIds.size();
            codecIds.put(codec.id(), id);
            sink.writeVarInt(id);
            sink.writeString(codec.id());
            sink.writeVarInt(codec.version());
        }
        try {
            codec.write(v, this);
        } catch (UnsupportedValue | ChannelSink.StorageFailure e) {
            throw e;
        } catch (IOException | RuntimeException e) {
            throw new UnsupportedValue(v.getClass(), "its ValueCodec `" + codec.id() + "` failed: " + e, e);
        }
        sink.writeInt(Tags.CODEC_END);
    }

    // WriteContext for ValueCodecs.

    @Override
    public void writeByte(int v) throws IOException {
        sink.writeByte(v);
    }

    @Override
    public void writeBoolean(boolean v) throws IOException {
        sink.writeByte(v ? 1 : 0);
    }

    @Override
    public void writeInt(int v) throws IOException {
        sink.writeInt(v);
    }

    @Override
    public void writeLong(long v) throws IOException {
        sink.writeLong(v);
    }

    @Override
    public void writeFloat(float v) throws IOException {
        sink.writeFloat(v);
    }

    @Override
    public void writeDouble(double v) throws IOException {
        sink.writeDouble(v);
    }

    @Override
    public void writeString(String s) throws IOException {
        sink.writeString(s);
    }

    /** Null is written as length 0, otherwise length + 1 (same as strings). */
    @Override
    public void writeBytes(byte[] b) throws IOException {
        if (nullOrLength(b == null ? -1 : b.length)) {
            sink.writeRaw(b, 0, b.length);
        }
    }

    @Override
    public void writeInts(int[] a) throws IOException {
        if (nullOrLength(a == null ? -1 : a.length)) {
            sink.writeInts(a);
        }
    }

    @Override
    public void writeLongs(long[] a) throws IOException {
        if (nullOrLength(a == null ? -1 : a.length)) {
            sink.writeLongs(a);
        }
    }

    @Override
    public void writeFloats(float[] a) throws IOException {
        if (nullOrLength(a == null ? -1 : a.length)) {
            sink.writeFloats(a);
        }
    }

    @Override
    public void writeDoubles(double[] a) throws IOException {
        if (nullOrLength(a == null ? -1 : a.length)) {
            sink.writeDoubles(a);
        }
    }

    private boolean nullOrLength(int length) throws IOException {
        sink.writeVarInt(length + 1);
        return length >= 0;
    }

    @Override
    public void writeType(Class<?> type) throws IOException {
        writeClassRef(type);
    }
}
