package dev.kale4j.kernel.api;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A rich value for the notebook: MIME type to content (text for textual types, base64 for images).
 * Returned from a cell's last expression it becomes the {@code execute_result}; passed to
 * {@link Display#display(Object)} it becomes a {@code display_data}. This class lives in the
 * execution JVM, so it must not depend on anything outside {@code java.base}.
 */
public final class MimeBundle {
    private final Map<String, String> data;

    public MimeBundle(Map<String, String> data) {
        this.data = Collections.unmodifiableMap(new LinkedHashMap<>(data));
    }

    public static MimeBundle of(String mimeType, String content) {
        Map<String, String> m = new LinkedHashMap<>();
        m.put(mimeType, content);
        if (!mimeType.equals("text/plain")) {
            m.put("text/plain", "<" + mimeType + ">");
        }
        return new MimeBundle(m);
    }

    public Map<String, String> data() {
        return data;
    }

    /** JSON object of the bundle; the kernel parses it back. JSON-typed content is embedded raw. */
    public String toJson() {
        StringBuilder sb = new StringBuilder("{");
        boolean first = true;
        for (Map.Entry<String, String> e : data.entrySet()) {
            if (!first) {
                sb.append(',');
            }
            first = false;
            Json.quote(sb, e.getKey());
            sb.append(':');
            if (e.getKey().equals("application/json") || e.getKey().endsWith("+json")) {
                sb.append(e.getValue());
            } else {
                Json.quote(sb, e.getValue());
            }
        }
        return sb.append('}').toString();
    }

    @Override
    public String toString() {
        return data.getOrDefault("text/plain", data.toString());
    }
}
