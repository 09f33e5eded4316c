package dev.kale4j.cluster.runtime;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;

/**
 * The SHA-256 of a step's marshalled outputs (name and bytes of each, in name order): what its consumers put
 * into their memoization keys, so a consumer is reused only with the same upstream data.
 */
public final class OutputDigest {
    private OutputDigest() {
    }

    public static String of(Path outDir, List<String> outputs) throws IOException {
        MessageDigest sha = sha256();
        for (String name : outputs.stream().sorted().toList()) {
            sha.update(name.getBytes(StandardCharsets.UTF_8));
            sha.update((byte) 0);
            Path file = outDir.resolve(name + ".k4j");
            sha.update(Long.toString(Files.size(file)).getBytes(StandardCharsets.US_ASCII));
            sha.update((byte) 0);
            try (InputStream in = new DigestInputStream(Files.newInputStream(file), sha)) {
                in.transferTo(OutputStream.nullOutputStream());
            }
        }
        return HexFormat.of().formatHex(sha.digest());
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK always has SHA-256", e);
        }
    }
}
