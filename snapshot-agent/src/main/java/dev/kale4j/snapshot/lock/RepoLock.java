package dev.kale4j.snapshot.lock;

import dev.kale4j.snapshot.manifest.Json;
import dev.kale4j.common.UserError;
import dev.kale4j.snapshot.store.Backend;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * A repository lock with a lease, stored as an object under {@code locks/}.
 *
 * <p>Writers ({@code create}) take shared locks: they only add uniquely named packs, index files and
 * snapshots, so any number can run at once. {@code forget} and {@code gc} take an exclusive lock because gc
 * deletes packs a running writer might be deduplicating against. Taking a lock = write own lock object, then
 * list the others; on conflict remove own and retry after a random pause (restic's scheme; no compare-and-swap
 * needed, which plain S3 lacks).
 *
 * <p>A lock is renewed every third of its lease by a daemon thread. A lock whose lease ran out, or whose
 * process is gone (same host), is stale and ignored, so a crashed or killed agent never needs a manual unlock.
 */
public final class RepoLock implements AutoCloseable {
    public static final String DIR = "locks";
    private static final Logger log = LoggerFactory.getLogger(RepoLock.class);
    private static final String HOST = hostName();

    record LockInfo(boolean exclusive, String host, long pid, long createdMillis, long expiresMillis) {
        byte[] encode() throws IOException {
            return Json.write(g -> {
                g.writeStartObject();
                g.writeBooleanField("exclusive", exclusive);
                g.writeStringField("host", host);
                g.writeNumberField("pid", pid);
                g.writeNumberField("createdMillis", createdMillis);
                g.writeNumberField("expiresMillis", expiresMillis);
                g.writeEndObject();
            });
        }

        static LockInfo decode(byte[] data) throws IOException {
            Object[] v = new Object[5];
            try (var p = Json.parser(data)) {
                Json.readObject(p, (name, q) -> {
                    switch (name) {
                        case "exclusive" -> v[0] = q.getBooleanValue();
                        case "host" -> v[1] = Json.text(q);
                        case "pid" -> v[2] = q.getLongValue();
                        case "createdMillis" -> v[3] = q.getLongValue();
                        case "expiresMillis" -> v[4] = q.getLongValue();
                        default -> q.skipChildren();
                    }
                });
            }
            if (v[0] == null || v[2] == null || v[4] == null) {
                throw new IOException("incomplete lock");
            }
            return new LockInfo((Boolean) v[0], (String) v[1], (Long) v[2], v[3] == null ? 0 : (Long) v[3],
                    (Long) v[4]);
        }
    }

    private final Backend backend;
    private final String key;
    private final boolean exclusive;
    private final long leaseMillis;
    private final ScheduledExecutorService renewer;
    private volatile boolean released;

    private RepoLock(Backend backend, String key, boolean exclusive, long leaseMillis) {
        this.backend = backend;
        this.key = key;
        this.exclusive = exclusive;
        this.leaseMillis = leaseMillis;
        this.renewer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "kale4j-lock-renew");
            t.setDaemon(true);
            return t;
        });
    }

    public static Duration defaultLease() {
        return Duration.ofMillis(Long.getLong("kale4j.snapshot.leaseMillis", 60_000));
    }

    public static Duration defaultWait() {
        return Duration.ofMillis(Long.getLong("kale4j.snapshot.lockWaitMillis", 120_000));
    }

    /** Takes a lock, waiting up to {@code wait} for conflicting holders to finish. */
    public static RepoLock acquire(Backend backend, boolean exclusive, Duration lease, Duration wait)
            throws IOException {
        long deadline = System.currentTimeMillis() + wait.toMillis();
        while (true) {
            RepoLock lock = new RepoLock(backend, DIR + "/" + dev.kale4j.snapshot.Ids.unique(), exclusive, lease.toMillis());
            lock.write();
            LockInfo conflict = lock.findConflict();
            if (conflict == null) {
                lock.renewer.scheduleAtFixedRate(lock::renew, lease.toMillis() / 3, lease.toMillis() / 3,
                        TimeUnit.MILLISECONDS);
                return lock;
            }
            lock.release();
            if (System.currentTimeMillis() > deadline) {
                throw new UserError("repository " + backend.location() + " is locked"
                        + (conflict.exclusive() ? " exclusively" : "") + " by process " + conflict.pid()
                        + " on " + conflict.host() + " until " + Instant.ofEpochMilli(conflict.expiresMillis())
                        + " unless it renews its lease; wait for it to finish and retry (a crashed holder's "
                        + "lock expires by itself)");
            }
            sleep(200 + ThreadLocalRandom.current().nextInt(600));
        }
    }

    private LockInfo findConflict() throws IOException {
        long now = System.currentTimeMillis();
        for (Backend.ObjectInfo o : backend.list(DIR)) {
            if (o.key().equals(key)) {
                continue;
            }
            LockInfo other;
            try {
                other = LockInfo.decode(backend.get(o.key()));
            } catch (java.nio.file.NoSuchFileException gone) {
                continue;
            } catch (IOException unreadable) {
                log.warn("ignoring unreadable lock {}: {}", o.key(), unreadable.getMessage());
                continue;
            }
            if (isStale(other, now)) {
                tryDelete(o.key());
                continue;
            }
            if (exclusive || other.exclusive()) {
                return other;
            }
        }
        return null;
    }

    static boolean isStale(LockInfo l, long now) {
        if (l.expiresMillis() < now) {
            return true;
        }
        // Same host: a pid identifies the holder (agents on one host share a pid namespace in practice).
        if (HOST.equals(l.host())) {
            return ProcessHandle.of(l.pid()).map(p -> !p.isAlive()).orElse(true);
        }
        return false;
    }

    private void tryDelete(String k) {
        try {
            backend.delete(k);
        } catch (IOException e) {
            log.debug("could not remove stale lock {}: {}", k, e.getMessage());
        }
    }

    private void write() throws IOException {
        long now = System.currentTimeMillis();
        LockInfo info = new LockInfo(exclusive, HOST, ProcessHandle.current().pid(), now, now + leaseMillis);
        backend.putVolatile(key, info.encode());
    }

    private synchronized void renew() {
        if (released) {
            return;
        }
        try {
            write();
        } catch (IOException | RuntimeException e) {
            log.warn("could not renew repository lock {}: {}", key, e.getMessage());
        }
    }

    public synchronized void release() {
        released = true;
        renewer.shutdownNow();
        tryDelete(key);
    }

    @Override
    public void close() {
        release();
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new UserError("interrupted while waiting for the repository lock");
        }
    }

    /** This host's name as locks and snapshots record it. */
    public static String host() {
        return HOST;
    }

    private static String hostName() {
        String h = System.getenv("HOSTNAME");
        if (h != null && !h.isBlank()) {
            return h;
        }
        try {
            return Files.readString(Path.of("/etc/hostname")).trim();
        } catch (IOException | RuntimeException e) {
            return "unknown";
        }
    }
}
