package dev.kale4j.runtime.marshal;

/**
 * Turns a class name recorded in an artifact back into a class of the consuming JVM.
 *
 * <p>Names are either ordinary binary names ({@code java.util.UUID}, {@code com.acme.Order$Line}) or, for classes the
 * producer declared inside JShell, their source name without the JShell wrapper ({@code Point},
 * {@code Outer$Inner}): the wrapper class numbers differ between JVMs, so the step runtime registers the consumer's
 * JShell classes by simple name and falls back to {@code Class.forName} on the JShell class loader for other names.
 */
@FunctionalInterface
public interface TypeResolver {
    Class<?> resolve(String name) throws ClassNotFoundException;

    /** Resolves through {@code Class.forName(name, false, loader)}; enough when no JShell classes are involved. */
    static TypeResolver of(ClassLoader loader) {
        return name -> Class.forName(name, false, loader);
    }
}
