package dev.kale4j.runtime.marshal;

import java.io.IOException;

/** Internal: how values of one class are written. Chosen once per class by {@link Handlers#select}. */
@FunctionalInterface
interface Handler {
    void write(Encoder out, Object value) throws IOException;
}
