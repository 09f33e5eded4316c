package dev.kale4j.snapshot;

import dev.kale4j.common.UserError;
import dev.kale4j.snapshot.index.Index;
import dev.kale4j.snapshot.lock.RepoLock;
import dev.kale4j.snapshot.manifest.Entry;
import dev.kale4j.snapshot.manifest.Manifest;
import dev.kale4j.snapshot.store.Backend;
import dev.kale4j.snapshot.store.LocalBackend;
import dev.kale4j.snapshot.store.S3Backend;
import dev.kale4j.snapshot.store.S3Settings;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A repository of deduplicated, compressed, content-addressed snapshots of directories: the API the pipeline
 * runner and the {@code kale4j snapshot} commands use.
 *
 * <pre>{@code
 * try (SnapshotRepository repo = SnapshotRepository.open("/var/kale4j/snapshots")) {   // or "s3://bucket/prefix"
 *     SnapshotInfo s = repo.create(workDir, Map.of("run", runId, "step", "train"));  // creates the repo if new
 *     ...
 *     SnapshotInfo step = repo.find(Map.of("run", runId, "step", "train")).get(0);  // newest first
 *     repo.restore(step.id(), Path.of("/tmp/train-volume"));                        // target must be new or empty
 * }
 * }</pre>
 *
 * <ul>
 * <li>{@link #open(String)}: a local directory (made by {@link #init} or the first {@link #create}) or
 *     {@code s3://bucket/prefix}
 *     (endpoint, region and credentials from {@code AWS_ENDPOINT_URL}, {@code AWS_REGION},
 *     {@code AWS_ACCESS_KEY_ID}, {@code AWS_SECRET_ACCESS_KEY}; see {@link S3Settings}).</li>
 * <li>{@link #init}, {@link #create}, {@link #restore}, {@link #list}, {@link #find}, {@link #get}, {@link #diff},
 *     {@link #verify}, {@link #forget}, {@link #gc}.</li>
 * </ul>
 *
 * <p>Bad input (missing repository, unknown or ambiguous id, unsafe manifest, damaged pack, full disk,
 * non-empty restore target) is reported as {@link UserError} with a message that names the culprit.
 * Instances are thread-safe for reading; several processes may {@code create} into one repository at once.
 * Layout and guarantees: docs/snapshots.md.
 */
public final class SnapshotRepository implements AutoCloseable {
    private static final AtomicInteger THREADS = new AtomicInteger();

    static {
        NativeZstd.load();
    }

    private final Backend backend;
    private final Map<String, Manifest> manifestCache = new ConcurrentHashMap<>();
    private final Map<String, Manifest.Summary> summaryCache = new ConcurrentHashMap<>();
    private final ExecutorService workers;
    private final ExecutorService io;
    private final ExecutorService uploader;
    private RepoConfig config;

    private SnapshotRepository(Backend backend) {
        this.backend = backend;
        int n = Math.max(2, Runtime.getRuntime().availableProcessors());
        // Snapshots are CPU-bound (hash, compress): one worker per core. Restore and verify mix reads, writes
        // and decompression: twice as many threads keep the cores busy while some wait for I/O.
        this.workers = Executors.newFixedThreadPool(n, SnapshotRepository::daemon);
        this.io = Executors.newFixedThreadPool(2 * n, SnapshotRepository::daemon);
        // Two pack writers: one writes while the other waits for its fsync.
        this.uploader = Executors.newFixedThreadPool(2, SnapshotRepository::daemon);
    }

    private static Thread daemon(Runnable r) {
        Thread t = new Thread(r, "kale4j-snapshot-" + THREADS.incrementAndGet());
        t.setDaemon(true);
        return t;
    }

    /**
     * Opens a repository: a local directory path (absolute or relative) or {@code s3://bucket[/prefix]} with
     * settings from the environment. Does not touch storage; a missing local repository is created by the
     * first {@link #create}, every other operation on it fails with a {@link UserError}.
     */
    public static SnapshotRepository open(String repoUri) {
        return open(repoUri, S3Settings.fromEnvironment());
    }

    /** Like {@link #open(String)} with explicit S3 settings (used only for {@code s3://} URIs). */
    public static SnapshotRepository open(String repoUri, S3Settings s3) {
        Objects.requireNonNull(repoUri, "repoUri");
        if (repoUri.isBlank()) {
            throw new UserError("no snapshot repository given; pass --repo DIR or --repo s3://bucket/prefix");
        }
        if (repoUri.startsWith("s3://")) {
            return new SnapshotRepository(S3Backend.open(repoUri, s3));
        }
        if (repoUri.contains("://")) {
            throw new UserError("unsupported repository " + repoUri + ": use a directory or s3://bucket/prefix");
        }
        return new SnapshotRepository(new LocalBackend(Path.of(repoUri)));
    }

    /** Opens a repository on any backend (tests, other object stores). */
    public static SnapshotRepository open(Backend backend) {
        return new SnapshotRepository(backend);
    }

    public String location() {
        return backend.location();
    }

    /**
     * Creates the repository if there is none yet; returns false, changing nothing, if it exists. {@link #create}
     * does the same on its first use, so this is optional: it lets a step wrapper or an operator set up the
     * repository (and find a wrong --repo or missing S3 credentials) before the first step runs, as
     * {@code restic init} does.
     */
    public boolean init() {
        return io(() -> {
            boolean existed = backend.exists(RepoConfig.KEY);
            configOrInit();
            return !existed;
        });
    }

    /**
     * Snapshots {@code source} (a directory) with the given tags and returns its summary. Files unchanged since
     * the newest snapshot of the same source path (size, mtime, ctime, inode) are not read again.
     */
    public SnapshotInfo create(Path source, Map<String, String> tags) {
        return io(() -> {
            Trace t = new Trace("create");
            Path root = source.toAbsolutePath().normalize();
            Backup.requireDirectory(root);
            RepoConfig cfg = configOrInit();
            t.mark("config");
            // Listing the source needs nothing from the repository: it runs while the lock is taken. (Not before
            // the config: creating a repository inside the source changes the source directory's mtime.)
            java.util.concurrent.Future<List<Entry>> walking = io.submit(() -> Backup.walk(backend, root));
            try (RepoLock lock = RepoLock.acquire(backend, false, RepoLock.defaultLease(), RepoLock.defaultWait())) {
                t.mark("lock");
                // The index and the parent snapshot are independent reads: load them at once.
                java.util.concurrent.Future<Index> loading = io.submit(() -> Index.load(backend));
                String src = root.toString();
                SnapshotInfo parent;
                Manifest parentManifest;
                Index index;
                try {
                    parent = list().stream().filter(s -> src.equals(s.source())).findFirst().orElse(null);
                    parentManifest = parent == null ? null : manifest(parent.id());
                    t.mark("parent");
                    index = Backup.await(loading);
                } finally {
                    loading.cancel(true);
                }
                t.mark("index (" + index.blobCount() + " chunks)");
                List<Entry> walked = Backup.await(walking);
                t.mark("walk (" + walked.size() + " entries)");
                Backup b = new Backup(backend, cfg, index, workers, uploader, io);
                Backup.Result r = b.run(root, walked, tags == null ? Map.of() : tags, parentManifest,
                        parent == null ? null : parent.id(), RepoLock.host());
                Manifest m = r.manifest();
                t.mark("backup");
                // Backup.run wrote the tree already.
                String id = commit(backend, r.stored());
                t.mark("manifest");
                manifestCache.put(id, m);
                return get(id);
            } finally {
                walking.cancel(true);
            }
        });
    }

    /** Phase timings on stderr when KALE4J_SNAPSHOT_TRACE is set: where the time of a command goes. */
    static final class Trace {
        private static final boolean ON = System.getenv("KALE4J_SNAPSHOT_TRACE") != null;
        private final String what;
        private long last = System.nanoTime();

        Trace(String what) {
            this.what = what;
            if (ON && (what.equals("create") || what.equals("restore"))) {
                // Only when tracing: the management beans cost ~0.1 s to initialise.
                mark("start (jvm up " + java.lang.management.ManagementFactory.getRuntimeMXBean().getUptime()
                        + " ms)");
            }
        }

        void mark(String phase) {
            if (ON) {
                long now = System.nanoTime();
                System.err.printf("[trace] %s %-40s %6.1f ms%n", what, phase, (now - last) / 1e6);
                last = now;
            }
        }
    }

    /** Restores snapshot {@code id} (full id or a unique prefix) into {@code target}, which must be new or empty. */
    public void restore(String id, Path target) {
        io(() -> {
            Trace t = new Trace("restore");
            requireRepository();
            String full = resolve(id);
            // The snapshot's tree loads while the lock is taken and the index loads: independent reads.
            java.util.concurrent.Future<Manifest> loading = io.submit(() -> manifest(full));
            try (RepoLock lock = RepoLock.acquire(backend, false, RepoLock.defaultLease(), RepoLock.defaultWait())) {
                t.mark("lock");
                Index index = Index.load(backend);
                t.mark("index");
                Manifest m = Backup.await(loading);
                t.mark("manifest");
                new Restore(backend, index, io).run(full, m, target);
                t.mark("restore");
            } finally {
                loading.cancel(true);
            }
            return null;
        });
    }

    /** All snapshots, newest first. */
    public List<SnapshotInfo> list() {
        return io(() -> {
            requireRepository();
            List<SnapshotInfo> out = new ArrayList<>();
            for (Backend.ObjectInfo o : backend.list(Manifest.DIR)) {
                try {
                    out.add(SnapshotInfo.of(o.name(), summary(o.name())));
                } catch (SnapshotGone gone) {
                    // forgotten between list and read
                }
            }
            out.sort(Comparator.comparing((SnapshotInfo s) -> java.time.Instant.parse(s.time()))
                    .thenComparing(SnapshotInfo::id).reversed());
            return out;
        });
    }

    /** Snapshots carrying all of the given tags, newest first. */
    public List<SnapshotInfo> find(Map<String, String> tags) {
        return list().stream().filter(s -> s.tags().entrySet().containsAll(tags.entrySet())).toList();
    }

    /** One snapshot by full id or unique prefix. */
    public SnapshotInfo get(String id) {
        return io(() -> {
            requireRepository();
            String full = resolve(id);
            return SnapshotInfo.of(full, summary(full));
        });
    }

    /** The entries of a snapshot (paths, types, modes, times, chunk lists). */
    public List<Entry> entries(String id) {
        return io(() -> {
            requireRepository();
            return manifest(resolve(id)).entries();
        });
    }

    /** What changed from snapshot {@code a} to snapshot {@code b}, sorted by path. */
    public List<DiffEntry> diff(String a, String b) {
        return io(() -> {
            requireRepository();
            Map<String, Entry> left = byPath(manifest(resolve(a)));
            Map<String, Entry> right = byPath(manifest(resolve(b)));
            List<DiffEntry> out = new ArrayList<>();
            for (Entry l : left.values()) {
                Entry r = right.get(l.path());
                if (r == null) {
                    out.add(new DiffEntry('-', l.path(), null));
                } else if (!l.sameAs(r)) {
                    boolean content = l.type() != r.type() || !Objects.equals(l.chunks(), r.chunks())
                            || !Objects.equals(l.target(), r.target());
                    String detail = content && l.type() == Entry.Type.file && r.type() == Entry.Type.file
                            ? l.size() + " -> " + r.size() + " bytes" : metadataDetail(l, r);
                    out.add(new DiffEntry(content ? 'M' : 'T', l.path(), detail));
                }
            }
            for (Entry r : right.values()) {
                if (!left.containsKey(r.path())) {
                    out.add(new DiffEntry('+', r.path(), null));
                }
            }
            out.sort(Comparator.comparing(DiffEntry::path));
            return out;
        });
    }

    private static String metadataDetail(Entry l, Entry r) {
        List<String> d = new ArrayList<>();
        if (l.type() != r.type()) d.add(l.type() + " -> " + r.type());
        if (l.mode() != r.mode()) d.add(String.format("mode %o -> %o", l.mode(), r.mode()));
        if (l.mtimeNanos() != r.mtimeNanos()) d.add("mtime");
        if (!Objects.equals(l.target(), r.target())) d.add("link " + l.target() + " -> " + r.target());
        return String.join(", ", d);
    }

    private static Map<String, Entry> byPath(Manifest m) {
        Map<String, Entry> out = new LinkedHashMap<>();
        for (Entry e : m.entries()) {
            out.put(e.path(), e);
        }
        return out;
    }

    /** Re-reads and re-hashes everything; {@link VerifyResult#ok()} is false if anything is damaged or missing. */
    public VerifyResult verify() {
        return io(() -> {
            requireRepository();
            try (RepoLock lock = RepoLock.acquire(backend, false, RepoLock.defaultLease(), RepoLock.defaultWait())) {
                Map<String, Manifest> snaps = new HashMap<>();
                List<String> errors = new ArrayList<>();
                for (Backend.ObjectInfo o : backend.list(Manifest.DIR)) {
                    try {
                        snaps.put(o.name(), manifest(o.name()));
                    } catch (UserError e) {
                        errors.add(e.getMessage());
                    }
                }
                Index index;
                try {
                    index = Index.load(backend);
                } catch (UserError e) {
                    return new VerifyResult(snaps.size(), 0, 0, 0, List.of(e.getMessage()), List.of());
                }
                Verify.VerifyReport r = new Verify(backend, io).run(index, snaps);
                errors.addAll(r.errors());
                return new VerifyResult(r.snapshots(), r.packs(), r.blobs(), r.bytes(), errors, r.notes());
            }
        });
    }

    /** Outcome of {@link #verify()}. */
    public record VerifyResult(int snapshots, int packs, long chunks, long bytes, List<String> errors,
                               List<String> notes) {
        public boolean ok() {
            return errors.isEmpty();
        }
    }

    /** Removes a snapshot from the list; its data stays until {@link #gc()}. */
    public void forget(String id) {
        io(() -> {
            requireRepository();
            String full = resolve(id);
            try (RepoLock lock = RepoLock.acquire(backend, false, RepoLock.defaultLease(), RepoLock.defaultWait())) {
                backend.delete(Manifest.DIR + "/" + full);
                manifestCache.remove(full);
                summaryCache.remove(full);
                // Its tree stays until gc: another snapshot may share it.
            }
            return null;
        });
    }

    /** Deletes and repacks data no remaining snapshot needs; waits for running writers (exclusive lock). */
    public GcResult gc() {
        return io(() -> {
            RepoConfig cfg = requireRepository();
            try (RepoLock lock = RepoLock.acquire(backend, true, RepoLock.defaultLease(), RepoLock.defaultWait())) {
                Map<String, Manifest> snaps = new HashMap<>();
                java.util.Set<String> trees = new java.util.HashSet<>();
                for (Backend.ObjectInfo o : backend.list(Manifest.DIR)) {
                    snaps.put(o.name(), manifest(o.name()));
                    trees.add(summary(o.name()).tree());
                }
                Gc.GcReport r = new Gc(backend, cfg).run(Index.load(backend), snaps, trees);
                return new GcResult(r.packsDeleted(), r.packsRewritten(), r.bytesBefore(), r.bytesAfter());
            }
        });
    }

    /** Outcome of {@link #gc()}: pack bytes before and after. */
    public record GcResult(int packsDeleted, int packsRewritten, long bytesBefore, long bytesAfter) {
    }

    /** Total bytes stored in the repository (packs, index, snapshots). */
    public long storedBytes() {
        return io(() -> {
            long n = 0;
            for (String dir : List.of("packs", Index.DIR, Manifest.DIR, Manifest.TREES)) {
                n += backend.list(dir).stream().mapToLong(Backend.ObjectInfo::size).sum();
            }
            return n;
        });
    }

    // ---- internals

    private synchronized RepoConfig configOrInit() throws IOException {
        if (config != null) {
            return config;
        }
        try {
            config = parseConfig(backend.get(RepoConfig.KEY));
        } catch (java.nio.file.FileSystemException missing) {
            if (backend instanceof LocalBackend local && Files.exists(local.root())
                    && !Files.isDirectory(local.root())) {
                throw new UserError("snapshot repository " + local.root() + " is a file, not a directory");
            }
            if (!(missing instanceof NoSuchFileException)) {
                throw missing;
            }
            RepoConfig fresh = RepoConfig.defaults();
            // Deterministic content: two agents initialising at once write identical bytes.
            backend.put(RepoConfig.KEY, fresh.encode());
            config = fresh;
        }
        checkVersion();
        return config;
    }

    private synchronized RepoConfig requireRepository() throws IOException {
        if (config != null) {
            return config;
        }
        byte[] raw;
        try {
            raw = backend.get(RepoConfig.KEY);
        } catch (NoSuchFileException missing) {
            throw new UserError("no kale4j snapshot repository at " + backend.location() + "; check --repo, or "
                    + "create one with `kale4j snapshot init --repo " + backend.location() + "`");
        }
        config = parseConfig(raw);
        checkVersion();
        return config;
    }

    private RepoConfig parseConfig(byte[] raw) {
        try {
            return RepoConfig.decode(raw);
        } catch (IOException bad) {
            throw new UserError(backend.location() + " is not a kale4j snapshot repository (unreadable config: "
                    + bad.getMessage() + ")");
        }
    }

    private void checkVersion() {
        if (config.version() != RepoConfig.VERSION) {
            throw new UserError("repository " + backend.location() + " has format version " + config.version()
                    + "; this kale4j reads version " + RepoConfig.VERSION + ": upgrade kale4j");
        }
    }

    /** Full id for a full id or unique prefix. */
    private String resolve(String id) throws IOException {
        if (id == null || id.length() < 4 || !id.matches("[0-9a-f]+")) {
            throw new UserError("'" + id + "' is not a snapshot id; use at least 4 hex digits from "
                    + "`kale4j snapshot list --repo " + backend.location() + "`");
        }
        List<String> matches = new ArrayList<>();
        for (Backend.ObjectInfo o : backend.list(Manifest.DIR)) {
            if (o.name().startsWith(id)) {
                matches.add(o.name());
            }
        }
        if (matches.isEmpty()) {
            throw new UserError("no snapshot " + id + " in " + backend.location() + "; see `kale4j snapshot list "
                    + "--repo " + backend.location() + "`");
        }
        if (matches.size() > 1) {
            throw new UserError("snapshot id " + id + " is ambiguous in " + backend.location()
                    + " (matches " + matches.size() + "); give more digits");
        }
        return matches.get(0);
    }

    private static final class SnapshotGone extends RuntimeException {
        SnapshotGone() {
            super(null, null, false, false);
        }
    }

    /** Writes a snapshot's tree, then its summary (the commit point); returns the snapshot id. */
    static String store(Backend backend, Manifest.Stored stored) throws IOException {
        writeTree(backend, stored.treeName(), stored.tree());
        return commit(backend, stored);
    }

    /** Writes an encoded tree under its name unless an identical one is there (trees are content-addressed). */
    static void writeTree(Backend backend, String treeName, byte[] tree) throws IOException {
        String key = Manifest.TREES + "/" + treeName;
        if (!backend.exists(key)) {
            backend.put(key, tree);
        }
    }

    /**
     * Writes a snapshot's summary, which makes it visible; its tree (and, before it, packs and index) must already
     * be durable. Returns the snapshot id.
     */
    static String commit(Backend backend, Manifest.Stored stored) throws IOException {
        String id = stored.id();
        backend.put(Manifest.DIR + "/" + id, stored.summary());
        return id;
    }

    private Manifest.Summary summary(String id) throws IOException {
        Manifest.Summary cached = summaryCache.get(id);
        if (cached != null) {
            return cached;
        }
        byte[] stored;
        try {
            stored = backend.get(Manifest.DIR + "/" + id);
        } catch (NoSuchFileException e) {
            throw new SnapshotGone();
        }
        if (!Hash.of(stored).hex().equals(id)) {
            throw damagedSnapshot(id, "content does not match its id");
        }
        Manifest.Summary s;
        try {
            s = Manifest.decodeSummary(stored);
        } catch (IOException e) {
            throw damagedSnapshot(id, "unreadable: " + e.getMessage());
        }
        summaryCache.put(id, s);
        return s;
    }

    private UserError damagedSnapshot(String id, String why) {
        return new UserError("snapshot " + id + " in " + backend.location() + " is damaged (" + why + "); forget "
                + "it with `kale4j snapshot forget --repo " + backend.location() + " --id " + id + "`");
    }

    /** The full manifest (summary and entries) of a snapshot; package-private for tests. */
    Manifest manifest(String id) throws IOException {
        Manifest cached = manifestCache.get(id);
        if (cached != null) {
            return cached;
        }
        Manifest.Summary s = summary(id);
        byte[] tree;
        try {
            tree = backend.get(Manifest.TREES + "/" + s.tree());
        } catch (NoSuchFileException e) {
            throw damagedSnapshot(id, "its tree " + s.tree() + " is missing");
        }
        if (!Hash.of(tree).hex().equals(s.tree())) {
            throw damagedSnapshot(id, "its tree " + s.tree() + " does not match its name");
        }
        List<Entry> entries;
        try {
            entries = Manifest.decodeTree(tree);
        } catch (IOException e) {
            throw damagedSnapshot(id, "its tree cannot be read: " + e.getMessage());
        }
        Manifest m = Manifest.of(s, entries);
        manifestCache.put(id, m);
        return m;
    }

    @FunctionalInterface
    private interface IoAction<T> {
        T run() throws IOException;
    }

    /** Turns I/O failures users can act on (full disk, permissions, unreachable store) into {@link UserError}. */
    private <T> T io(IoAction<T> action) {
        try {
            return action.run();
        } catch (UserError e) {
            throw e;
        } catch (IOException e) {
            throw translate(e);
        } catch (UncheckedIOException e) {
            throw translate(e.getCause());
        }
    }

    private UserError translate(IOException e) {
        String msg = String.valueOf(e.getMessage());
        if (msg.contains("No space left on device") || msg.contains("Disk quota exceeded")) {
            return new UserError("no space left on the device while writing " + backend.location()
                    + "; free space and retry (earlier snapshots are intact; the partial data is removed by "
                    + "`kale4j snapshot gc`)", e);
        }
        if (e instanceof java.nio.file.AccessDeniedException) {
            return new UserError("permission denied: " + msg + "; check the permissions of " + backend.location()
                    + " and of the source or target directory", e);
        }
        if (e instanceof NoSuchFileException) {
            return new UserError("file not found: " + msg, e);
        }
        return new UserError("I/O error on " + backend.location() + ": " + e, e);
    }

    @Override
    public void close() {
        workers.shutdownNow();
        io.shutdownNow();
        uploader.shutdownNow();
        try {
            backend.close();
        } catch (IOException ignored) {
            // closing read handles cannot lose data
        }
    }
}
