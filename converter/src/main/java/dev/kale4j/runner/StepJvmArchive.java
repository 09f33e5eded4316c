package dev.kale4j.runner;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An AppCDS archive of the classes a step JVM loads (JShell, javac, the runtime), so later step JVMs map
 * them instead of loading and verifying them again: most of a short step's cost is start-up. The first
 * step JVM that finds no archive records one at exit; the archive is keyed by JDK and class path, which
 * CDS requires to match.
 */
final class StepJvmArchive {
    private static final Logger LOG = LoggerFactory.getLogger(StepJvmArchive.class);
    private final Path archive;
    private final Path claim;

    StepJvmArchive(Path cacheDir, String classpath) {
        String key = hash(Runtime.version() + "|" + System.getProperty("java.home") + "|" + classpath);
        this.archive = cacheDir.resolve("step-" + key + ".jsa");
        this.claim = cacheDir.resolve("step-" + key + ".recording");
    }

    /**
     * CDS archives only class paths of jar files: a directory entry (as in an IDE or a test run) makes the
     * recording JVM fail at exit, which would turn a step's own exit code into 1.
     */
    static boolean supports(String classpath) {
        for (String entry : classpath.split(java.io.File.pathSeparator)) {
            if (!entry.isEmpty() && !entry.endsWith(".jar")) {
                return false;
            }
        }
        return true;
    }

    /** A recording in progress: the flags for the JVM, and what to do once it exited. */
    record Use(List<String> flags, Path recording) {
        void finish(Path archive) {
            if (recording == null) {
                return;
            }
            try {
                if (Files.size(recording) > 0) {
                    Files.move(recording, archive, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
                }
            } catch (IOException e) {
                LOG.debug("no step class archive recorded: {}", e.toString());
            }
        }
    }

    Use use() {
        List<String> quiet = List.of("-Xlog:cds=off", "-Xlog:cds+dynamic=off");
        if (Files.isRegularFile(archive)) {
            return new Use(concat(quiet, "-XX:SharedArchiveFile=" + archive), null);
        }
        try {
            Files.createDirectories(claim.getParent());
            // Only one step records; the others run without an archive meanwhile.
            Files.createFile(claim);
            Path recording = claim.resolveSibling(claim.getFileName() + ".jsa");
            return new Use(concat(quiet, "-XX:ArchiveClassesAtExit=" + recording), recording);
        } catch (FileAlreadyExistsException e) {
            return new Use(List.of(), null);
        } catch (IOException e) {
            return new Use(List.of(), null);
        }
    }

    void finished(Use use) {
        if (use.recording() != null) {
            use.finish(archive);
            try {
                Files.deleteIfExists(claim);
            } catch (IOException e) {
                LOG.debug("cannot remove {}: {}", claim, e.toString());
            }
        }
    }

    private static List<String> concat(List<String> a, String b) {
        return java.util.stream.Stream.concat(a.stream(), java.util.stream.Stream.of(b)).toList();
    }

    private static String hash(String s) {
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(d, 0, 8);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
