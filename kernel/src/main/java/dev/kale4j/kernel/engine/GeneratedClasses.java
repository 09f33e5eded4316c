package dev.kale4j.kernel.engine;

import jdk.jshell.JShell;
import jdk.jshell.Snippet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * Forgets the class files of JShell snippets that are no longer active.
 *
 * <p>JShell keeps every wrapper class it ever compiled in its in-memory file manager. javac lists all of them in
 * each of the four tasks of an evaluation, and JShell removes them from javac's symbol table again after each
 * task, so every evaluation got slower with every one before it (in-process, {@code i + 1} after 1,000
 * evaluations: 16.6-18.7 ms, against 6.8-8.4 ms with this; bench/RESULTS.md, kernel). The classes of dropped
 * {@code $N} values and of overwritten declarations are never compiled against again.
 *
 * <p>This reaches into {@code jdk.jshell}'s internals, which the kernel JVM opens
 * ({@code --add-opens jdk.jshell/jdk.jshell=ALL-UNNAMED} in the kernelspec). Without that access, or on a JDK whose
 * internals differ, it does nothing and the session is merely slower.
 */
final class GeneratedClasses {
    private static final Logger LOG = LoggerFactory.getLogger(GeneratedClasses.class);
    private static final String WRAPPER_PREFIX = "REPL.$JShell$";
    private static final Internals INTERNALS = Internals.find();

    private final JShell jshell;
    private final Map<String, ?> classObjects;

    private GeneratedClasses(JShell jshell, Map<String, ?> classObjects) {
        this.jshell = jshell;
        this.classObjects = classObjects;
    }

    /** For {@code jshell}; a no-op if its internals cannot be reached. */
    static GeneratedClasses of(JShell jshell) {
        return new GeneratedClasses(jshell, INTERNALS == null ? null : INTERNALS.classObjects(jshell));
    }

    /** Class files held for the compiler (-1 if unknown). */
    int size() {
        return classObjects == null ? -1 : classObjects.size();
    }

    /** Removes the class files of snippets that are not active; call only between evaluations. */
    void prune() {
        if (classObjects == null || classObjects.isEmpty()) {
            return;
        }
        Set<String> live = new HashSet<>();
        for (Snippet s : (Iterable<Snippet>) jshell.snippets()::iterator) {
            if (jshell.status(s).isActive()) {
                String name = INTERNALS.className(s);
                if (name == null) {
                    return; // never guess: a live class removed would break every snippet that uses it
                }
                live.add(name);
            }
        }
        classObjects.keySet().removeIf(name -> {
            if (!name.startsWith(WRAPPER_PREFIX)) {
                return false;
            }
            // Nested classes (REPL.$JShell$12$Point) live and die with their wrapper (REPL.$JShell$12).
            int nested = name.indexOf('$', WRAPPER_PREFIX.length());
            return !live.contains(nested < 0 ? name : name.substring(0, nested));
        });
    }

    /** The reflective handles, found once; null when the JDK does not open them. */
    private record Internals(Field taskFactory, Field fileManager, Field classObjects, Method classFullName) {
        static Internals find() {
            try {
                Field tf = JShell.class.getDeclaredField("taskFactory");
                Field fm = Class.forName("jdk.jshell.TaskFactory").getDeclaredField("fileManager");
                Field co = Class.forName("jdk.jshell.MemoryFileManager").getDeclaredField("classObjects");
                Method cfn = Snippet.class.getDeclaredMethod("classFullName");
                tf.setAccessible(true);
                fm.setAccessible(true);
                co.setAccessible(true);
                cfn.setAccessible(true);
                return new Internals(tf, fm, co, cfn);
            } catch (ReflectiveOperationException | RuntimeException e) {
                LOG.info("JShell's generated classes cannot be pruned ({}); long sessions get slower", e.toString());
                return null;
            }
        }

        @SuppressWarnings("unchecked")
        Map<String, ?> classObjects(JShell js) {
            try {
                Object map = classObjects.get(fileManager.get(taskFactory.get(js)));
                return map instanceof Map<?, ?> m ? (Map<String, ?>) m : null;
            } catch (ReflectiveOperationException | RuntimeException e) {
                LOG.info("JShell's generated classes cannot be pruned ({})", e.toString());
                return null;
            }
        }

        String className(Snippet s) {
            try {
                return (String) classFullName.invoke(s);
            } catch (ReflectiveOperationException | RuntimeException e) {
                return null;
            }
        }
    }
}
