package dev.kale4j.kernel.engine;

import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import jdk.jshell.ImportSnippet;
import jdk.jshell.JShell;
import jdk.jshell.Snippet;
import jdk.jshell.SnippetEvent;

/**
 * The default imports of the {@code jshell} tool ({@code java.util.*}, {@code java.io.*}, ...), made one type
 * at a time: before a snippet runs, each default-package type it names gets a single-type import.
 *
 * <p>Why not the ten star imports themselves: a star import makes javac enter every class of the package
 * into its symbol table, and JShell walks that whole table after each of the four javac tasks of an
 * evaluation. With the ten star imports an {@code i + 1} cell took 6.4 ms instead of 4.8 ms (bench/RESULTS.md,
 * kernel). Names resolve as under the star imports: a user's own type or single-type import of the same
 * name wins, and a type the user declares later replaces the default one, as it does in {@code jshell}.
 */
final class DefaultImports {
    /** The packages the jshell tool imports on demand at start-up (its DEFAULT start-up script). */
    static final List<String> PACKAGES = List.of("java.io", "java.math", "java.net", "java.nio.file", "java.util",
            "java.util.concurrent", "java.util.function", "java.util.prefs", "java.util.regex", "java.util.stream");
    private static final JdkTypes TYPES = new JdkTypes(PACKAGES);

    /** Simple name to the import this session made for it. */
    private final Map<String, ImportSnippet> made = new HashMap<>();

    /** Reads the JDK's type index ahead of the first cell that needs it. */
    static void warmUp() {
        TYPES.resolve("List");
    }

    boolean madeBySession(Snippet s) {
        return made.containsValue(s);
    }

    /**
     * Before {@code source} is evaluated: drops the default import a type it declares would clash with, and
     * imports the default-package types it names.
     */
    void prepare(JShell js, String source) {
        TypeNames names = TypeNames.scan(source);
        for (String d : names.declared()) {
            ImportSnippet imp = made.remove(d);
            if (imp != null && js.status(imp).isActive()) {
                // A single-type import and a session type of one name cannot both be in scope; in jshell the
                // user's declaration shadows the star import, so it wins here too.
                js.drop(imp);
            }
        }
        Set<String> taken = null;
        for (String name : names.referenced()) {
            if (made.containsKey(name) || names.declared().contains(name)) {
                continue;
            }
            Optional<String> fqn = TYPES.resolve(name);
            if (fqn.isEmpty()) {
                continue;
            }
            if (taken == null) {
                taken = namesTakenByUser(js);
            }
            if (taken.contains(name)) {
                continue;
            }
            for (SnippetEvent ev : js.eval("import " + fqn.get() + ";")) {
                if (ev.causeSnippet() == null && ev.snippet() instanceof ImportSnippet imp && ev.status().isActive()) {
                    made.put(name, imp);
                }
            }
        }
    }

    /** Completion candidates: default-package type names starting with {@code prefix} that the user has not taken. */
    List<String> typesStartingWith(JShell js, String prefix) {
        List<String> names = TYPES.namesStartingWith(prefix);
        if (names.isEmpty()) {
            return names;
        }
        Set<String> taken = namesTakenByUser(js);
        return names.stream().filter(n -> made.containsKey(n) || !taken.contains(n)).toList();
    }

    /** Simple names the user's own active types and single-type imports stand for. */
    private Set<String> namesTakenByUser(JShell js) {
        Set<String> taken = new HashSet<>();
        js.types().filter(t -> js.status(t).isActive()).forEach(t -> taken.add(t.name()));
        js.imports().filter(i -> js.status(i).isActive() && !made.containsValue(i)
                && i.subKind() == Snippet.SubKind.SINGLE_TYPE_IMPORT_SUBKIND).forEach(i -> taken.add(i.name()));
        return taken;
    }
}
