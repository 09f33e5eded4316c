package dev.kale4j.snapshot;

import com.github.luben.zstd.util.Native;

import java.io.IOException;
import java.io.InputStream;
import java.net.JarURLConnection;
import java.net.URL;
import java.net.URLConnection;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Locale;

/**
 * Loads zstd-jni's native library from a per-user cache instead of letting zstd-jni extract it from the jar
 * to a new temporary file on every start. Extraction (inflating ~1 MB and writing it) measured 60-100 ms of
 * every agent run; loading the cached copy 2-3 ms. The cached file's name carries the library's size and CRC
 * from the jar's directory, so a different zstd-jni build never loads a stale copy. Any problem (no writable
 * home, not running from a jar, an unknown platform) falls back to zstd-jni's own loading.
 */
final class NativeZstd {
    private static volatile boolean done;

    private NativeZstd() {
    }

    static void load() {
        if (done) {
            return;
        }
        synchronized (NativeZstd.class) {
            if (done) {
                return;
            }
            done = true;
            if (Native.isLoaded()) {
                return;
            }
            try {
                Path lib = cached();
                if (lib != null) {
                    System.load(lib.toString());
                    Native.assumeLoaded();
                }
            } catch (IOException | RuntimeException | UnsatisfiedLinkError e) {
                // zstd-jni extracts it itself on first use.
            }
        }
    }

    private static Path cached() throws IOException {
        String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
        String arch = System.getProperty("os.arch", "");
        if (!os.contains("linux") || !(arch.equals("amd64") || arch.equals("aarch64"))) {
            return null;
        }
        String version = com.github.luben.zstd.util.ZstdVersion.VERSION;
        URL url = Native.class.getClassLoader().getResource("linux/" + arch + "/libzstd-jni-" + version + ".so");
        if (url == null) {
            return null;
        }
        URLConnection c = url.openConnection();
        if (!(c instanceof JarURLConnection jc)) {
            return null;
        }
        c.setUseCaches(true);
        var entry = jc.getJarEntry();
        if (entry == null || entry.getSize() <= 0 || entry.getCrc() < 0) {
            return null;
        }
        String base = System.getenv("XDG_CACHE_HOME");
        Path dir = base != null && !base.isEmpty() ? Path.of(base) : Path.of(System.getProperty("user.home"), ".cache");
        dir = dir.resolve("kale4j").resolve("native");
        Path lib = dir.resolve("libzstd-jni-" + version + "-" + entry.getSize() + "-"
                + Long.toHexString(entry.getCrc()) + ".so"); // not String.format: see Sizes.oneDecimal
        if (Files.isRegularFile(lib) && Files.size(lib) == entry.getSize()) {
            return lib;
        }
        Files.createDirectories(dir);
        Path tmp = Files.createTempFile(dir, "libzstd-jni", ".tmp");
        try (InputStream in = c.getInputStream()) {
            Files.copy(in, tmp, StandardCopyOption.REPLACE_EXISTING);
            if (Files.size(tmp) != entry.getSize()) {
                return null;
            }
            Files.move(tmp, lib, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(tmp);
        }
        return lib;
    }
}
