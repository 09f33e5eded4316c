package dev.kale4j.runtime.marshal;

import java.io.IOException;

/**
 * Extension point for library types the built-in codecs cannot represent well (data frames, models, tensors).
 * Implementations are found with {@code ServiceLoader.load(ValueCodec.class, loader)} when a {@link Marshaller} is
 * created: list them in {@code META-INF/services/dev.kale4j.runtime.marshal.ValueCodec} of the library's jar.
 *
 * <p>Dispatch: for a value's class, built-in scalars, strings and primitive arrays are always handled by kale4j; then
 * the codec with the highest {@link #priority()} whose {@link #supports(Class)} is true wins (ties: smallest id),
 * before records, collections, Jackson and {@code Serializable}. The decision is cached per class, so
 * {@code supports} must be a pure function of the class.
 *
 * <p>The codec's {@link #id()} and {@link #version()} are stored with the value; reading needs a codec with the same
 * id on the consumer's class path. Whatever {@link #write} writes, {@link #read} must read back exactly (the
 * runtime checks the payload ends where it should). Implementations must be stateless and thread-safe.
 */
public interface ValueCodec {

    /** Stable identifier stored in artifacts, e.g. {@code "tablesaw.table"}. Ids starting with {@code kale4j.} are reserved. */
    String id();

    /** Format version stored with each value; {@link ReadContext#codecVersion()} returns it on read. */
    default int version() {
        return 1;
    }

    /** Higher wins when several codecs support a class. Built-in handling counts as below any codec. */
    default int priority() {
        return 0;
    }

    /** Whether this codec handles values of exactly this runtime class. */
    boolean supports(Class<?> type);

    /** Writes {@code value} (never null; its class passed {@link #supports}). */
    void write(Object value, WriteContext out) throws IOException;

    /** Reads back what {@link #write} wrote. */
    Object read(ReadContext in) throws IOException;
}
