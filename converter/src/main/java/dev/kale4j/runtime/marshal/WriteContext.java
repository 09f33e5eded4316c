package dev.kale4j.runtime.marshal;

import java.io.IOException;

/**
 * The output a {@link ValueCodec} writes to: little-endian primitives, length-prefixed strings and bulk primitive
 * arrays (copied through large direct buffers, no boxing), nested values in kale4j's own format, and class names
 * that survive JShell re-declaration.
 */
public interface WriteContext {
    /** Variable being saved, for error messages. */
    String variable();

    void writeByte(int v) throws IOException;

    void writeBoolean(boolean v) throws IOException;

    void writeInt(int v) throws IOException;

    void writeLong(long v) throws IOException;

    void writeFloat(float v) throws IOException;

    void writeDouble(double v) throws IOException;

    /** Length-prefixed UTF-8; null allowed. */
    void writeString(String s) throws IOException;

    /** Length-prefixed; null allowed. */
    void writeBytes(byte[] b) throws IOException;

    /** Length-prefixed bulk copies; null allowed. */
    void writeInts(int[] a) throws IOException;

    void writeLongs(long[] a) throws IOException;

    void writeFloats(float[] a) throws IOException;

    void writeDoubles(double[] a) throws IOException;

    /** Any value kale4j can marshal (null, records, collections, other codecs' values...). */
    void writeValue(Object value) throws IOException;

    /** A class reference, read back with {@link ReadContext#readType()} through the consumer's {@link TypeResolver}. */
    void writeType(Class<?> type) throws IOException;
}
