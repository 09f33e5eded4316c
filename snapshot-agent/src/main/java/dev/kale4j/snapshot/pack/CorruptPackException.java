package dev.kale4j.snapshot.pack;

import java.io.IOException;

/** A pack that cannot be read as written: truncated, damaged, or not a pack at all. */
public final class CorruptPackException extends IOException {
    private final String pack;

    public CorruptPackException(String pack, String problem) {
        super("pack " + pack + " " + problem);
        this.pack = pack;
    }

    public String pack() {
        return pack;
    }
}
