package dev.kale4j.runtime.marshal;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InvalidClassException;
import java.io.NotSerializableException;
import java.io.ObjectInputFilter;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.ObjectStreamClass;
import java.io.OutputStream;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Java serialization, fenced in. The writer records every class whose descriptor goes into the stream
 * ({@link ObjectOutputStream#annotateClass}); the reader installs an {@link ObjectInputFilter} that accepts exactly
 * those classes (and arrays of them or of primitives) and rejects everything else, so a stream cannot smuggle in a
 * class the producer did not write. Because the allow list travels in the artifact, well-known gadget classes and
 * packages are additionally refused on both sides, whatever the list says, as are dynamic proxies. A JVM-wide
 * filter ({@code jdk.serialFilter}), if configured, is applied first.
 *
 * <p>JShell classes: the stream names them {@code REPL.$JShell$12$Foo}; they are resolved by source name through
 * the consumer's {@link TypeResolver}, and the consumer's own class descriptor is used, because the default
 * {@code serialVersionUID} of a re-declared class differs (it hashes the wrapper's name).
 */
final class SerialSupport {
    private SerialSupport() {
    }

    /** Packages and classes used by published deserialization gadget chains; never needed to pass notebook data. */
    private static final List<String> DENIED = List.of(
            "org.apache.commons.collections.functors.", "org.apache.commons.collections4.functors.",
            "org.apache.commons.beanutils.", "org.codehaus.groovy.runtime.", "groovy.lang.",
            "org.springframework.beans.factory.", "org.springframework.aop.", "org.springframework.core.",
            "com.sun.org.apache.xalan.", "org.apache.xalan.", "com.sun.org.apache.bcel.",
            "javax.management.", "java.rmi.", "sun.rmi.", "com.sun.jndi.", "javax.naming.", "com.sun.rowset.",
            "java.beans.", "javax.script.", "bsh.", "clojure.", "org.mozilla.javascript.", "org.python.",
            "com.mchange.v2.c3p0.", "org.hibernate.", "net.sf.json.", "com.rometools.", "com.sun.syndication.",
            "org.apache.wicket.", "org.jboss.", "com.sun.proxy.", "jdk.proxy", "sun.reflect.", "jdk.internal.",
            "sun.misc.", "java.lang.invoke.", "java.lang.reflect.");
    private static final Set<String> DENIED_CLASSES = Set.of(
            "java.lang.Runtime", "java.lang.ProcessBuilder", "java.lang.Thread", "java.net.URLClassLoader",
            "java.util.ServiceLoader");

    static boolean denied(String binaryName) {
        if (DENIED_CLASSES.contains(binaryName)) {
            return true;
        }
        for (String d : DENIED) {
            if (binaryName.startsWith(d)) {
                return true;
            }
        }
        return false;
    }

    record Payload(List<String> classes, byte[] bytes) {
    }

    /** @throws NotSerializableException naming the class that is not serializable */
    static Payload write(Object value) throws IOException {
        ByteArrayOutputStream bos = new ByteArrayOutputStream(256);
        try (RecordingOutput out = new RecordingOutput(bos)) {
            out.writeObject(value);
            out.flush();
            return new Payload(List.copyOf(out.recorded), bos.toByteArray());
        }
    }

    static Object read(Payload payload, TypeResolver resolver) throws IOException, ClassNotFoundException {
        Set<String> allowed = new LinkedHashSet<>();
        for (String name : payload.classes) {
            if (denied(name)) {
                throw new InvalidClassException(name, "refused: a known deserialization gadget class or package");
            }
            allowed.add(name);
        }
        AllowRecorded filter = new AllowRecorded(allowed, payload.bytes.length);
        try (FilteredInput in = new FilteredInput(new ByteArrayInputStream(payload.bytes), resolver)) {
            in.setObjectInputFilter(filter);
            return in.readObject();
        } catch (InvalidClassException e) {
            if (filter.rejected != null) {
                throw new InvalidClassException(filter.rejected, e.getMessage());
            }
            throw e;
        }
    }

    private static final class RecordingOutput extends ObjectOutputStream {
        final Set<String> recorded = new LinkedHashSet<>();

        RecordingOutput(OutputStream out) throws IOException {
            super(out);
        }

        @Override
        protected void annotateClass(Class<?> cl) throws IOException {
            if (cl.isArray()) {
                return; // the reader's filter accepts arrays by their element class
            }
            if (denied(cl.getName())) {
                throw new NotSerializableException(cl.getName() + " (kale4j refuses to serialize it: it is a known "
                        + "deserialization gadget class)");
            }
            recorded.add(TypeNames.portableName(cl.getName()));
        }

        @Override
        protected void annotateProxyClass(Class<?> cl) throws IOException {
            throw new NotSerializableException(cl.getName() + " (a dynamic proxy)");
        }
    }

    private static final Set<String> PRIMITIVE_NAMES =
            Set.of("boolean", "byte", "short", "char", "int", "long", "float", "double", "void");

    private static final class FilteredInput extends ObjectInputStream {
        private final TypeResolver resolver;

        FilteredInput(ByteArrayInputStream in, TypeResolver resolver) throws IOException {
            super(in);
            this.resolver = resolver;
        }

        @Override
        protected ObjectStreamClass readClassDescriptor() throws IOException, ClassNotFoundException {
            ObjectStreamClass desc = super.readClassDescriptor();
            String portable = TypeNames.portableName(desc.getName());
            if (!portable.equals(desc.getName())) {
                // A JShell class: only its fields matter; its default serialVersionUID differs between JVMs.
                ObjectStreamClass local = ObjectStreamClass.lookup(TypeNames.resolve(portable, resolver));
                if (local != null) {
                    return local;
                }
            }
            return desc;
        }

        @Override
        protected Class<?> resolveClass(ObjectStreamClass desc) throws IOException, ClassNotFoundException {
            String name = desc.getName();
            if (name.startsWith("[") || PRIMITIVE_NAMES.contains(name)) {
                return super.resolveClass(desc);
            }
            try {
                return TypeNames.resolve(TypeNames.portableName(name), resolver);
            } catch (ClassNotFoundException e) {
                return super.resolveClass(desc);
            }
        }

        @Override
        protected Class<?> resolveProxyClass(String[] interfaces) throws IOException {
            throw new InvalidClassException("dynamic proxy", "refused by kale4j");
        }
    }

    /** Accepts exactly the recorded classes; bounds sizes by the payload so corrupted lengths cannot exhaust memory. */
    private static final class AllowRecorded implements ObjectInputFilter {
        private final Set<String> allowed;
        private final long payloadBytes;
        /** The class that made the filter say no, for the error message. */
        String rejected;

        AllowRecorded(Set<String> allowed, long payloadBytes) {
            this.allowed = allowed;
            this.payloadBytes = payloadBytes;
        }

        @Override
        public Status checkInput(FilterInfo info) {
            ObjectInputFilter global = ObjectInputFilter.Config.getSerialFilter();
            if (global != null && global.checkInput(info) == Status.REJECTED) {
                return Status.REJECTED;
            }
            if (info.depth() > 2_000 || info.arrayLength() > payloadBytes || info.streamBytes() > payloadBytes) {
                return Status.REJECTED;
            }
            Class<?> c = info.serialClass();
            if (c == null) {
                return Status.UNDECIDED; // a limits-only check, passed above
            }
            while (c.isArray()) {
                c = c.getComponentType();
            }
            if (c.isPrimitive() || info.serialClass().isArray() && (c == Object.class || c == Map.Entry.class)) {
                // Collections' readObject allocate Object[] / Map.Entry[] themselves (no descriptor is written for
                // them); an array runs no code and its length is bounded above.
                return Status.ALLOWED;
            }
            String name = TypeNames.portableName(c.getName());
            if (allowed.contains(name) && !denied(c.getName())) {
                return Status.ALLOWED;
            }
            rejected = c.getName();
            return Status.REJECTED;
        }
    }
}
