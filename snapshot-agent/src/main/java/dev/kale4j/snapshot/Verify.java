package dev.kale4j.snapshot;

import dev.kale4j.common.UserError;
import dev.kale4j.snapshot.index.Index;
import dev.kale4j.snapshot.manifest.Entry;
import dev.kale4j.snapshot.manifest.Manifest;
import dev.kale4j.snapshot.pack.BlobEntry;
import dev.kale4j.snapshot.pack.CorruptPackException;
import dev.kale4j.snapshot.pack.PackFormat;
import dev.kale4j.snapshot.store.Backend;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Reads every byte of the repository back: each pack's header and trailer, each chunk decompressed and
 * re-hashed, packs against the index, and every snapshot's chunk references against the index.
 */
final class Verify {
    private final Backend backend;
    private final ExecutorService pool;

    Verify(Backend backend, ExecutorService pool) {
        this.backend = backend;
        this.pool = pool;
    }

    VerifyReport run(Index index, Map<String, Manifest> snapshots) throws IOException {
        List<String> errors = Collections.synchronizedList(new ArrayList<>());
        List<String> notes = Collections.synchronizedList(new ArrayList<>());
        AtomicLong blobs = new AtomicLong();
        AtomicLong bytes = new AtomicLong();
        Map<String, Long> stored = new HashMap<>();
        for (Backend.ObjectInfo o : backend.list("packs")) {
            stored.put(o.name(), o.size());
        }
        Restore decoder = new Restore(backend, index, pool);
        List<Future<?>> futures = new ArrayList<>();
        for (Map.Entry<String, Long> p : stored.entrySet()) {
            futures.add(pool.submit(() -> {
                checkPack(p.getKey(), p.getValue(), index.packs().get(p.getKey()), decoder, errors, notes, blobs);
                bytes.addAndGet(p.getValue());
                return null;
            }));
        }
        for (Future<?> f : futures) {
            try {
                f.get();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted", e);
            } catch (ExecutionException e) {
                errors.add(String.valueOf(e.getCause().getMessage()));
            }
        }
        for (String pack : index.packs().keySet()) {
            if (!stored.containsKey(pack)) {
                errors.add("pack " + pack + " is listed in the index but missing from the repository");
            }
        }
        Set<Hash> missingReported = new HashSet<>();
        for (Map.Entry<String, Manifest> s : snapshots.entrySet()) {
            try {
                Restore.validate(s.getKey(), s.getValue());
            } catch (UserError e) {
                errors.add(e.getMessage());
            }
            for (Entry e : s.getValue().entries()) {
                if (e.chunks() == null) {
                    continue;
                }
                for (String ref : e.chunks()) {
                    if (Entry.isHole(ref)) {
                        continue;
                    }
                    Hash h = Hash.parse(ref);
                    if (!index.contains(h) && missingReported.add(h)) {
                        errors.add("snapshot " + s.getKey() + " references chunk " + ref + " of " + e.path()
                                + " which no pack holds");
                    }
                }
            }
        }
        List<String> sortedErrors = new ArrayList<>(errors);
        Collections.sort(sortedErrors);
        List<String> sortedNotes = new ArrayList<>(notes);
        Collections.sort(sortedNotes);
        return new VerifyReport(snapshots.size(), stored.size(), blobs.get(), bytes.get(), sortedErrors, sortedNotes);
    }

    private void checkPack(String pack, long size, List<BlobEntry> indexed, Restore decoder, List<String> errors,
                           List<String> notes, AtomicLong blobs) throws IOException {
        byte[] data = backend.get(Backup.packKey(pack));
        List<BlobEntry> header;
        try {
            header = PackFormat.parse(pack, data, data.length);
        } catch (CorruptPackException e) {
            errors.add(e.getMessage());
            return;
        }
        for (BlobEntry b : header) {
            try {
                decoder.decode(b, data, (int) b.offset());
                blobs.incrementAndGet();
            } catch (UserError e) {
                errors.add("pack " + pack + ": chunk " + b.hash() + " at offset " + b.offset()
                        + " is damaged (does not decompress to its SHA-256)");
            }
        }
        if (indexed == null) {
            notes.add("pack " + pack + " is not in the index (left by an interrupted snapshot; gc removes it)");
        } else if (!new HashSet<>(indexed).equals(new HashSet<>(header))) {
            errors.add("pack " + pack + " does not match its index entry");
        }
    }

    /** What verify found. {@code errors} empty means every snapshot restores exactly. */
    record VerifyReport(int snapshots, int packs, long blobs, long bytes, List<String> errors, List<String> notes) {
    }
}
