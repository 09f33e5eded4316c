package dev.kale4j.runtime.marshal;

import java.io.IOException;

/** The mirror of {@link WriteContext} for {@link ValueCodec#read}. */
public interface ReadContext {
    /** Variable being loaded, for error messages. */
    String variable();

    /** The {@link ValueCodec#version()} the value was written with. */
    int codecVersion();

    /** The consumer's resolver, for codecs that store class names themselves. */
    TypeResolver resolver();

    byte readByte() throws IOException;

    boolean readBoolean() throws IOException;

    int readInt() throws IOException;

    long readLong() throws IOException;

    float readFloat() throws IOException;

    double readDouble() throws IOException;

    String readString() throws IOException;

    byte[] readBytes() throws IOException;

    int[] readInts() throws IOException;

    long[] readLongs() throws IOException;

    float[] readFloats() throws IOException;

    double[] readDoubles() throws IOException;

    Object readValue() throws IOException;

    Class<?> readType() throws IOException;
}
