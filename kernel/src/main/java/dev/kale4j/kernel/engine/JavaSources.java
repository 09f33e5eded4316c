package dev.kale4j.kernel.engine;

import java.io.IOException;
import java.lang.reflect.Field;
import java.lang.reflect.InaccessibleObjectException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import jdk.jshell.SourceCodeAnalysis;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where inspection finds Javadoc: the JDK's {@code src.zip} and {@code -sources.jar} files of
 * jars on the session class path.
 *
 * <p>JShell itself only looks at {@code $JAVA_HOME/lib/src.zip}, which many JDK packages leave
 * out (Debian and Ubuntu ship it as {@code openjdk-N-source}; JDK images are often built without
 * it). So the kernel looks in more places, in this order: {@code KALE4J_JDK_SOURCES} (environment)
 * or {@code -Dkale4j.jdk.sources}, {@code $JAVA_HOME/lib/src.zip}, {@code $JAVA_HOME/src.zip}, and
 * Debian's {@code /usr/lib/jvm/openjdk-N/lib/src.zip}. JShell has no API to set its source path,
 * so the list is handed to it through {@code SourceCodeAnalysisImpl.availableSourcesOverride}, the
 * field JShell's own tests use; if that field cannot be set (another JDK), inspection falls back
 * to JShell's own lookup and plain signatures.
 */
final class JavaSources {
    private static final Logger LOG = LoggerFactory.getLogger(JavaSources.class);
    private static final String IMPL = "jdk.jshell.SourceCodeAnalysisImpl";

    /** The JDK's source roots (one per module for a modular src.zip); computed once. */
    private static List<Path> jdkRoots;
    private static Path jdkZip;
    /** What the override holds now, to skip needless resets. */
    private static List<Path> installed;
    private static boolean unsupported;

    private JavaSources() {
    }

    /** The JDK src.zip the kernel uses, or null when none was found. */
    static synchronized Path jdkSourceZip() {
        jdkRoots();
        return jdkZip;
    }

    /** Candidate locations of the JDK's src.zip, in the order they are tried. */
    static List<Path> jdkCandidates() {
        List<Path> c = new ArrayList<>();
        String env = System.getenv("KALE4J_JDK_SOURCES");
        String prop = System.getProperty("kale4j.jdk.sources");
        for (String s : new String[] {prop, env}) {
            if (s != null && !s.isBlank()) {
                c.add(Path.of(s.trim()));
            }
        }
        Path home = Path.of(System.getProperty("java.home"));
        c.add(home.resolve("lib").resolve("src.zip"));
        c.add(home.resolve("src.zip"));
        int feature = Runtime.version().feature();
        c.add(Path.of("/usr/lib/jvm/openjdk-" + feature + "/lib/src.zip"));
        c.add(Path.of("/usr/lib/jvm/openjdk-" + feature + "/src.zip"));
        return c;
    }

    private static List<Path> jdkRoots() {
        if (jdkRoots != null) {
            return jdkRoots;
        }
        List<Path> roots = new ArrayList<>();
        for (Path zip : jdkCandidates()) {
            if (!Files.isReadable(zip) || Files.isDirectory(zip)) {
                continue;
            }
            try {
                // Kept open for the kernel's lifetime: JShell reads sources from it on each inspection.
                FileSystem fs = FileSystems.newFileSystem(zip);
                Path root = fs.getRootDirectories().iterator().next();
                if (Files.exists(root.resolve("java.base/java/lang/Object.java"))) {
                    try (DirectoryStream<Path> ds = Files.newDirectoryStream(root)) {
                        for (Path p : ds) {
                            if (Files.isDirectory(p)) {
                                roots.add(p);
                            }
                        }
                    }
                } else if (Files.exists(root.resolve("java/lang/Object.java"))) {
                    roots.add(zip);
                    fs.close();
                } else {
                    fs.close();
                    continue;
                }
                jdkZip = zip;
                LOG.debug("JDK sources for inspection: {}", zip);
                break;
            } catch (IOException | RuntimeException e) {
                LOG.debug("cannot read JDK sources {}: {}", zip, e.toString());
            }
        }
        if (jdkZip == null) {
            LOG.info("no JDK sources (src.zip) found, inspection shows signatures without Javadoc for JDK classes;"
                    + " install the JDK's sources (Debian/Ubuntu: apt-get install openjdk-{}-source) or set"
                    + " KALE4J_JDK_SOURCES to a src.zip", Runtime.version().feature());
        }
        jdkRoots = List.copyOf(roots);
        return jdkRoots;
    }

    /** The {@code -sources.jar} beside a class path jar ({@code a-1.0.jar -> a-1.0-sources.jar}), or null. */
    static Path sourcesJarFor(String classpathEntry) {
        if (!classpathEntry.endsWith(".jar")) {
            return null;
        }
        if (classpathEntry.endsWith("-sources.jar")) {
            return Path.of(classpathEntry);
        }
        Path p = Path.of(classpathEntry.substring(0, classpathEntry.length() - 4) + "-sources.jar");
        return Files.isRegularFile(p) ? p : null;
    }

    /**
     * Makes {@code sca} (and every later JShell in this JVM) read Javadoc from the JDK sources and
     * {@code extra} source jars. Returns false when JShell's source path cannot be set.
     */
    static synchronized boolean apply(SourceCodeAnalysis sca, List<Path> extra) {
        if (unsupported) {
            return false;
        }
        Set<Path> all = new LinkedHashSet<>(jdkRoots());
        all.addAll(extra);
        List<Path> wanted = List.copyOf(all);
        try {
            Class<?> impl = Class.forName(IMPL);
            if (!wanted.equals(installed)) {
                setField(impl.getDeclaredField("availableSourcesOverride"), null, wanted);
                installed = wanted;
            }
            if (impl.isInstance(sca)) {
                Field cached = impl.getDeclaredField("availableSources");
                Object now = getField(cached, sca);
                if (now != wanted) {
                    // JShell caches its source list per session; null makes it take the override.
                    setField(cached, sca, null);
                }
            }
            return true;
        } catch (ReflectiveOperationException | RuntimeException e) {
            unsupported = true;
            LOG.info("cannot set JShell's source path ({}); inspection uses JShell's own lookup", e.toString());
            return false;
        }
    }

    private static void setField(Field f, Object target, Object value) throws ReflectiveOperationException {
        try {
            f.setAccessible(true);
            f.set(target, value);
        } catch (InaccessibleObjectException e) {
            // jdk.jshell does not open its package; Unsafe needs no --add-opens on Java 17.
            Object unsafe = unsafe();
            Class<?> u = unsafe.getClass();
            if (target == null) {
                Object base = u.getMethod("staticFieldBase", Field.class).invoke(unsafe, f);
                long off = (long) u.getMethod("staticFieldOffset", Field.class).invoke(unsafe, f);
                u.getMethod("putObjectVolatile", Object.class, long.class, Object.class).invoke(unsafe, base, off, value);
            } else {
                long off = (long) u.getMethod("objectFieldOffset", Field.class).invoke(unsafe, f);
                u.getMethod("putObjectVolatile", Object.class, long.class, Object.class).invoke(unsafe, target, off, value);
            }
        }
    }

    private static Object getField(Field f, Object target) throws ReflectiveOperationException {
        try {
            f.setAccessible(true);
            return f.get(target);
        } catch (InaccessibleObjectException e) {
            Object unsafe = unsafe();
            Class<?> u = unsafe.getClass();
            long off = (long) u.getMethod("objectFieldOffset", Field.class).invoke(unsafe, f);
            return u.getMethod("getObjectVolatile", Object.class, long.class).invoke(unsafe, target, off);
        }
    }

    private static Object unsafe() throws ReflectiveOperationException {
        Class<?> u = Class.forName("sun.misc.Unsafe");
        Field theUnsafe = u.getDeclaredField("theUnsafe");
        theUnsafe.setAccessible(true);
        return theUnsafe.get(null);
    }
}
