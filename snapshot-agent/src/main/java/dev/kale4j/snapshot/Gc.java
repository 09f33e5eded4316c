package dev.kale4j.snapshot;

import dev.kale4j.snapshot.index.Index;
import dev.kale4j.snapshot.manifest.Entry;
import dev.kale4j.snapshot.manifest.Manifest;
import dev.kale4j.snapshot.pack.BlobEntry;
import dev.kale4j.snapshot.pack.PackBuilder;
import dev.kale4j.snapshot.store.Backend;

import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Removes data no snapshot references. Runs under the exclusive lock. Crash-safe by ordering: repacked data
 * and the new index are durable before any old index file or pack is deleted, so at every instant each
 * remaining snapshot's chunks are reachable through some index file.
 */
final class Gc {
    private final Backend backend;
    private final RepoConfig config;

    Gc(Backend backend, RepoConfig config) {
        this.backend = backend;
        this.config = config;
    }

    /** What gc did. */
    record GcReport(int packsDeleted, int packsRewritten, long bytesBefore, long bytesAfter) {
    }

    GcReport run(Index index, Map<String, Manifest> snapshots, Set<String> liveTrees) throws IOException {
        Set<Hash> used = new HashSet<>();
        for (Manifest m : snapshots.values()) {
            for (Entry e : m.entries()) {
                if (e.chunks() != null) {
                    for (String ref : e.chunks()) {
                        if (!Entry.isHole(ref)) {
                            used.add(Hash.parse(ref));
                        }
                    }
                }
            }
        }
        Map<String, Long> stored = new HashMap<>();
        for (Backend.ObjectInfo o : backend.list("packs")) {
            stored.put(o.name(), o.size());
        }
        long before = stored.values().stream().mapToLong(Long::longValue).sum();
        Map<String, List<BlobEntry>> keep = new LinkedHashMap<>();
        List<String> drop = new ArrayList<>();
        List<String> rewrite = new ArrayList<>();
        Set<Hash> kept = new HashSet<>();
        for (Map.Entry<String, List<BlobEntry>> p : index.packs().entrySet()) {
            if (!stored.containsKey(p.getKey())) {
                continue; // listed but gone: nothing to keep or delete
            }
            boolean allNeeded = true;
            boolean anyNeeded = false;
            for (BlobEntry b : p.getValue()) {
                boolean needed = used.contains(b.hash()) && !kept.contains(b.hash());
                allNeeded &= needed;
                anyNeeded |= needed;
            }
            if (allNeeded) {
                keep.put(p.getKey(), p.getValue());
                p.getValue().forEach(b -> kept.add(b.hash()));
            } else {
                (anyNeeded ? rewrite : drop).add(p.getKey());
            }
        }
        // Repack the live chunks of partly used packs into fresh packs.
        PackBuilder builder = null;
        for (String pack : rewrite) {
            for (BlobEntry b : index.packs().get(pack)) {
                if (!used.contains(b.hash()) || kept.contains(b.hash())) {
                    continue;
                }
                byte[] data = backend.getRange(Backup.packKey(pack), b.offset(), b.storedLength());
                if (builder != null && builder.size() + data.length > config.packSize()) {
                    flush(builder, keep);
                    builder = null;
                }
                if (builder == null) {
                    builder = new PackBuilder(Ids.unique(), config.packSize());
                }
                builder.add(b.hash(), data, 0, data.length, b.rawLength(), b.compressed());
                kept.add(b.hash());
            }
        }
        if (builder != null && !builder.isEmpty()) {
            flush(builder, keep);
        }
        Set<String> oldIndexFiles = new HashSet<>(index.indexFiles().keySet());
        String newIndex = keep.isEmpty() ? null : Index.write(backend, keep).name();
        for (String f : oldIndexFiles) {
            if (!f.equals(newIndex)) {
                backend.delete(Index.DIR + "/" + f);
            }
        }
        int deleted = 0;
        for (String pack : stored.keySet()) {
            if (!keep.containsKey(pack)) {
                backend.delete(Backup.packKey(pack));
                deleted++;
            }
        }
        for (Backend.ObjectInfo t : backend.list(Manifest.TREES)) {
            if (!liveTrees.contains(t.name())) {
                backend.delete(t.key());
            }
        }
        backend.cleanTemporaryFiles();
        long after = backend.list("packs").stream().mapToLong(Backend.ObjectInfo::size).sum();
        return new GcReport(deleted, rewrite.size(), before, after);
    }

    private void flush(PackBuilder b, Map<String, List<BlobEntry>> keep) throws IOException {
        backend.put(Backup.packKey(b.id()), b.finish());
        keep.put(b.id(), b.entries());
    }
}
