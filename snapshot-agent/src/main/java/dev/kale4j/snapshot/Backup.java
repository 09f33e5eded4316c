package dev.kale4j.snapshot;

import com.github.luben.zstd.Zstd;
import com.github.luben.zstd.ZstdCompressCtx;
import dev.kale4j.common.UserError;
import dev.kale4j.snapshot.chunking.FastCdc;
import dev.kale4j.snapshot.index.Index;
import dev.kale4j.snapshot.manifest.Entry;
import dev.kale4j.snapshot.manifest.Manifest;
import dev.kale4j.snapshot.pack.BlobEntry;
import dev.kale4j.snapshot.pack.PackBuilder;
import dev.kale4j.snapshot.store.Backend;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * Writes one snapshot. The calling thread walks the source, reads files and cuts chunks; a pool hashes,
 * deduplicates and compresses them (a bounded pipeline: at most {@link #IN_FLIGHT_KIB} KiB in flight); a single
 * uploader writes finished packs. Order of durability: packs, then the index naming them, then the manifest.
 * A crash before the manifest leaves only unreferenced packs, which gc removes.
 */
final class Backup {
    private static final Logger log = LoggerFactory.getLogger(Backup.class);
    /*
     * Small slabs and a small in-flight budget keep the live heap small: with 8 MiB slabs and 24 MiB in flight a
     * 256 MiB snapshot touched ~100 MiB of fresh heap (95k page faults) and its one young collection copied 83 MiB
     * of live slabs (45 ms); with these, 27k page faults, no collection, 0.1 CPU-s less. Two workers need only a
     * few chunks queued each. The properties are for measurements.
     */
    private static final int IN_FLIGHT_KIB = Integer.getInteger("kale4j.snapshot.inFlightKiB", 4 * 1024);
    private static final int SLAB = Integer.getInteger("kale4j.snapshot.slabKiB", 2 * 1024) << 10;
    /** Files at least this big are read into pooled slabs; smaller ones into right-sized arrays that die young. */
    private static final int POOLED_FROM = 1 << 20;
    private static final byte[] ZEROS = new byte[1 << 20];

    private final Backend backend;
    private final RepoConfig config;
    private final Index index;
    private final FastCdc cdc;
    private final ExecutorService workers;
    private final ExecutorService uploader;
    private final ExecutorService readers;
    /** Nanoseconds spent waiting for in-flight budget, for a pack slot, and writing packs (for the trace). */
    private final java.util.concurrent.atomic.LongAdder waitInFlight = new java.util.concurrent.atomic.LongAdder();
    private final java.util.concurrent.atomic.LongAdder waitPacks = new java.util.concurrent.atomic.LongAdder();
    private final java.util.concurrent.atomic.LongAdder putTime = new java.util.concurrent.atomic.LongAdder();
    /** Files being read and chunked at once. */
    private final Semaphore readSlots = new Semaphore(Math.max(2, Runtime.getRuntime().availableProcessors()));
    private final Semaphore inFlight = new Semaphore(IN_FLIGHT_KIB);
    /** Sealed packs waiting for or being written: the uploaders (two) plus one queued. */
    private final Semaphore packsInFlight = new Semaphore(3);
    /*
     * Reused buffers: a snapshot moves every byte through a slab and most through a pack buffer. Allocating
     * those afresh made the young collector copy tens of MiB of live buffers per collection (measured: 0.6 s of
     * pauses for 256 MiB); pooled, they are allocated once.
     */
    private final java.util.concurrent.BlockingQueue<byte[]> slabPool = new java.util.concurrent.LinkedBlockingQueue<>();
    private final java.util.concurrent.BlockingQueue<ByteBuffer> packPool = new java.util.concurrent.LinkedBlockingQueue<>();

    /** A slab shared by the reader and the workers hashing its chunks; back to the pool when all are done. */
    private final class Slab {
        final byte[] data;
        final java.util.concurrent.atomic.AtomicInteger refs = new java.util.concurrent.atomic.AtomicInteger(1);
        final boolean pooled;

        Slab(int size) {
            pooled = size >= POOLED_FROM;
            byte[] b = pooled ? slabPool.poll() : null;
            data = b != null ? b : new byte[pooled ? SLAB : size];
        }

        void retain() {
            refs.incrementAndGet();
        }

        void release() {
            if (refs.decrementAndGet() == 0 && pooled) {
                slabPool.offer(data);
            }
        }
    }
    private final Map<Hash, Boolean> pending = new ConcurrentHashMap<>();
    private final List<Future<?>> uploads = new ArrayList<>();
    private final Map<String, List<BlobEntry>> writtenPacks = new ConcurrentHashMap<>();
    private final ThreadLocal<ZstdCompressCtx> zstd;
    private final ThreadLocal<byte[]> compressBuffer;
    /** A writer's choice, not a repository property: tests use tiny packs to get many write steps. */
    private final int packSize;
    private PackBuilder current;
    private long addedStored;
    private long addedRaw;
    private long addedChunks;

    Backup(Backend backend, RepoConfig config, Index index, ExecutorService workers, ExecutorService uploader,
           ExecutorService readers) {
        this.readers = readers;
        this.backend = backend;
        this.config = config;
        this.index = index;
        this.packSize = Integer.getInteger("kale4j.snapshot.packSize", config.packSize());
        this.cdc = new FastCdc(config.chunkMin(), config.chunkAvg(), config.chunkMax(), config.gearSeed());
        this.workers = workers;
        this.uploader = uploader;
        this.zstd = ThreadLocal.withInitial(() -> {
            ZstdCompressCtx c = new ZstdCompressCtx();
            c.setLevel(config.zstdLevel());
            // A content checksum (XXH64) in every frame: restore then checks a compressed chunk as zstd
            // decompresses it, instead of re-hashing it with SHA-256 (see Restore#decodeDirect).
            c.setChecksum(true);
            return c;
        });
        this.compressBuffer = ThreadLocal.withInitial(() -> new byte[(int) Zstd.compressBound(config.chunkMax())]);
    }

    /** A file entry whose chunk list is still being computed. */
    private record PendingFile(Entry meta, List<Object> chunks) {
    }

    /** A chunk being hashed and stored by the pool. */
    private record ChunkRef(Future<Hash> hash, int length) {
    }

    /** A snapshot's manifest and its stored form (the tree is encoded once, while packs are still written). */
    record Result(Manifest manifest, Manifest.Stored stored) {
    }

    /**
     * Snapshots {@code root}, whose entries {@link #walk} listed (the caller walks while it takes the lock).
     */
    Result run(Path root, List<Entry> walked, Map<String, String> tags, Manifest parent, String parentId,
               String host) throws IOException {
        long start = System.nanoTime();
        SnapshotRepository.Trace t = new SnapshotRepository.Trace("backup");
        Map<String, Entry> previous = new HashMap<>();
        if (parent != null) {
            for (Entry e : parent.entries()) {
                previous.put(e.path(), e);
            }
        }
        List<Object> results = new ArrayList<>(walked.size());
        long files = 0, dirs = 0, links = 0, total = 0, reused = 0;
        try {
            for (Entry e : walked) {
                switch (e.type()) {
                    case dir -> {
                        dirs++;
                        results.add(e);
                    }
                    case symlink -> {
                        links++;
                        results.add(e);
                    }
                    case file -> {
                        files++;
                        Entry old = previous.get(e.path());
                        if (old != null && unchanged(old, e) && allIndexed(old.chunks())) {
                            reused++;
                            total += old.size();
                            results.add(withChunks(e, old.chunks(), old.size()));
                        } else {
                            // Files are read and chunked by up to READERS threads at once: chunking is then
                            // spread over the cores too (it is the one stage that ran on a single thread), and
                            // the cold, interpreted start of a short incremental run is shared.
                            readSlots.acquireUninterruptibly();
                            results.add(readers.submit(() -> {
                                try {
                                    return readFile(root, e);
                                } finally {
                                    readSlots.release();
                                }
                            }));
                        }
                    }
                }
            }
            t.mark("read and chunk");
            List<Entry> entries = new ArrayList<>(results.size());
            for (Object r : results) {
                if (r instanceof Entry e) {
                    entries.add(e);
                } else {
                    PendingFile pf = (PendingFile) await((Future<?>) r);
                    List<String> refs = new ArrayList<>(pf.chunks().size());
                    long size = 0;
                    for (Object c : pf.chunks()) {
                        if (c instanceof String hole) {
                            refs.add(hole);
                            size += Entry.holeLength(hole);
                        } else {
                            ChunkRef ref = (ChunkRef) c;
                            refs.add(await(ref.hash()).hex());
                            size += ref.length();
                        }
                    }
                    total += size;
                    entries.add(withChunks(pf.meta(), refs, size));
                }
            }
            t.mark("hashes");
            // The tree only needs to be durable before the summary: write it while the last packs and the
            // index are written and fsynced; the caller then only commits the summary.
            byte[] tree = Manifest.encodeTree(entries);
            String treeName = Hash.of(tree).hex();
            Future<?> treeWrite = readers.submit(() -> {
                SnapshotRepository.writeTree(backend, treeName, tree);
                return null;
            });
            results.add(treeWrite);
            synchronized (this) {
                sealCurrent();
            }
            for (Future<?> u : uploads) {
                await(u);
            }
            t.mark("packs (waits: readers " + waitInFlight.sum() / 1_000_000 + " ms, workers "
                    + waitPacks.sum() / 1_000_000 + " ms; writing " + putTime.sum() / 1_000_000 + " ms)");
            long indexBytes = 0;
            if (!writtenPacks.isEmpty()) {
                indexBytes = Index.write(backend, writtenPacks).size();
            }
            await(treeWrite);
            t.mark("index and tree");
            Manifest m = new Manifest(1, Instant.now().toString(), host, root.toString(),
                    new LinkedHashMap<>(tags), parentId, null, entries);
            long elapsed = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            Manifest.Stats stats = new Manifest.Stats(files, dirs, links, total, addedStored + indexBytes,
                    addedRaw, addedChunks, reused, elapsed);
            // The manifest's own size counts as added too; measure it once, then store with it included.
            long manifestSize = m.withStats(stats).encode(tree, treeName).size();
            Manifest done = m.withStats(new Manifest.Stats(files, dirs, links, total,
                    addedStored + indexBytes + manifestSize, addedRaw, addedChunks, reused, elapsed));
            return new Result(done, done.encode(tree, treeName));
        } catch (IOException | RuntimeException | Error ex) {
            for (Object r : results) {
                if (r instanceof Future<?> f) {
                    f.cancel(true);
                }
            }
            throw ex;
        } finally {
            pending.clear();
        }
    }

    /** Same size, mtime, ctime and inode: the file was not written since the parent snapshot (restic's test). */
    private static boolean unchanged(Entry old, Entry now) {
        return old.type() == Entry.Type.file && old.size() == now.size() && old.mtimeNanos() == now.mtimeNanos()
                && old.ctimeNanos() == now.ctimeNanos() && old.inode() == now.inode() && old.mode() == now.mode() && old.chunks() != null;
    }

    private boolean allIndexed(List<String> refs) {
        for (String r : refs) {
            if (!Entry.isHole(r) && !index.contains(Hash.parse(r))) {
                return false;
            }
        }
        return true;
    }

    private static Entry withChunks(Entry e, List<String> chunks, long size) {
        return new Entry(e.path(), e.type(), e.mode(), e.mtimeNanos(), size, null, chunks, e.inode(),
                e.ctimeNanos());
    }

    static void requireDirectory(Path root) {
        if (!Files.isDirectory(root, LinkOption.NOFOLLOW_LINKS)) {
            throw new UserError("snapshot source " + root + " is not a directory; pass the step's working "
                    + "directory with --source");
        }
    }

    /**
     * Lists {@code root}'s entries, sorted by path, leaving out the repository if it lies inside. The caller has
     * checked with {@link #requireDirectory} that {@code root} is a directory.
     */
    static List<Entry> walk(Backend backend, Path root) throws IOException {
        List<Entry> out = new ArrayList<>();
        Files.walkFileTree(root, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) throws IOException {
                if (backend instanceof dev.kale4j.snapshot.store.LocalBackend local && dir.equals(local.root())) {
                    // A repository inside the volume it snapshots: never snapshot the repository itself.
                    log.info("leaving out {}: it is the snapshot repository", dir);
                    return FileVisitResult.SKIP_SUBTREE;
                }
                out.add(entryOf(root, dir, Entry.Type.dir));
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                if (attrs.isSymbolicLink()) {
                    out.add(entryOf(root, file, Entry.Type.symlink));
                } else if (attrs.isRegularFile()) {
                    out.add(entryOf(root, file, Entry.Type.file));
                } else {
                    log.warn("skipping {}: not a regular file, directory or symlink", file);
                }
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFileFailed(Path file, IOException exc) throws IOException {
                if (exc instanceof NoSuchFileException) {
                    return FileVisitResult.CONTINUE; // removed while we walked
                }
                throw new UserError("cannot read " + file + " for the snapshot: " + exc.getMessage()
                        + "; fix its permissions or exclude it from the source directory", exc);
            }
        });
        out.sort(Comparator.comparing(Entry::path));
        return out;
    }

    private static Entry entryOf(Path root, Path p, Entry.Type type) throws IOException {
        Map<String, Object> a = Files.readAttributes(p, "unix:mode,size,lastModifiedTime,ctime,ino",
                LinkOption.NOFOLLOW_LINKS);
        String rel = root.relativize(p).toString().replace(p.getFileSystem().getSeparator(), "/");
        int mode = ((Integer) a.get("mode")) & 07777;
        long mtime = nanos((FileTime) a.get("lastModifiedTime"));
        long ctime = nanos((FileTime) a.get("ctime"));
        long ino = (Long) a.get("ino");
        long size = type == Entry.Type.file ? (Long) a.get("size") : 0;
        String target = type == Entry.Type.symlink ? Files.readSymbolicLink(p).toString() : null;
        return new Entry(rel, type, mode, mtime, size, target, null, ino, ctime);
    }

    static long nanos(FileTime t) {
        Instant i = t.toInstant();
        return i.getEpochSecond() * 1_000_000_000L + i.getNano();
    }

    /**
     * Reads a file into slabs and cuts chunks. Workers hash and compress straight from the slab (no per-chunk
     * copy); only the unfinished tail of a slab is copied into the next one.
     */
    private PendingFile readFile(Path root, Entry e) throws IOException {
        Path p = root.resolve(e.path());
        List<Object> chunks = new ArrayList<>();
        Compressibility hint = new Compressibility();
        // Whole small files in one right-sized slab (+1 byte to see EOF); big ones in pooled 8 MiB slabs.
        Slab slab = new Slab((int) Math.min(SLAB, Math.max(e.size(), 0) + 1));
        try (FileChannel ch = FileChannel.open(p, StandardOpenOption.READ)) {
            int pos = 0;
            int avail = 0;
            boolean eof = false;
            while (true) {
                byte[] buf = slab.data;
                while (!eof && avail < buf.length) {
                    int n = ch.read(ByteBuffer.wrap(buf, avail, buf.length - avail));
                    if (n < 0) {
                        eof = true;
                    } else {
                        avail += n;
                    }
                }
                while (avail - pos >= cdc.max() || (eof && avail > pos)) {
                    int n = cdc.cut(buf, pos, avail - pos);
                    chunks.add(submit(slab, pos, n, hint));
                    pos += n;
                }
                if (eof) {
                    break;
                }
                Slab next = new Slab(SLAB);
                System.arraycopy(buf, pos, next.data, 0, avail - pos);
                avail -= pos;
                pos = 0;
                slab.release();
                slab = next;
            }
        } catch (NoSuchFileException gone) {
            log.warn("{} disappeared while the snapshot was taken; keeping it as empty", p);
        } finally {
            slab.release();
        }
        return new PendingFile(e, chunks);
    }

    private Object submit(Slab slab, int off, int len, Compressibility hint) {
        if (isZero(slab.data, off, len)) {
            return Entry.HOLE_PREFIX + len;
        }
        int kib = (len + 1023) >>> 10;
        long w0 = System.nanoTime();
        inFlight.acquireUninterruptibly(kib);
        waitInFlight.add(System.nanoTime() - w0);
        slab.retain();
        try {
            return new ChunkRef(workers.submit(() -> {
                try {
                    return store(slab.data, off, len, hint);
                } finally {
                    slab.release();
                    inFlight.release(kib);
                }
            }), len);
        } catch (RuntimeException ex) {
            slab.release();
            inFlight.release(kib);
            throw ex;
        }
    }

    private static boolean isZero(byte[] b, int off, int len) {
        for (int p = off; p < off + len; p += ZEROS.length) {
            int n = Math.min(ZEROS.length, off + len - p);
            if (Arrays.mismatch(b, p, p + n, ZEROS, 0, n) != -1) {
                return false;
            }
        }
        return true;
    }

    /**
     * Stores a chunk unless the repository has it; compressed if its file's chunks have been worth compressing so
     * far (see {@link Compressibility}).
     */
    private Hash store(byte[] slab, int off, int len, Compressibility hint) throws IOException {
        Hash h = Hash.of(slab, off, len);
        if (index.contains(h) || pending.putIfAbsent(h, Boolean.TRUE) != null) {
            return h;
        }
        byte[] dst = compressBuffer.get();
        ZstdCompressCtx ctx = zstd.get();
        int z = len;
        if (!hint.probeFirst(len) || probe(ctx, dst, slab, off)
                || probe(ctx, dst, slab, off + len - Compressibility.PROBE)) {
            z = (int) ctx.compressByteArray(dst, 0, dst.length, slab, off, len);
            hint.record(len, z);
        }
        // Keep the zstd frame only if it saves at least 1/32; otherwise restore would decompress for nothing.
        boolean compressed = z < len - (len >>> 5);
        synchronized (this) {
            int storedLen = compressed ? z : len;
            if (current != null && current.size() + storedLen > packSize) {
                sealCurrent();
            }
            if (current == null) {
                ByteBuffer buf = packPool.poll();
                if (buf == null) {
                    // Direct: the local backend writes it without a copy (see PackBuilder).
                    // Block-aligned for O_DIRECT writes (LocalBackend).
                    buf = ByteBuffer.allocateDirect(PackBuilder.capacityFor(packSize) + 4096).alignedSlice(4096);
                }
                current = new PackBuilder(Ids.unique(), buf, packSize);
            }
            if (compressed) {
                current.add(h, dst, 0, z, len, true);
            } else {
                current.add(h, slab, off, len, len, false);
            }
            addedRaw += len;
            addedChunks++;
        }
        return h;
    }

    private static boolean probe(ZstdCompressCtx ctx, byte[] dst, byte[] src, int off) {
        int n = Compressibility.PROBE;
        return Compressibility.worthIt(n, (int) ctx.compressByteArray(dst, 0, dst.length, src, off, n));
    }

    /** Hands the current pack to the uploader; caller holds the monitor. */
    private void sealCurrent() {
        if (current == null || current.isEmpty()) {
            return;
        }
        PackBuilder p = current;
        current = null;
        ByteBuffer data = p.finish();
        addedStored += data.remaining();
        long w0 = System.nanoTime();
        packsInFlight.acquireUninterruptibly();
        waitPacks.add(System.nanoTime() - w0);
        uploads.add(uploader.submit(() -> {
            try {
                long p0 = System.nanoTime();
                backend.put(packKey(p.id()), data);
                putTime.add(System.nanoTime() - p0);
                writtenPacks.put(p.id(), p.entries());
                return null;
            } finally {
                packPool.offer(data);
                packsInFlight.release();
            }
        }));
    }

    static String packKey(String id) {
        return "packs/" + id.substring(0, 2) + "/" + id;
    }

    static <T> T await(Future<T> f) throws IOException {
        try {
            return f.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        } catch (ExecutionException e) {
            Throwable c = e.getCause();
            if (c instanceof IOException io) {
                throw io;
            }
            if (c instanceof RuntimeException re) {
                throw re;
            }
            throw new IOException(c);
        }
    }

}
