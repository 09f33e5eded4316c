package dev.kale4j.runtime.marshal;

import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Portable class names. Classes declared in JShell live in wrapper classes ({@code REPL.$JShell$12$Point}) whose
 * numbers differ between the producing and the consuming JVM, so they are recorded by their source name
 * ({@code Point}, {@code Outer$Inner}); everything else by its binary name. Arrays are written as
 * {@code element[]...} and primitives by keyword, so one resolver call per element class suffices.
 */
final class TypeNames {
    private static final Pattern JSHELL = Pattern.compile("REPL\\.\\$JShell\\$\\d+\\$(.+)");
    private static final Map<String, Class<?>> PRIMITIVES = Map.of(
            "boolean", boolean.class, "byte", byte.class, "short", short.class, "char", char.class,
            "int", int.class, "long", long.class, "float", float.class, "double", double.class, "void", void.class);

    private TypeNames() {
    }

    static String portableName(Class<?> c) {
        if (c.isArray()) {
            return portableName(c.getComponentType()) + "[]";
        }
        return portableName(c.getName());
    }

    /** For binary names as they appear in Java serialization streams (no arrays there: the filter handles them). */
    static String portableName(String binaryName) {
        Matcher m = JSHELL.matcher(binaryName);
        return m.matches() ? m.group(1) : binaryName;
    }

    static boolean isJShellClass(Class<?> c) {
        return JSHELL.matcher(c.getName()).matches();
    }

    /** Inverse of {@link #portableName(Class)} through the consumer's resolver. */
    static Class<?> resolve(String name, TypeResolver resolver) throws ClassNotFoundException {
        if (name.endsWith("[]")) {
            return resolve(name.substring(0, name.length() - 2), resolver).arrayType();
        }
        Class<?> p = PRIMITIVES.get(name);
        if (p != null) {
            return p;
        }
        try {
            return resolver.resolve(name);
        } catch (ClassNotFoundException e) {
            // A class nested in a JShell-declared class ("Outer$Inner"): the runtime registers only top-level
            // JShell classes by simple name, so walk down from the outer one.
            int dollar = name.lastIndexOf('$');
            if (dollar > 0 && name.indexOf('.') < 0) {
                Class<?> outer = resolve(name.substring(0, dollar), resolver);
                String simple = name.substring(dollar + 1);
                for (Class<?> nested : outer.getDeclaredClasses()) {
                    if (nested.getSimpleName().equals(simple)) {
                        return nested;
                    }
                }
            }
            throw e;
        }
    }

    /** How the user would write the class in source, for messages. */
    static String display(Class<?> c) {
        if (c.isArray()) {
            return display(c.getComponentType()) + "[]";
        }
        return portableName(c.getName()).replace('$', '.');
    }
}
