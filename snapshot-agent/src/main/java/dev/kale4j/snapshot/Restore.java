package dev.kale4j.snapshot;

import com.github.luben.zstd.ZstdDecompressCtx;
import dev.kale4j.common.UserError;
import dev.kale4j.snapshot.index.Index;
import dev.kale4j.snapshot.manifest.Entry;
import dev.kale4j.snapshot.manifest.Manifest;
import dev.kale4j.snapshot.pack.BlobEntry;
import dev.kale4j.snapshot.store.Backend;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermission;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * Restores a snapshot into an empty directory. From a local repository, on a file system that takes
 * {@code O_DIRECT}, each file is cut into page-aligned regions that a pool of threads assembles (reading the
 * chunks from their packs, checking each against its SHA-256) and writes with one {@code O_DIRECT} write each;
 * see {@link #submitSegments}. Otherwise files are created first (a file ending in a hole at full size, so zero
 * runs stay holes), then chunks are read pack by pack in coalesced ranges, checked against their SHA-256 and
 * written with positional writes through the page cache. Metadata (modes, times) is applied last, directories
 * deepest first so writing into them does not disturb their times.
 */
final class Restore {
    /** Neighbouring blobs in one pack are fetched with one read up to this size. */
    private static final int MAX_RANGE = 8 << 20;

    private final Backend backend;
    private final Index index;
    private final ExecutorService pool;
    private final ThreadLocal<ZstdDecompressCtx> zstd = ThreadLocal.withInitial(ZstdDecompressCtx::new);
    /** Per-thread direct buffers: the pack range being restored and one decompressed chunk. */
    private final ThreadLocal<ByteBuffer> rangeBuffer = new ThreadLocal<>();
    private final ThreadLocal<ByteBuffer> rawBuffer = ThreadLocal.withInitial(() -> ByteBuffer.allocateDirect(1 << 20));

    Restore(Backend backend, Index index, ExecutorService pool) {
        this.backend = backend;
        this.index = index;
        this.pool = pool;
    }

    /** Where one blob's bytes go: a file and an offset in it. */
    private record Placement(FileChannel file, long offset) {
    }

    void run(String id, Manifest m, Path targetDir) throws IOException {
        SnapshotRepository.Trace t = new SnapshotRepository.Trace("restore.run");
        validate(id, m);
        Path target = prepareTarget(targetDir);
        Map<String, Entry> byPath = new HashMap<>();
        for (Entry e : m.entries()) {
            byPath.put(e.path(), e);
        }
        Map<Hash, List<Placement>> placements = new HashMap<>();
        List<FileChannel> open = new ArrayList<>();
        List<Future<?>> segments = new ArrayList<>();
        List<DirectFile> directFiles = new ArrayList<>();
        // O_DIRECT needs the packs' bytes in native memory (a local repository) and a file system that takes it.
        boolean direct = directIoEnabled() && backend instanceof dev.kale4j.snapshot.store.LocalBackend;
        try {
            for (Entry e : m.entries()) {
                if (e.type() == Entry.Type.dir && !e.path().isEmpty()) {
                    Files.createDirectory(target.resolve(e.path()));
                }
            }
            for (Entry e : m.entries()) {
                if (e.type() != Entry.Type.file) {
                    continue;
                }
                Path p = target.resolve(e.path());
                List<Piece> pieces = new ArrayList<>(e.chunks().size());
                long off = 0;
                for (String ref : e.chunks()) {
                    if (Entry.isHole(ref)) {
                        off += Entry.holeLength(ref);
                        continue;
                    }
                    Hash h = Hash.parse(ref);
                    BlobEntry b = index.get(h);
                    if (b == null) {
                        throw new UserError("snapshot " + id + " needs chunk " + ref + " of " + e.path()
                                + " but no pack in " + backend.location() + " holds it; the repository is "
                                + "damaged (run `kale4j snapshot verify --repo " + backend.location() + "`)");
                    }
                    pieces.add(new Piece(off, b));
                    off += b.rawLength();
                }
                if (off != e.size()) {
                    throw new UserError("snapshot " + id + ": chunks of " + e.path() + " add up to " + off
                            + " bytes, not " + e.size() + "; the snapshot is damaged");
                }
                FileChannel ch = null;
                if (direct && !pieces.isEmpty()) {
                    ch = openDirect(p);
                    if (ch == null) {
                        direct = false; // this file system refuses O_DIRECT: the page cache for the rest
                    }
                }
                if (ch != null) {
                    open.add(ch);
                    DirectFile df = new DirectFile(ch, p, off);
                    directFiles.add(df);
                    submitSegments(df, pieces, segments);
                    continue;
                }
                ch = FileChannel.open(p, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
                open.add(ch);
                for (Piece pc : pieces) {
                    placements.computeIfAbsent(pc.blob().hash(), k -> new ArrayList<>())
                            .add(new Placement(ch, pc.offset()));
                }
                List<String> refs = e.chunks();
                if (off > 0 && Entry.isHole(refs.get(refs.size() - 1))) {
                    // A file that ends in a hole gets its length here (sparse: the hole stays unwritten). Any
                    // other file reaches its length with its last chunk's write: no second open per file.
                    setLength(p, off);
                }
            }
            t.mark("files created (" + directFiles.size() + " with O_DIRECT)");
            // No fsync per file: a restore is not a durability point (restic does not sync either).
            writeChunks(placements);
            awaitAll(segments);
            for (DirectFile df : directFiles) {
                // Segments end on a page boundary: cut the last one's padding, or give a file that ends in a
                // hole its length (the hole stays unwritten).
                long size = df.channel().size();
                if (size > df.size()) {
                    df.channel().truncate(df.size());
                } else if (size < df.size()) {
                    setLength(df.path(), df.size());
                }
            }
            t.mark("chunks written");
        } finally {
            for (Future<?> f : segments) {
                f.cancel(true);
            }
            for (FileChannel ch : open) {
                ch.close();
            }
        }
        for (Entry e : m.entries()) {
            Path p = target.resolve(e.path());
            if (e.type() == Entry.Type.file) {
                setMode(p, e.mode());
                Files.setLastModifiedTime(p, time(e.mtimeNanos()));
            } else if (e.type() == Entry.Type.symlink) {
                Files.createSymbolicLink(p, Path.of(e.target()));
                Files.getFileAttributeView(p, PosixFileAttributeView.class, LinkOption.NOFOLLOW_LINKS)
                        .setTimes(time(e.mtimeNanos()), null, null);
            }
        }
        List<Entry> dirs = new ArrayList<>();
        for (Entry e : m.entries()) {
            if (e.type() == Entry.Type.dir) {
                dirs.add(e);
            }
        }
        dirs.sort(Comparator.comparing(Entry::path).reversed());
        for (Entry d : dirs) {
            Path p = d.path().isEmpty() ? target : target.resolve(d.path());
            setMode(p, d.mode());
            Files.setLastModifiedTime(p, time(d.mtimeNanos()));
        }
        t.mark("metadata");
    }

    private void writeChunks(Map<Hash, List<Placement>> placements) throws IOException {
        Map<String, List<BlobEntry>> byPack = new HashMap<>();
        for (Hash h : placements.keySet()) {
            BlobEntry b = index.get(h);
            byPack.computeIfAbsent(b.pack(), k -> new ArrayList<>()).add(b);
        }
        List<Future<?>> futures = new ArrayList<>();
        for (List<BlobEntry> blobs : byPack.values()) {
            blobs.sort(Comparator.comparingLong(BlobEntry::offset));
            int i = 0;
            while (i < blobs.size()) {
                int j = i + 1;
                long start = blobs.get(i).offset();
                long end = start + blobs.get(i).storedLength();
                while (j < blobs.size() && blobs.get(j).offset() + blobs.get(j).storedLength() - start <= MAX_RANGE
                        && blobs.get(j).offset() - end < (256 << 10)) {
                    end = blobs.get(j).offset() + blobs.get(j).storedLength();
                    j++;
                }
                List<BlobEntry> range = blobs.subList(i, j);
                long s = start;
                int len = (int) (end - start);
                futures.add(pool.submit(() -> {
                    restoreRange(range, s, len, placements);
                    return null;
                }));
                i = j;
            }
        }
        awaitAll(futures);
    }

    /** Waits for every task; on the first failure cancels the rest and rethrows its cause. */
    private static void awaitAll(List<Future<?>> futures) throws IOException {
        for (Future<?> f : futures) {
            try {
                f.get();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted", e);
            } catch (ExecutionException e) {
                for (Future<?> other : futures) {
                    other.cancel(true);
                }
                Throwable c = e.getCause();
                if (c instanceof IOException io) throw io;
                if (c instanceof RuntimeException re) throw re;
                throw new IOException(c);
            }
        }
    }

    /** A data chunk of a file: where it goes in the file and where it is stored. */
    private record Piece(long offset, BlobEntry blob) {
        long end() {
            return offset + blob.rawLength();
        }
    }

    /** A file written with O_DIRECT, and its final size. */
    private record DirectFile(FileChannel channel, Path path, long size) {
    }

    /** Page size and O_DIRECT alignment of the restored files' offsets, lengths and buffers. */
    private static final int PAGE = 4096;
    /** One O_DIRECT write: a file region assembled in memory, page-aligned at both ends. */
    private static final int SEGMENT = 4 << 20;
    /** Per-thread page-aligned segment buffer. */
    private final ThreadLocal<ByteBuffer> segmentBuffer =
            ThreadLocal.withInitial(() -> ByteBuffer.allocateDirect(SEGMENT + PAGE).alignedSlice(PAGE));

    static boolean directIoEnabled() {
        return Boolean.parseBoolean(System.getProperty("kale4j.snapshot.directIo", "true"));
    }

    /** Creates {@code p} for O_DIRECT writes, or returns null (nothing left behind) if the file system refuses. */
    private static FileChannel openDirect(Path p) throws IOException {
        try {
            return FileChannel.open(p, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE,
                    com.sun.nio.file.ExtendedOpenOption.DIRECT);
        } catch (UnsupportedOperationException | java.nio.file.FileSystemException e) {
            if (e instanceof java.nio.file.FileAlreadyExistsException) {
                throw (java.nio.file.FileAlreadyExistsException) e;
            }
            Files.deleteIfExists(p);
            return null;
        } catch (IOException e) {
            if (!String.valueOf(e.getMessage()).contains("Invalid argument")) {
                throw e;
            }
            Files.deleteIfExists(p);
            return null;
        }
    }

    private static void setLength(Path p, long length) throws IOException {
        try (var raf = new java.io.RandomAccessFile(p.toFile(), "rw")) {
            raf.setLength(length);
        }
    }

    /**
     * Cuts a file's data into page-aligned runs (a run's first and last page may include a few bytes of a
     * neighbouring hole, which are zeros; holes that span whole pages stay unwritten) and the runs into
     * segments of at most {@link #SEGMENT} bytes, and submits one task per segment. No two segments share a
     * page, so their O_DIRECT writes never overlap.
     */
    private void submitSegments(DirectFile f, List<Piece> pieces, List<Future<?>> out) {
        int i = 0;
        while (i < pieces.size()) {
            long runStart = pieces.get(i).offset() & -PAGE;
            long runEnd = pageUp(pieces.get(i).end());
            boolean gaps = runStart != pieces.get(i).offset();
            int j = i + 1;
            while (j < pieces.size() && (pieces.get(j).offset() & -PAGE) < runEnd) {
                gaps |= pieces.get(j).offset() != pieces.get(j - 1).end();
                runEnd = pageUp(pieces.get(j).end());
                j++;
            }
            gaps |= pieces.get(j - 1).end() != runEnd; // padding: a hole's first bytes, or past the end of file
            int first = i;
            for (long s = runStart; s < runEnd; s += SEGMENT) {
                long e = Math.min(runEnd, s + SEGMENT);
                while (pieces.get(first).end() <= s) {
                    first++;
                }
                int last = first;
                while (last < j && pieces.get(last).offset() < e) {
                    last++;
                }
                List<Piece> mine = pieces.subList(first, last);
                long segStart = s;
                int len = (int) (e - s);
                boolean zero = gaps;
                out.add(pool.submit(() -> {
                    writeSegment(f, segStart, len, mine, zero);
                    return null;
                }));
            }
            i = j;
        }
    }

    private static long pageUp(long x) {
        return (x + PAGE - 1) & -PAGE;
    }

    /**
     * Assembles the file region [start, start + len) in this thread's aligned buffer and writes it with one
     * O_DIRECT write. Chunks wholly inside the region are decompressed (or copied) straight to their place and
     * hashed there; a chunk that straddles the region's edge is decoded aside and its part copied. Every chunk
     * is checked against its SHA-256 before the region is written.
     */
    private void writeSegment(DirectFile f, long start, int len, List<Piece> pieces, boolean zero)
            throws IOException {
        ByteBuffer seg = segmentBuffer.get();
        if (zero) {
            for (int p = 0; p < len; p += ZERO_PAGE.capacity()) {
                seg.put(p, ZERO_PAGE, 0, Math.min(ZERO_PAGE.capacity(), len - p));
            }
        }
        long end = start + len;
        int i = 0;
        while (i < pieces.size()) {
            // Neighbouring blobs of one pack are read with one read.
            BlobEntry b0 = pieces.get(i).blob();
            long rStart = b0.offset();
            long rEnd = rStart + b0.storedLength();
            int j = i + 1;
            while (j < pieces.size()) {
                BlobEntry b = pieces.get(j).blob();
                if (!b.pack().equals(b0.pack()) || b.offset() != rEnd || rEnd + b.storedLength() - rStart > MAX_RANGE) {
                    break;
                }
                rEnd += b.storedLength();
                j++;
            }
            ByteBuffer data = readRange(b0.pack(), rStart, (int) (rEnd - rStart));
            for (int k = i; k < j; k++) {
                Piece pc = pieces.get(k);
                BlobEntry b = pc.blob();
                int off = (int) (b.offset() - rStart);
                if (pc.offset() >= start && pc.end() <= end) {
                    int at = (int) (pc.offset() - start);
                    ByteBuffer dst = seg.duplicate().clear().position(at).limit(at + b.rawLength()).slice();
                    if (b.compressed()) {
                        int n;
                        try {
                            n = zstd.get().decompressDirectByteBuffer(dst, 0, b.rawLength(), data, off,
                                    b.storedLength());
                        } catch (RuntimeException e) {
                            throw damaged(b, "cannot be decompressed");
                        }
                        if (n != b.rawLength()) {
                            throw damaged(b, "decompresses to " + n + " bytes instead of " + b.rawLength());
                        }
                    } else {
                        dst.put(0, data, off, b.storedLength());
                    }
                    if (!Hash.of(dst).equals(b.hash())) {
                        throw damaged(b, "does not match its SHA-256");
                    }
                } else {
                    ByteBuffer raw = decodeDirect(b, data, off);
                    long from = Math.max(start, pc.offset());
                    long to = Math.min(end, pc.end());
                    seg.put((int) (from - start), raw, (int) (from - pc.offset()), (int) (to - from));
                }
            }
            i = j;
        }
        ByteBuffer w = seg.duplicate().clear().limit(len);
        long pos = start;
        try {
            while (w.hasRemaining()) {
                pos += f.channel().write(w, pos);
            }
        } catch (IOException e) {
            if (!String.valueOf(e.getMessage()).contains("Invalid argument")) {
                throw e;
            }
            // The file system took O_DIRECT at open but not this write (a stricter alignment): write this region
            // through the page cache. Regions share no page, so this cannot race with the other regions' writes.
            try (FileChannel buffered = FileChannel.open(f.path(), StandardOpenOption.WRITE)) {
                while (w.hasRemaining()) {
                    pos += buffered.write(w, pos);
                }
            }
        }
    }

    /** A pack range in a direct buffer, as the O_DIRECT path needs. */
    private ByteBuffer readRange(String pack, long start, int len) throws IOException {
        ByteBuffer data = fetchRange(pack, start, len);
        if (!data.isDirect()) {
            // Only a local repository gets here, which reads into direct buffers; be safe regardless.
            ByteBuffer d = ByteBuffer.allocateDirect(data.remaining());
            d.put(data.duplicate()).flip();
            data = d;
            rangeBuffer.set(data);
        }
        return data;
    }

    /** Reads a pack range, reusing this thread's direct buffer; a missing or short pack is the user's error. */
    private ByteBuffer fetchRange(String pack, long start, int len) throws IOException {
        try {
            ByteBuffer data = backend.getRange(Backup.packKey(pack), start, len, rangeBuffer.get());
            if (data.isDirect()) {
                rangeBuffer.set(data);
            }
            return data;
        } catch (java.io.EOFException | java.nio.file.NoSuchFileException e) {
            throw new UserError("pack " + pack + " in " + backend.location() + " is missing or truncated ("
                    + e.getMessage() + "); the snapshot cannot be restored completely. Run `kale4j snapshot "
                    + "verify --repo " + backend.location() + "` to see what else is affected", e);
        }
    }

    private static final ByteBuffer ZERO_PAGE = ByteBuffer.allocateDirect(64 << 10);

    private void restoreRange(List<BlobEntry> range, long start, int len, Map<Hash, List<Placement>> placements)
            throws IOException {
        ByteBuffer data = fetchRange(range.get(0).pack(), start, len);
        for (BlobEntry b : range) {
            int off = (int) (b.offset() - start);
            ByteBuffer raw = data.isDirect() ? decodeDirect(b, data, off)
                    : ByteBuffer.wrap(decode(b, data.array(), data.arrayOffset() + off));
            for (Placement p : placements.get(b.hash())) {
                ByteBuffer bb = raw.duplicate();
                long pos = p.offset();
                while (bb.hasRemaining()) {
                    pos += p.file().write(bb, pos);
                }
            }
        }
    }

    /**
     * {@link #decode} for a direct range buffer (a local repository): decompresses into a per-thread direct
     * buffer, or returns a slice of the range for a stored blob, checks the SHA-256 and returns the raw bytes
     * (valid until this thread's next call). Nothing is copied between the Java heap and native memory, which
     * the heap version did twice per chunk (read and write each went through a temporary direct buffer).
     */
    ByteBuffer decodeDirect(BlobEntry b, ByteBuffer data, int off) {
        ByteBuffer raw;
        if (b.compressed()) {
            raw = rawBuffer.get();
            if (raw.capacity() < b.rawLength()) {
                raw = ByteBuffer.allocateDirect(Math.max(b.rawLength(), raw.capacity() * 2));
                rawBuffer.set(raw);
            }
            int n;
            try {
                n = zstd.get().decompressDirectByteBuffer(raw, 0, b.rawLength(), data, off, b.storedLength());
            } catch (RuntimeException e) {
                throw damaged(b, "cannot be decompressed");
            }
            if (n != b.rawLength()) {
                throw damaged(b, "decompresses to " + n + " bytes instead of " + b.rawLength());
            }
            raw = raw.duplicate().clear().limit(n);
        } else {
            raw = data.duplicate().limit(off + b.storedLength()).position(off).slice();
        }
        // zstd's frame checksum (checked while decompressing) catches damaged bytes early, but only SHA-256
        // proves that these are the bytes the manifest asked for: an index entry pointing at another intact
        // frame would pass the frame checksum. So every chunk is re-hashed, as restic does.
        if (!Hash.of(raw).equals(b.hash())) {
            throw damaged(b, "does not match its SHA-256");
        }
        return raw;
    }

    /** Whether the zstd frame at {@code off} declares a content checksum (RFC 8878, Frame_Header_Descriptor). */
    static boolean hasContentChecksum(ByteBuffer data, int off, int len) {
        return len >= 5 && data.getInt(off) == ZSTD_MAGIC_LE && (data.get(off + 4) & 0x04) != 0;
    }

    /** The zstd frame magic number 0xFD2FB528 as a big-endian ByteBuffer reads its little-endian bytes. */
    private static final int ZSTD_MAGIC_LE = 0x28B52FFD;

    /** Decompresses and checks one blob; a mismatch means the pack is damaged. */
    byte[] decode(BlobEntry b, byte[] data, int off) {
        byte[] raw;
        if (b.compressed()) {
            raw = new byte[b.rawLength()];
            int n;
            try {
                n = zstd.get().decompressByteArray(raw, 0, raw.length, data, off, b.storedLength());
            } catch (RuntimeException e) {
                throw damaged(b, "cannot be decompressed");
            }
            if (n != raw.length) {
                throw damaged(b, "decompresses to " + n + " bytes instead of " + raw.length);
            }
        } else {
            raw = java.util.Arrays.copyOfRange(data, off, off + b.storedLength());
        }
        if (!Hash.of(raw).equals(b.hash())) {
            throw damaged(b, "does not match its SHA-256");
        }
        return raw;
    }

    private UserError damaged(BlobEntry b, String what) {
        return new UserError("chunk " + b.hash() + " in pack " + b.pack() + " of " + backend.location() + " "
                + what + "; the pack is damaged. Run `kale4j snapshot verify --repo " + backend.location()
                + "` to see which snapshots are affected");
    }

    /**
     * Rejects manifests that would write outside the target: absolute paths, {@code ..}, empty or {@code .}
     * components, duplicate paths, and entries whose parent is not a directory of the snapshot (that would let
     * a symlink entry redirect later writes).
     */
    static void validate(String id, Manifest m) {
        Map<String, Entry.Type> types = new HashMap<>();
        Set<String> seen = new HashSet<>();
        for (Entry e : m.entries()) {
            String p = e.path();
            if (p == null || !seen.add(p)) {
                throw unsafe(id, p, "appears twice");
            }
            if (!p.isEmpty()) {
                if (p.startsWith("/") || p.endsWith("/") || p.contains("\\") || p.contains("\0")) {
                    throw unsafe(id, p, "is not a plain relative path");
                }
                for (String part : p.split("/", -1)) {
                    if (part.isEmpty() || part.equals(".") || part.equals("..")) {
                        throw unsafe(id, p, "contains an empty, '.' or '..' component");
                    }
                }
            } else if (e.type() != Entry.Type.dir) {
                throw unsafe(id, p, "is the root but not a directory");
            }
            types.put(p, e.type());
        }
        for (Entry e : m.entries()) {
            if (e.path().isEmpty()) {
                continue;
            }
            int slash = e.path().lastIndexOf('/');
            String parent = slash < 0 ? "" : e.path().substring(0, slash);
            if (!parent.isEmpty() && types.get(parent) != Entry.Type.dir) {
                throw unsafe(id, e.path(), "lies under '" + parent + "', which is not a directory in the snapshot");
            }
            if (e.type() == Entry.Type.file && e.chunks() == null) {
                throw unsafe(id, e.path(), "has no chunk list");
            }
            if (e.type() == Entry.Type.symlink && (e.target() == null || e.target().indexOf('\0') >= 0)) {
                throw unsafe(id, e.path(), "has no valid link target");
            }
        }
    }

    private static UserError unsafe(String id, String path, String why) {
        return new UserError("snapshot " + id + " has an unsafe entry '" + path + "' that " + why
                + "; refusing to restore it (the manifest was altered or damaged)");
    }

    private static Path prepareTarget(Path targetDir) throws IOException {
        Path t = targetDir.toAbsolutePath().normalize();
        if (Files.exists(t, LinkOption.NOFOLLOW_LINKS)) {
            if (!Files.isDirectory(t, LinkOption.NOFOLLOW_LINKS)) {
                throw new UserError("restore target " + t + " exists and is not a directory; choose a new or "
                        + "empty directory");
            }
            try (var s = Files.list(t)) {
                if (s.findAny().isPresent()) {
                    throw new UserError("restore target " + t + " is not empty; restore into a new or empty "
                            + "directory so nothing there is overwritten");
                }
            }
        } else {
            Files.createDirectories(t);
        }
        return t;
    }

    private static void setMode(Path p, int mode) throws IOException {
        Set<PosixFilePermission> perms = EnumSet.noneOf(PosixFilePermission.class);
        PosixFilePermission[] order = {
                PosixFilePermission.OTHERS_EXECUTE, PosixFilePermission.OTHERS_WRITE, PosixFilePermission.OTHERS_READ,
                PosixFilePermission.GROUP_EXECUTE, PosixFilePermission.GROUP_WRITE, PosixFilePermission.GROUP_READ,
                PosixFilePermission.OWNER_EXECUTE, PosixFilePermission.OWNER_WRITE, PosixFilePermission.OWNER_READ};
        for (int i = 0; i < order.length; i++) {
            if ((mode & (1 << i)) != 0) {
                perms.add(order[i]);
            }
        }
        Files.setPosixFilePermissions(p, perms);
        if ((mode & 07000) != 0) {
            // setuid/setgid/sticky are not expressible as PosixFilePermission; the unix view takes the full mode.
            Files.setAttribute(p, "unix:mode", mode);
        }
    }

    static FileTime time(long nanos) {
        return FileTime.from(nanos, TimeUnit.NANOSECONDS);
    }
}
