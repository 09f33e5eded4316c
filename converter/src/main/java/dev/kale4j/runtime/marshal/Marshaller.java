package dev.kale4j.runtime.marshal;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;

/**
 * Saves step outputs to artifact files and loads them back in downstream steps (see {@code docs/marshalling.md}).
 *
 * <p>One artifact holds one variable: a 32-byte preamble, the body (one value in kale4j's tagged binary format, with
 * Jackson, filtered Java serialization or a {@link ValueCodec} for the parts that need them) and a small header
 * (variable, JShell type name, codec). Body and header carry CRC32C checksums verified on every read.
 * Files are written to a temporary sibling and moved into place, so a failed or interrupted write never leaves a
 * half-written artifact under the final name.
 *
 * <p>Thread-safe; per-class decisions (which codec, record accessors) are cached for the life of the instance.
 */
public final class Marshaller {
    private static final Logger log = LoggerFactory.getLogger(Marshaller.class);

    /**
     * Chunk size for file I/O. Large enough that a system call moves a lot of data, small enough that the chunk is
     * still in cache when it is checksummed and written (measured in {@code bench/suites/marshal.sh}).
     */
    static final int BUFFER_SIZE = Math.max(4096, Integer.getInteger("kale4j.marshal.bufferBytes", 1 << 20));

    private static final java.util.Random TMP_NAMES = new java.security.SecureRandom();

    private final List<ValueCodec> codecs;
    private final Map<String, ValueCodec> codecsById;
    private volatile long mapMinBytes = ChannelSource.MAP_MIN_BYTES;
    private final JacksonSupport jackson = new JacksonSupport();
    private final ClassValue<Handler> handlers = new ClassValue<>() {
        @Override
        protected Handler computeValue(Class<?> type) {
            return Handlers.select(type, codecs, jackson);
        }
    };

    private Marshaller(List<ValueCodec> codecs) {
        Map<String, ValueCodec> byId = new LinkedHashMap<>();
        List<ValueCodec> ordered = new ArrayList<>(codecs);
        ordered.sort(Comparator.comparingInt(ValueCodec::priority).reversed().thenComparing(ValueCodec::id));
        List<ValueCodec> kept = new ArrayList<>();
        for (ValueCodec c : ordered) {
            String id = c.id();
            if (id == null || id.isBlank() || id.startsWith("kale4j.")) {
                log.warn("Ignoring ValueCodec {}: its id `{}` is empty or reserved", c.getClass().getName(), id);
            } else if (byId.containsKey(id)) {
                log.warn("Ignoring ValueCodec {}: id `{}` is already taken by {}", c.getClass().getName(), id,
                        byId.get(id).getClass().getName());
            } else {
                byId.put(id, c);
                kept.add(c);
            }
        }
        this.codecs = List.copyOf(kept);
        this.codecsById = Map.copyOf(byId);
    }

    /** Built-in codecs plus every {@link ValueCodec} that {@code ServiceLoader} finds through {@code loader}. */
    public static Marshaller create(ClassLoader loader) {
        List<ValueCodec> found = new ArrayList<>();
        var it = ServiceLoader.load(ValueCodec.class, loader).iterator();
        while (true) {
            try {
                if (!it.hasNext()) {
                    break;
                }
                found.add(it.next());
            } catch (ServiceConfigurationError e) {
                // One broken library must not stop the step; values needing it fail with their own message.
                log.warn("Skipping a ValueCodec that could not be loaded: {}", e.getMessage());
            }
        }
        return new Marshaller(found);
    }

    /** Built-in codecs plus exactly these (no ServiceLoader lookup); for embedding and tests. */
    public static Marshaller create(Collection<? extends ValueCodec> codecs) {
        return new Marshaller(List.copyOf(codecs));
    }

    /** The extra codecs in dispatch order (highest priority first). */
    public List<ValueCodec> codecs() {
        return codecs;
    }

    /** For tests: read primitive arrays from this size on through a memory mapping. */
    Marshaller mapMinBytes(long bytes) {
        this.mapMinBytes = bytes;
        return this;
    }

    Handler handler(Class<?> type) {
        return handlers.get(type);
    }

    JacksonSupport jackson() {
        return jackson;
    }

    ValueCodec codec(String id) {
        return codecsById.get(id);
    }

    /**
     * Saves {@code value} of variable {@code variable} (declared or inferred type {@code typeName}, as JShell reports
     * it) to {@code file}, replacing it; creates missing parent directories.
     *
     * @throws MarshalException if the value (or anything in it) cannot be marshalled, or the file cannot be written
     */
    public ArtifactInfo write(String variable, Object value, String typeName, Path file) {
        Path dir = file.toAbsolutePath().getParent();
        Path tmp = null;
        try {
            Files.createDirectories(dir);
            tmp = dir.resolve("." + file.getFileName() + "." + Long.toUnsignedString(TMP_NAMES.nextLong(), 36) + ".tmp");
            ArtifactInfo info;
            // CREATE_NEW, never TRUNCATE_EXISTING: on ext4 a truncated file is flushed to disk when closed
            // (auto_da_alloc), which made writes twice as slow as a plain FileChannel write.
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                ch.position(ArtifactFormat.PREAMBLE);
                ChannelSink sink = new ChannelSink(ch, BUFFER_SIZE);
                String codec = new Encoder(sink, this, variable).writeRoot(value);
                sink.flush();
                long bodyLength = sink.bytesWritten();
                byte[] header = new ArtifactFormat.Header(variable, typeName, codec).encode();
                writeFully(ch, ByteBuffer.wrap(header), ArtifactFormat.PREAMBLE + bodyLength);
                ArtifactFormat.Preamble pre = new ArtifactFormat.Preamble(
                        ArtifactFormat.VERSION, header.length, bodyLength, sink.crc(), 0);
                int headerCrc = ArtifactFormat.headerCrc(pre.encode(), header);
                pre = new ArtifactFormat.Preamble(pre.version(), pre.headerLength(), bodyLength, sink.crc(), headerCrc);
                writeFully(ch, pre.encode(), 0);
                info = new ArtifactInfo(variable, typeName, codec, pre.fileSize(), ArtifactFormat.checksum(sink.crc()));
            }
            move(tmp, file);
            tmp = null;
            log.debug("Saved {} ({}) to {}: {} bytes, {}", variable, typeName, file, info.bytes(), info.codec());
            return info;
        } catch (UnsupportedValue e) {
            throw MarshalException.cannotSave(variable, typeName, e.why(variable), e.getCause());
        } catch (StackOverflowError e) {
            throw MarshalException.cannotSave(variable, typeName,
                    "it nests too deeply (is it cyclic, e.g. a list that contains itself?)", null);
        } catch (IOException e) {
            throw new MarshalException("variable `" + variable + "` of type `" + typeName + "` could not be written to "
                    + file + ": " + e.getMessage() + ". Check free space and permissions of " + dir + ".", e);
        } catch (MarshalException e) {
            throw e;
        } catch (RuntimeException e) {
            // A ValueCodec's supports(), a record accessor or a bug here: still the user's step that fails.
            log.debug("Marshalling {} failed", variable, e);
            throw MarshalException.cannotSave(variable, typeName, "marshalling it failed with " + e, e);
        } finally {
            if (tmp != null) {
                try {
                    Files.deleteIfExists(tmp);
                } catch (IOException e) {
                    log.warn("Could not delete temporary file {}: {}", tmp, e.toString());
                }
            }
        }
    }

    private static void move(Path from, Path to) throws IOException {
        // Renaming over an existing file also makes ext4 flush the new one to disk (auto_da_alloc); steps never
        // read an artifact while it is being rewritten, so delete first and rename into the empty name.
        Files.deleteIfExists(to);
        try {
            Files.move(from, to, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(from, to, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    private static void writeFully(FileChannel ch, ByteBuffer b, long position) throws IOException {
        while (b.hasRemaining()) {
            position += ch.write(b, position);
        }
    }

    private static void readFully(FileChannel ch, ByteBuffer b, long position, Path file) throws IOException {
        while (b.hasRemaining()) {
            int n = ch.read(b, position);
            if (n < 0) {
                throw MarshalException.corrupted(file, "it is truncated");
            }
            position += n;
        }
        b.flip();
    }

    /** What the file's preamble and header say, validated against the file size and the header checksum. */
    private record Opened(ArtifactFormat.Preamble preamble, ArtifactFormat.Header header, long size) {
        ArtifactInfo info() {
            return new ArtifactInfo(header.variable(), header.typeName(), header.codec(), size,
                    ArtifactFormat.checksum(preamble.bodyCrc()));
        }
    }

    private static Opened open(FileChannel ch, Path file) throws IOException {
        long size = ch.size();
        if (size < ArtifactFormat.PREAMBLE) {
            throw size >= ArtifactFormat.MAGIC.length && !hasMagic(ch)
                    ? notAnArtifact(file)
                    : MarshalException.corrupted(file, "it is truncated (" + size + " bytes, less than its "
                    + ArtifactFormat.PREAMBLE + "-byte preamble)");
        }
        ByteBuffer p = ByteBuffer.allocate(ArtifactFormat.PREAMBLE).order(ByteOrder.LITTLE_ENDIAN);
        readFully(ch, p, 0, file);
        byte[] magic = new byte[ArtifactFormat.MAGIC.length];
        p.get(magic);
        if (!Arrays.equals(magic, ArtifactFormat.MAGIC)) {
            throw notAnArtifact(file);
        }
        int version = p.getInt();
        int headerLength = p.getInt();
        long bodyLength = p.getLong();
        int bodyCrc = p.getInt();
        int headerCrc = p.getInt();
        if (headerLength <= 0 || headerLength > ArtifactFormat.MAX_HEADER || bodyLength < 0) {
            throw MarshalException.corrupted(file, "its preamble is damaged");
        }
        ArtifactFormat.Preamble pre = new ArtifactFormat.Preamble(version, headerLength, bodyLength, bodyCrc, headerCrc);
        if (size < pre.fileSize()) {
            throw MarshalException.corrupted(file, "it is truncated (" + size + " bytes, expected " + pre.fileSize() + ")");
        }
        if (size > pre.fileSize()) {
            throw MarshalException.corrupted(file, "it has " + (size - pre.fileSize()) + " unexpected trailing bytes");
        }
        ByteBuffer h = ByteBuffer.allocate(headerLength);
        readFully(ch, h, ArtifactFormat.PREAMBLE + bodyLength, file);
        byte[] header = h.array();
        if (ArtifactFormat.headerCrc(p, header) != headerCrc) {
            throw MarshalException.corrupted(file, "its header checksum does not match");
        }
        if (version != ArtifactFormat.VERSION) {
            throw new MarshalException("artifact " + file + " has format version " + version + ", which this kale4j "
                    + "does not understand (it reads version " + ArtifactFormat.VERSION + "); run all steps of a "
                    + "pipeline with the same kale4j version.");
        }
        return new Opened(pre, ArtifactFormat.Header.decode(header), size);
    }

    private static boolean hasMagic(FileChannel ch) throws IOException {
        ByteBuffer m = ByteBuffer.allocate(ArtifactFormat.MAGIC.length);
        ch.read(m, 0);
        return Arrays.equals(m.array(), ArtifactFormat.MAGIC);
    }

    private static MarshalException notAnArtifact(Path file) {
        return new MarshalException("file " + file + " is not a kale4j artifact (wrong magic bytes); "
                + "check the artifact path or re-run the step that should produce it.");
    }

    /**
     * Header only: variable, type name, codec, size and recorded checksum. Reads two small blocks; the body is not
     * verified (that happens in {@link #read}).
     */
    public ArtifactInfo info(Path file) {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            return open(ch, file).info();
        } catch (NoSuchFileException e) {
            throw missing(file, e);
        } catch (IOException e) {
            throw new MarshalException("artifact " + file + " could not be read: " + e, e);
        }
    }

    private static MarshalException missing(Path file, NoSuchFileException e) {
        return new MarshalException("artifact " + file + " does not exist; run the step that produces it first.", e);
    }

    /**
     * Loads the value saved in {@code file}, resolving recorded class names through {@code resolver}; verifies the
     * checksum before returning.
     *
     * @throws MarshalException if the file is missing, corrupted or truncated, or its value cannot be rebuilt here
     *                          (a class this step does not declare, a record declared differently...)
     */
    public Object read(Path file, TypeResolver resolver) {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            Opened opened = open(ch, file);
            ArtifactFormat.Header h = opened.header();
            ChannelSource src = new ChannelSource(ch, ArtifactFormat.PREAMBLE, opened.preamble().bodyLength(),
                    BUFFER_SIZE, mapMinBytes);
            Object value;
            try {
                value = new Decoder(src, this, resolver, h.variable()).readValue();
            } catch (IOException | RuntimeException | StackOverflowError | InternalError e) {
                // (InternalError: the JVM's report of a fault in a memory-mapped region, e.g. a file truncated
                // while being read.)
                // Garbage in a damaged body can look like anything; the checksum decides what to report.
                src.drain();
                checkBody(src, opened, file);
                if (e instanceof ArtifactProblem) {
                    throw new MarshalException(describe(file, h) + " " + e.getMessage() + ".", e);
                }
                if (e instanceof EOFException) {
                    throw MarshalException.corrupted(file, e.getMessage());
                }
                throw new MarshalException(describe(file, h) + " could not be loaded: " + e + ".", e);
            }
            long left = src.drain();
            checkBody(src, opened, file);
            if (left != 0) {
                throw MarshalException.corrupted(file, left + " bytes after the value were not expected");
            }
            return value;
        } catch (NoSuchFileException e) {
            throw missing(file, e);
        } catch (IOException e) {
            throw new MarshalException("artifact " + file + " could not be read: " + e, e);
        }
    }

    private static void checkBody(ChannelSource src, Opened opened, Path file) {
        int expected = opened.preamble().bodyCrc();
        if (src.crc() != expected) {
            throw MarshalException.corrupted(file, "checksum mismatch (recorded " + ArtifactFormat.checksum(expected)
                    + ", computed " + ArtifactFormat.checksum(src.crc()) + ")");
        }
    }

    private static String describe(Path file, ArtifactFormat.Header h) {
        return "artifact " + file + " (variable `" + h.variable() + "` of type `" + h.typeName() + "`)";
    }
}
