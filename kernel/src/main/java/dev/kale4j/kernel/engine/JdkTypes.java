package dev.kale4j.kernel.engine;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.Modifier;
import java.net.URI;
import java.nio.file.DirectoryStream;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The public top-level types of the packages a session imports by default, read from the running JDK's
 * {@code jrt:/} file system (the execution JVM runs the same JDK). A simple name resolves to one type only
 * when exactly one of the packages has it and {@code java.lang} does not, which is when the star imports
 * would have resolved it too.
 */
final class JdkTypes {
    private final List<String> packages;
    /** Simple name to the packages that have a class file of that name (public or not). */
    private volatile Map<String, List<String>> byName;
    private final Map<String, Optional<String>> resolved = new ConcurrentHashMap<>();

    JdkTypes(List<String> packages) {
        this.packages = List.copyOf(packages);
    }

    /** The fully qualified name {@code simpleName} stands for under the default imports, if any. */
    Optional<String> resolve(String simpleName) {
        return resolved.computeIfAbsent(simpleName, this::lookUp);
    }

    /** Simple names starting with {@code prefix} that {@link #resolve} resolves, sorted. */
    List<String> namesStartingWith(String prefix) {
        List<String> out = new ArrayList<>();
        for (String name : index().keySet()) {
            if (name.startsWith(prefix) && resolve(name).isPresent()) {
                out.add(name);
            }
        }
        out.sort(null);
        return out;
    }

    private Optional<String> lookUp(String simpleName) {
        List<String> in = index().get(simpleName);
        if (in == null || in.size() != 1 || exists("java.lang." + simpleName)) {
            return Optional.empty();
        }
        String fqn = in.get(0) + "." + simpleName;
        try {
            Class<?> c = Class.forName(fqn, false, ClassLoader.getPlatformClassLoader());
            return Modifier.isPublic(c.getModifiers()) ? Optional.of(fqn) : Optional.empty();
        } catch (ClassNotFoundException | LinkageError e) {
            return Optional.empty();
        }
    }

    private static boolean exists(String fqn) {
        return ClassLoader.getPlatformClassLoader().getResource(fqn.replace('.', '/') + ".class") != null;
    }

    private Map<String, List<String>> index() {
        Map<String, List<String>> m = byName;
        if (m == null) {
            synchronized (this) {
                m = byName;
                if (m == null) {
                    m = read();
                    byName = m;
                }
            }
        }
        return m;
    }

    private Map<String, List<String>> read() {
        Map<String, List<String>> m = new HashMap<>();
        FileSystem jrt = FileSystems.getFileSystem(URI.create("jrt:/"));
        for (String pkg : packages) {
            Path links = jrt.getPath("/packages", pkg);
            if (!Files.isDirectory(links)) {
                continue;
            }
            try (DirectoryStream<Path> modules = Files.newDirectoryStream(links)) {
                for (Path module : modules) {
                    Path dir = jrt.getPath("/modules", module.getFileName().toString(), pkg.replace('.', '/'));
                    try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "*.class")) {
                        for (Path f : files) {
                            String name = f.getFileName().toString();
                            name = name.substring(0, name.length() - ".class".length());
                            if (name.indexOf('$') < 0 && !name.equals("package-info") && !name.equals("module-info")) {
                                m.computeIfAbsent(name, k -> new ArrayList<>(1)).add(pkg);
                            }
                        }
                    }
                }
            } catch (IOException e) {
                throw new UncheckedIOException("cannot list the JDK's package " + pkg, e);
            }
        }
        return m;
    }
}
