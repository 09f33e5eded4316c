package dev.kale4j.kernel.install;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kale4j.common.UserError;
import dev.kale4j.kernel.KernelMain;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Installs the kernelspec {@code PREFIX/share/jupyter/kernels/kale4j/kernel.json} and the jars it
 * runs from ({@code PREFIX/share/kale4j/lib}). The argv is a plain {@code java} command line on
 * those jars, not the ./kale4j launcher: no shell, no freshness check, no Maven on the way to a
 * ready kernel.
 */
public final class KernelSpecInstaller {
    public static final String KERNEL_NAME = "kale4j";
    public static final String DISPLAY_NAME = "Java (kale4j)";
    /**
     * JVM options of the kernel JVM. C1 only and serial GC start fastest on small machines. Every cell
     * runs javac (four compilations per evaluation), and at C1's default thresholds much of javac and
     * JShell was still interpreted for the first hundred or so cells: compiling those two packages after
     * a fifth of the usual invocations made the {@code i + 1} round trip over cells 31-130 about 12% faster
     * (bench/RESULTS.md, kernel). A twentieth measured the same per cell but delayed the first result by
     * ~100 ms (more compiling during start-up); a global scaling compiled 2.8x as many methods.
     * {@code jdk.jshell} is opened so the engine can forget the class files of inactive snippets
     * ({@code GeneratedClasses}), which otherwise make every cell slower than the one before.
     */
    public static final List<String> KERNEL_JVM_OPTIONS = List.of("-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
            "-Xshare:auto", "-XX:CompileCommand=quiet",
            "-XX:CompileCommand=CompileThresholdScaling,com/sun/tools/javac/*.*,0.2",
            "-XX:CompileCommand=CompileThresholdScaling,jdk/jshell/*.*,0.2",
            "--add-opens=jdk.jshell/jdk.jshell=ALL-UNNAMED");

    private KernelSpecInstaller() {
    }

    /** Result of an installation: where kernel.json, the jars and the extension (or null) went. */
    public record Installed(Path kernelDir, Path libDir, Path kernelJson, Path labExtension) {
    }

    /**
     * Where an installation goes: Jupyter's data directory (it holds {@code kernels/} and {@code labextensions/})
     * and the directory for kale4j's jars and class archive.
     */
    public record Target(Path jupyterData, Path kale4jData) {
        /** {@code PREFIX/share/jupyter} and {@code PREFIX/share/kale4j}: a Python environment, /usr/local, ... */
        public static Target prefix(Path prefix) {
            Path share = prefix.toAbsolutePath().resolve("share");
            return new Target(share.resolve("jupyter"), share.resolve("kale4j"));
        }

        /**
         * The user's Jupyter data directory as Jupyter finds it: {@code $JUPYTER_DATA_DIR}, else
         * {@code $XDG_DATA_HOME/jupyter}, else {@code ~/.local/share/jupyter}; the jars beside it.
         */
        public static Target user(java.util.Map<String, String> env, Path home) {
            String xdg = env.get("XDG_DATA_HOME");
            Path share = xdg != null && !xdg.isBlank() ? Path.of(xdg) : home.resolve(".local/share");
            String jdd = env.get("JUPYTER_DATA_DIR");
            return new Target(jdd != null && !jdd.isBlank() ? Path.of(jdd).toAbsolutePath() : share.resolve("jupyter"),
                    share.resolve("kale4j"));
        }
    }

    public static final String LAB_EXTENSION = "kale4j-jupyterlab";

    /**
     * Copies the prebuilt JupyterLab extension ({@code jupyterlab-ext/kale4j_labextension} of the
     * kale4j checkout) to {@code labextensions/kale4j-jupyterlab} in the target's Jupyter data directory, where
     * JupyterLab finds prebuilt extensions. Null when it has not been built.
     */
    static Path installLabExtension(Target target, Path kale4jHome) throws IOException {
        if (kale4jHome == null) {
            return null;
        }
        Path built = kale4jHome.resolve("jupyterlab-ext").resolve("kale4j_labextension");
        if (!Files.isRegularFile(built.resolve("package.json"))) {
            return null;
        }
        Path dest = target.jupyterData().resolve("labextensions").resolve(LAB_EXTENSION);
        if (Files.isDirectory(dest)) {
            try (Stream<Path> old = Files.walk(dest)) {
                for (Path p : old.sorted(Comparator.reverseOrder()).toList()) {
                    Files.delete(p);
                }
            }
        }
        copyTree(built, dest);
        Files.writeString(dest.resolve("install.json"), "{\"packageManager\": \"kale4j\", \"packageName\": \""
                + LAB_EXTENSION + "\", \"uninstallInstructions\": \"Remove " + dest + "\"}\n");
        return dest;
    }

    /**
     * @param cds also create the AppCDS archive {@code kernel.jsa} beside the jars (a training run of a few
     *     seconds) that roughly halves the kernel's start-up time
     */
    public static Installed install(Target target, List<Path> jars, boolean cds) {
        if (jars.isEmpty()) {
            throw new UserError("cannot find the kale4j jars to install (java.class.path is empty)");
        }
        Path kernelDir = target.jupyterData().resolve("kernels").resolve(KERNEL_NAME);
        Path libDir = target.kale4jData().resolve("lib");
        try {
            Files.createDirectories(kernelDir);
            if (Files.isDirectory(libDir)) {
                try (Stream<Path> old = Files.walk(libDir)) {
                    for (Path p : old.sorted(Comparator.reverseOrder()).toList()) {
                        Files.delete(p);
                    }
                }
            }
            Files.createDirectories(libDir);
            for (Path jar : jars) {
                if (Files.isRegularFile(jar)) {
                    Files.copy(jar, libDir.resolve(jar.getFileName()), StandardCopyOption.REPLACE_EXISTING);
                } else if (Files.isDirectory(jar)) {
                    // A classes directory (tests, IDE runs): package nothing, copy the tree.
                    copyTree(jar, libDir.resolve("classes-" + Integer.toHexString(jar.toString().hashCode())));
                }
            }
            String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
            String cp = classpath(libDir);
            Path archive = libDir.getParent().resolve("kernel.jsa");
            Files.deleteIfExists(archive);
            boolean archived = cds && train(java, cp, archive);
            ObjectMapper json = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
            ObjectNode spec = json.createObjectNode();
            ArrayNode argv = spec.putArray("argv");
            argv.add(java);
            KERNEL_JVM_OPTIONS.forEach(argv::add);
            if (archived) {
                argv.add("-XX:SharedArchiveFile=" + archive);
                // A stale archive (JDK or jars changed) is ignored by the JVM; keep that quiet.
                argv.add("-Xlog:cds=off,cds+dynamic=off");
            }
            argv.add("-cp");
            argv.add(cp);
            argv.add(KernelMain.class.getName());
            argv.add("{connection_file}");
            spec.put("display_name", DISPLAY_NAME);
            spec.put("language", "java");
            spec.put("interrupt_mode", "message");
            spec.putObject("env");
            spec.putObject("metadata").put("debugger", false);
            Path kernelJson = kernelDir.resolve("kernel.json");
            json.writeValue(kernelJson.toFile(), spec);
            String home = System.getProperty("kale4j.home");
            Path ext = installLabExtension(target, home == null ? null : Path.of(home));
            return new Installed(kernelDir, libDir, kernelJson, ext);
        } catch (IOException e) {
            throw new UserError("cannot install the kernel into " + target.jupyterData() + ": " + e.getMessage());
        }
    }

    /** Runs {@link Training} with -XX:ArchiveClassesAtExit; false (and no archive) if that fails. */
    static boolean train(String java, String cp, Path archive) {
        List<String> cmd = new ArrayList<>(List.of(java));
        cmd.addAll(KERNEL_JVM_OPTIONS);
        cmd.addAll(List.of("-XX:ArchiveClassesAtExit=" + archive, "-Xlog:cds=off,cds+dynamic=off", "-cp", cp,
                Training.class.getName()));
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            if (!p.waitFor(180, TimeUnit.SECONDS)) {
                p.descendants().forEach(ProcessHandle::destroy);
                p.destroyForcibly();
                return false;
            }
            return p.exitValue() == 0 && Files.isRegularFile(archive);
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private static String classpath(Path libDir) throws IOException {
        List<String> entries = new ArrayList<>();
        entries.add(libDir.resolve("*").toString());
        try (Stream<Path> s = Files.list(libDir)) {
            s.filter(Files::isDirectory).sorted().forEach(d -> entries.add(0, d.toString()));
        }
        return String.join(File.pathSeparator, entries);
    }

    private static void copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> s = Files.walk(from)) {
            for (Path p : s.toList()) {
                Path target = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(p, target, StandardCopyOption.REPLACE_EXISTING);
                }
            }
        }
    }

    /** The jars of the running JVM, i.e. the kale4j distribution being installed. */
    public static List<Path> currentClasspath() {
        List<Path> jars = new ArrayList<>();
        for (String e : System.getProperty("java.class.path", "").split(File.pathSeparator)) {
            if (!e.isBlank() && !e.endsWith("*")) {
                jars.add(Path.of(e).toAbsolutePath());
            }
        }
        return jars;
    }

    /** The Python environment's prefix: an active virtualenv/conda env, else the python3 on PATH. */
    public static Path sysPrefix() {
        for (String var : List.of("VIRTUAL_ENV", "CONDA_PREFIX")) {
            String v = System.getenv(var);
            if (v != null && !v.isBlank()) {
                return Path.of(v);
            }
        }
        try {
            Process p = new ProcessBuilder("python3", "-c", "import sys; print(sys.prefix)").redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes()).strip();
            if (p.waitFor() == 0 && !out.isEmpty()) {
                return Path.of(out);
            }
        } catch (IOException e) {
            // fall through
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        throw new UserError("--sys-prefix needs an active virtualenv/conda environment or python3 on PATH");
    }
}
