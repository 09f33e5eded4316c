package dev.kale4j.runtime;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The only class user-side JShell code touches: generated step code calls it to load inputs, hand
 * over outputs and register the classes it declared. Keyed by a context id so that several steps can
 * run in one JVM (the in-process mode) without seeing each other's values.
 */
public final class Bridge {
    private static final Map<String, StepContext> CONTEXTS = new ConcurrentHashMap<>();

    private Bridge() {
    }

    static void open(String id, StepContext context) {
        CONTEXTS.put(id, context);
    }

    static void close(String id) {
        CONTEXTS.remove(id);
    }

    private static StepContext context(String id) {
        StepContext c = CONTEXTS.get(id);
        if (c == null) {
            throw new IllegalStateException("no kale4j step context " + id);
        }
        return c;
    }

    /** Loads an input variable's value from its upstream artifact. */
    public static Object input(String ctx, String variable, Class<?> caller) {
        return context(ctx).load(variable, caller.getClassLoader());
    }

    /** Hands a variable's value to the runtime, to be saved after the step body ran. */
    public static void capture(String ctx, String variable, Object value) {
        context(ctx).capture(variable, value);
    }

    /** Registers a class the step's JShell declared, so artifacts naming it resolve to this JVM's class. */
    public static void registerType(String ctx, String name, Class<?> type) {
        context(ctx).registerType(name, type);
    }
}
