package dev.kale4j.kernel.channels;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/** HMAC signatures of messages; an empty key means signing is off (as in Jupyter). */
public final class Signer {
    private final byte[] key;
    private final String algorithm;
    private final ThreadLocal<Mac> mac;

    public Signer(String key, String scheme) {
        this.key = key.getBytes(StandardCharsets.UTF_8);
        if (this.key.length > 0 && !scheme.equals("hmac-sha256")) {
            throw new IllegalArgumentException("unsupported signature scheme " + scheme);
        }
        this.algorithm = "HmacSHA256";
        // Mac instances are not thread-safe and several threads send messages.
        this.mac = ThreadLocal.withInitial(this::newMac);
    }

    private Mac newMac() {
        try {
            Mac m = Mac.getInstance(algorithm);
            m.init(new SecretKeySpec(key, algorithm));
            return m;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    public boolean enabled() {
        return key.length > 0;
    }

    /** Hex signature of the header, parent header, metadata and content frames. */
    public byte[] sign(byte[]... parts) {
        if (!enabled()) {
            return new byte[0];
        }
        Mac m = mac.get();
        for (byte[] p : parts) {
            m.update(p);
        }
        return HexFormat.of().formatHex(m.doFinal()).getBytes(StandardCharsets.US_ASCII);
    }

    /** Constant-time check, so a forger learns nothing from how long a rejection takes. */
    public boolean verify(byte[] signature, byte[]... parts) {
        if (!enabled()) {
            return true;
        }
        return signature != null && MessageDigest.isEqual(sign(parts), signature);
    }
}
