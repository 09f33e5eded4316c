package dev.kale4j.runtime.marshal;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.reflect.Constructor;
import java.lang.reflect.Method;
import java.lang.reflect.RecordComponent;

/**
 * Records are marshalled structurally, by component name: the producer's and the consumer's record classes are
 * different classes (JShell re-declares them under new wrapper names), so only names and values can travel.
 * Accessors and canonical constructors are looked up once per class and kept as method handles; primitive
 * components get handles typed {@code (Object)int} etc. so they are read without boxing.
 */
final class Records {
    private Records() {
    }

    /** Write side: component names, kinds and accessors of one record class. */
    record Shape(Class<?> type, String[] names, byte[] kinds, MethodHandle[] getters) {
    }

    /** Read side: the consumer class's canonical constructor, taking an {@code Object[]} in component order. */
    record Ctor(Class<?> type, String[] names, Class<?>[] types, MethodHandle spread) {
        int indexOf(String name) {
            for (int i = 0; i < names.length; i++) {
                if (names[i].equals(name)) {
                    return i;
                }
            }
            return -1;
        }
    }

    private static final ClassValue<Object> SHAPES = new ClassValue<>() {
        @Override
        protected Object computeValue(Class<?> type) {
            try {
                return shape(type);
            } catch (ReflectiveOperationException | RuntimeException e) {
                return e;
            }
        }
    };

    private static final ClassValue<Object> CTORS = new ClassValue<>() {
        @Override
        protected Object computeValue(Class<?> type) {
            try {
                return ctor(type);
            } catch (ReflectiveOperationException | RuntimeException e) {
                return e;
            }
        }
    };

    static Shape shapeOf(Class<?> type) {
        Object s = SHAPES.get(type);
        if (s instanceof Shape shape) {
            return shape;
        }
        throw new UnsupportedValue(type, "its record accessors are not accessible to kale4j ("
                + s + "); open its package to kale4j or make the record public", (Throwable) s);
    }

    static Ctor ctorOf(Class<?> type) {
        Object c = CTORS.get(type);
        if (c instanceof Ctor ctor) {
            return ctor;
        }
        throw new ArtifactProblem("the canonical constructor of record `" + TypeNames.display(type)
                + "` is not accessible to kale4j (" + c + ")", (Throwable) c);
    }

    private static Shape shape(Class<?> type) throws ReflectiveOperationException {
        RecordComponent[] rc = type.getRecordComponents();
        String[] names = new String[rc.length];
        byte[] kinds = new byte[rc.length];
        MethodHandle[] getters = new MethodHandle[rc.length];
        MethodHandles.Lookup lookup = MethodHandles.lookup();
        for (int i = 0; i < rc.length; i++) {
            names[i] = rc[i].getName();
            Class<?> t = rc[i].getType();
            kinds[i] = Tags.componentKind(t);
            Method accessor = rc[i].getAccessor();
            // JShell records are public, but records nested in non-public classes are not: needs setAccessible.
            accessor.trySetAccessible();
            MethodHandle mh = lookup.unreflect(accessor);
            getters[i] = mh.asType(MethodType.methodType(t.isPrimitive() ? t : Object.class, Object.class));
        }
        return new Shape(type, names, kinds, getters);
    }

    private static Ctor ctor(Class<?> type) throws ReflectiveOperationException {
        if (!type.isRecord()) {
            throw new ClassCastException(type.getName() + " is not a record");
        }
        RecordComponent[] rc = type.getRecordComponents();
        String[] names = new String[rc.length];
        Class<?>[] types = new Class<?>[rc.length];
        for (int i = 0; i < rc.length; i++) {
            names[i] = rc[i].getName();
            types[i] = rc[i].getType();
        }
        Constructor<?> c = type.getDeclaredConstructor(types);
        c.trySetAccessible();
        MethodHandle mh = MethodHandles.lookup().unreflectConstructor(c)
                .asSpreader(Object[].class, rc.length)
                .asType(MethodType.methodType(Object.class, Object[].class));
        return new Ctor(type, names, types, mh);
    }
}
