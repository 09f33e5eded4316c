package dev.kale4j.snapshot.store;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;

/**
 * A repository in a local directory. Writes go to {@code tmp/}, are fsynced, renamed into place and the
 * directory is fsynced: after a crash a key holds either nothing or its complete content.
 */
public final class LocalBackend implements Backend {
    private final Path root;
    private final Path tmp;
    /** Open read channels, so restore does not reopen a pack for every chunk. */
    private final Map<String, FileChannel> readers = new ConcurrentHashMap<>();
    private final Map<Path, Boolean> knownDirs = new ConcurrentHashMap<>();

    public LocalBackend(Path root) {
        this.root = root.toAbsolutePath().normalize();
        this.tmp = this.root.resolve("tmp");
    }

    public Path root() {
        return root;
    }

    @Override
    public String location() {
        return root.toString();
    }

    private Path path(String key) {
        Path p = root.resolve(key).normalize();
        if (!p.startsWith(root)) {
            throw new IllegalArgumentException("key escapes the repository: " + key);
        }
        return p;
    }

    @Override
    public boolean exists(String key) {
        return Files.exists(path(key));
    }

    @Override
    public byte[] get(String key) throws IOException {
        return Files.readAllBytes(path(key));
    }

    @Override
    public byte[] getRange(String key, long offset, int length) throws IOException {
        byte[] out = new byte[length];
        read(key, offset, ByteBuffer.wrap(out));
        return out;
    }

    @Override
    public ByteBuffer getRange(String key, long offset, int length, ByteBuffer reuse) throws IOException {
        ByteBuffer bb = reuse != null && reuse.capacity() >= length ? reuse.clear().limit(length)
                : ByteBuffer.allocateDirect(length);
        read(key, offset, bb);
        return bb.flip();
    }

    private void read(String key, long offset, ByteBuffer bb) throws IOException {
        int length = bb.remaining();
        FileChannel ch = readers.get(key);
        if (ch == null) {
            FileChannel opened = FileChannel.open(path(key), StandardOpenOption.READ);
            ch = readers.putIfAbsent(key, opened);
            if (ch == null) {
                ch = opened;
            } else {
                opened.close();
            }
        }
        long pos = offset;
        while (bb.hasRemaining()) {
            int n = ch.read(bb, pos);
            if (n < 0) {
                throw new EOFException(key + " ends at " + pos + ", expected " + (offset + length) + " bytes");
            }
            pos += n;
        }
    }

    @Override
    public void put(String key, byte[] data, int length) throws IOException {
        write(key, data, length, true);
    }

    @Override
    public void putVolatile(String key, byte[] data) throws IOException {
        write(key, data, data.length, false);
    }

    @Override
    public void put(String key, ByteBuffer data) throws IOException {
        write(key, data.duplicate(), true);
    }

    private void write(String key, byte[] data, int length, boolean durable) throws IOException {
        write(key, ByteBuffer.wrap(data, 0, length), durable);
    }

    private void write(String key, ByteBuffer bb, boolean durable) throws IOException {
        Path target = path(key);
        ensureDir(tmp);
        ensureDir(target.getParent());
        Path t = tmp.resolve(dev.kale4j.snapshot.Ids.unique() + ".tmp");
        try {
            if (durable) {
                writeDirect(t, bb);
            }
            try (FileChannel ch = FileChannel.open(t, durable && bb.position() > 0 ? StandardOpenOption.WRITE
                    : StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                long pos = bb.position();
                while (bb.hasRemaining()) {
                    pos += ch.write(bb, pos);
                }
                if (durable) {
                    ch.force(true);
                }
            }
            Files.move(t, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(t);
            throw e;
        }
        if (durable) {
            fsyncDir(target.getParent());
        }
    }

    /** Alignment for O_DIRECT: a multiple of every common logical block size. */
    private static final int ALIGN = 4096;
    /** Off once the file system refused O_DIRECT (tmpfs, some network file systems). */
    private static volatile boolean directIo = Boolean.parseBoolean(System.getProperty("kale4j.snapshot.directIo", "true"));

    /**
     * Writes the block-aligned head of a big, aligned direct buffer (a pack) with O_DIRECT and advances its
     * position; the caller writes the rest through the page cache. DMA from the buffer replaces the kernel's
     * copy into the page cache, which was about a tenth of a first snapshot's CPU time (perf), and a snapshot
     * no longer evicts the user's working set from the cache. Creates {@code t}; no-op if not applicable.
     */
    private static void writeDirect(Path t, ByteBuffer bb) throws IOException {
        int aligned = bb.remaining() & -ALIGN;
        if (!directIo || !bb.isDirect() || aligned < (1 << 20) || bb.position() != 0
                || bb.alignmentOffset(0, ALIGN) != 0) {
            return;
        }
        FileChannel ch;
        try {
            ch = FileChannel.open(t, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE,
                    com.sun.nio.file.ExtendedOpenOption.DIRECT);
        } catch (UnsupportedOperationException | IOException e) {
            Files.deleteIfExists(t);
            directIo = false;
            return;
        }
        try (ch) {
            ByteBuffer head = bb.duplicate().limit(aligned);
            long pos = 0;
            while (head.hasRemaining()) {
                pos += ch.write(head, pos);
            }
        } catch (IOException e) {
            // EINVAL from a file system with a bigger alignment, say: write it all the normal way. A real
            // error (a full disk) recurs there and is reported as usual.
            Files.deleteIfExists(t);
            if (String.valueOf(e.getMessage()).contains("Invalid argument")) {
                directIo = false;
            }
            return;
        }
        bb.position(aligned);
    }

    private void ensureDir(Path dir) throws IOException {
        if (knownDirs.containsKey(dir)) {
            return;
        }
        if (!Files.isDirectory(dir)) {
            try {
                Files.createDirectories(dir);
            } catch (FileAlreadyExistsException ignored) {
                // Another writer made it.
            }
            fsyncDir(dir.getParent());
        }
        knownDirs.put(dir, Boolean.TRUE);
    }

    /** Makes a rename or create in {@code dir} durable; Linux allows fsync on a directory opened read-only. */
    private static void fsyncDir(Path dir) throws IOException {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        }
    }

    @Override
    public void delete(String key) throws IOException {
        FileChannel ch = readers.remove(key);
        if (ch != null) {
            ch.close();
        }
        Files.deleteIfExists(path(key));
    }

    @Override
    public List<ObjectInfo> list(String dir) throws IOException {
        Path d = path(dir);
        List<ObjectInfo> out = new ArrayList<>();
        if (!Files.isDirectory(d)) {
            return out;
        }
        try (Stream<Path> s = Files.walk(d)) {
            for (Path p : (Iterable<Path>) s::iterator) {
                try {
                    if (Files.isRegularFile(p)) {
                        out.add(new ObjectInfo(root.relativize(p).toString(), Files.size(p)));
                    }
                } catch (NoSuchFileException gone) {
                    // Deleted while listing (gc, lock release): not there any more.
                }
            }
        }
        return out;
    }

    @Override
    public void cleanTemporaryFiles() throws IOException {
        if (!Files.isDirectory(tmp)) {
            return;
        }
        try (Stream<Path> s = Files.list(tmp)) {
            for (Path p : (Iterable<Path>) s::iterator) {
                Files.deleteIfExists(p);
            }
        }
    }

    @Override
    public void close() throws IOException {
        for (FileChannel ch : readers.values()) {
            ch.close();
        }
        readers.clear();
    }
}
