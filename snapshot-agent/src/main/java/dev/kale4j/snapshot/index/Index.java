package dev.kale4j.snapshot.index;

import dev.kale4j.common.UserError;
import dev.kale4j.snapshot.Hash;
import dev.kale4j.snapshot.pack.BlobEntry;
import dev.kale4j.snapshot.store.Backend;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The in-memory map from chunk hash to its place in a pack, loaded from every {@code index/} file.
 *
 * <p>Each writer adds one index file naming only the packs it wrote, after those packs are durable; the file
 * is named by the SHA-256 of its bytes so a damaged index is detected on load. A blob may appear in several
 * packs (two agents wrote it at once, or gc repacked it); any copy will do.
 */
public final class Index {
    public static final String DIR = "index";
    private static final byte[] MAGIC = "K4JIDX01".getBytes(StandardCharsets.US_ASCII);

    private final Map<Hash, BlobEntry> blobs = new ConcurrentHashMap<>();
    private final Map<String, List<BlobEntry>> packs = new ConcurrentHashMap<>();
    private final Map<String, Set<String>> packsByIndexFile = new ConcurrentHashMap<>();

    public static Index load(Backend backend) throws IOException {
        Index index = new Index();
        for (Backend.ObjectInfo info : backend.list(DIR)) {
            byte[] data;
            try {
                data = backend.get(info.key());
            } catch (java.nio.file.NoSuchFileException gone) {
                continue; // removed by a concurrent gc between list and get
            }
            String name = info.name();
            if (!Hash.of(data).hex().equals(name)) {
                throw new UserError("index file " + backend.location() + "/" + info.key()
                        + " is damaged (its content does not match its name); run `kale4j snapshot verify` "
                        + "to see the extent, then `kale4j snapshot gc` to rebuild the index from the packs");
            }
            index.addFile(name, decode(info.key(), data));
        }
        return index;
    }

    private void addFile(String name, Map<String, List<BlobEntry>> content) {
        packsByIndexFile.put(name, Set.copyOf(content.keySet()));
        content.forEach(this::addPack);
    }

    public void addPack(String pack, List<BlobEntry> entries) {
        packs.put(pack, entries);
        for (BlobEntry e : entries) {
            blobs.putIfAbsent(e.hash(), e);
        }
    }

    public BlobEntry get(Hash h) {
        return blobs.get(h);
    }

    public boolean contains(Hash h) {
        return blobs.containsKey(h);
    }

    public Map<String, List<BlobEntry>> packs() {
        return packs;
    }

    public Map<String, Set<String>> indexFiles() {
        return packsByIndexFile;
    }

    public int blobCount() {
        return blobs.size();
    }

    /** A written index file: its name and size in bytes. */
    public record Written(String name, long size) {
    }

    /** Writes an index file for the given packs and returns its name and size. */
    public static Written write(Backend backend, Map<String, List<BlobEntry>> packs) throws IOException {
        byte[] data = encode(packs);
        String name = Hash.of(data).hex();
        backend.put(DIR + "/" + name, data);
        return new Written(name, data.length);
    }

    static byte[] encode(Map<String, List<BlobEntry>> packs) {
        try {
            ByteArrayOutputStream bos = new ByteArrayOutputStream();
            DataOutputStream out = new DataOutputStream(bos);
            out.write(MAGIC);
            out.writeInt(packs.size());
            for (Map.Entry<String, List<BlobEntry>> p : packs.entrySet()) {
                out.writeUTF(p.getKey());
                out.writeInt(p.getValue().size());
                for (BlobEntry e : p.getValue()) {
                    out.write(e.hash().toBytes());
                    out.writeByte(e.compressed() ? 1 : 0);
                    out.writeLong(e.offset());
                    out.writeInt(e.storedLength());
                    out.writeInt(e.rawLength());
                }
            }
            out.flush();
            return bos.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static Map<String, List<BlobEntry>> decode(String key, byte[] data) {
        try {
            ByteBuffer bb = ByteBuffer.wrap(data);
            byte[] magic = new byte[MAGIC.length];
            bb.get(magic);
            if (!Arrays.equals(magic, MAGIC)) {
                throw new UserError("index file " + key + " is not a kale4j index");
            }
            int n = bb.getInt();
            Map<String, List<BlobEntry>> out = new LinkedHashMap<>();
            for (int i = 0; i < n; i++) {
                int len = bb.getShort() & 0xffff;
                byte[] name = new byte[len];
                bb.get(name);
                String pack = new String(name, StandardCharsets.UTF_8);
                int m = bb.getInt();
                List<BlobEntry> entries = new ArrayList<>(m);
                for (int j = 0; j < m; j++) {
                    Hash h = Hash.read(bb);
                    boolean compressed = bb.get() != 0;
                    long off = bb.getLong();
                    int stored = bb.getInt();
                    int raw = bb.getInt();
                    entries.add(new BlobEntry(h, pack, off, stored, raw, compressed));
                }
                out.put(pack, entries);
            }
            return out;
        } catch (BufferUnderflowException e) {
            throw new UserError("index file " + key + " is truncated");
        }
    }

}
