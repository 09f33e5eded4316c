package dev.kale4j.runtime;

import dev.kale4j.runtime.marshal.Marshaller;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** One running step's side of the {@link Bridge}: where its inputs are, what it captured, its classes. */
final class StepContext {
    private final Marshaller marshaller;
    private final Map<String, Path> inputs;
    private final Map<String, Object> captured = new LinkedHashMap<>();
    private final Map<String, Class<?>> types = new ConcurrentHashMap<>();

    StepContext(Marshaller marshaller, Map<String, Path> inputs) {
        this.marshaller = marshaller;
        this.inputs = Map.copyOf(inputs);
    }

    Object load(String variable, ClassLoader userLoader) {
        Path file = inputs.get(variable);
        if (file == null) {
            throw new IllegalStateException("input " + variable + " has no artifact");
        }
        return marshaller.read(file, name -> {
            Class<?> declared = types.get(name);
            return declared != null ? declared : Class.forName(name, false, userLoader);
        });
    }

    synchronized void capture(String variable, Object value) {
        captured.put(variable, value);
    }

    synchronized Object captured(String variable) {
        return captured.get(variable);
    }

    void registerType(String name, Class<?> type) {
        types.put(name, type);
    }
}
