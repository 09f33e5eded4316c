package dev.kale4j.runtime.marshal;

/**
 * What an artifact header says about the value inside.
 *
 * @param variable the producing step's variable name
 * @param typeName the type JShell reported for the variable (e.g. {@code List<String>}); the consumer declares its
 *                 variable with it
 * @param codec    the codec of the top-level value: {@code kale4j.binary} (the built-in structural format),
 *                 {@code kale4j.jackson}, {@code kale4j.serializable}, or the id of a {@link ValueCodec}
 * @param bytes    size of the artifact file (header included)
 * @param checksum checksum of the body, {@code crc32c:xxxxxxxx}; verified on every read
 */
public record ArtifactInfo(String variable, String typeName, String codec, long bytes, String checksum) {
}
