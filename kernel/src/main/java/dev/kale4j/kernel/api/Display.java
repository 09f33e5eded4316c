package dev.kale4j.kernel.api;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.lang.reflect.Method;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The notebook's display API, statically imported into every session:
 * {@code display(x)}, {@code html("<b>hi</b>")}, {@code markdown("# Title")}, {@code svg(...)},
 * {@code png(bytes)}, {@code json("{...}")}. It runs in the execution JVM; the kernel installs the
 * channel ({@link #install}) that carries bundles back, on stdout's connection so order is kept.
 */
public final class Display {
    /** Prefix of a value string that carries a MIME bundle instead of plain text. */
    public static final String VALUE_MARKER = "\u0000kale4j-mime:";

    private static volatile OutputStream channel;

    private Display() {
    }

    /** Called by the execution agent with its "display" stream (frames on its output connection). */
    public static void install(OutputStream out) {
        channel = out;
    }

    public static MimeBundle html(String html) {
        return MimeBundle.of("text/html", html);
    }

    public static MimeBundle markdown(String markdown) {
        return MimeBundle.of("text/markdown", markdown);
    }

    public static MimeBundle svg(String svg) {
        return MimeBundle.of("image/svg+xml", svg);
    }

    public static MimeBundle png(byte[] png) {
        return MimeBundle.of("image/png", Base64.getEncoder().encodeToString(png));
    }

    public static MimeBundle json(String json) {
        return MimeBundle.of("application/json", json);
    }

    public static MimeBundle mime(Map<String, String> data) {
        return new MimeBundle(data);
    }

    /** Shows {@code value} now, as rich output when it is a {@link MimeBundle} or an image. */
    public static void display(Object value) {
        if (channel == null) {
            System.out.println(value);
            return;
        }
        send('D' + toBundle(value).toJson());
    }

    /** Clears the cell's output now. */
    public static void clearOutput() {
        clearOutput(false);
    }

    /** Clears the cell's output; with {@code wait}, only when the next output arrives (no flicker). */
    public static void clearOutput(boolean wait) {
        if (channel != null) {
            send(wait ? "W" : "C");
        }
    }

    /** One frame on the display channel: a 4-byte length, a kind letter, then the payload. */
    private static void send(String json) {
        OutputStream out = channel;
        // Flush user output first so the display appears after what was printed before it.
        System.out.flush();
        System.err.flush();
        byte[] payload = json.getBytes(StandardCharsets.UTF_8);
        synchronized (Display.class) {
            try {
                byte[] frame = new byte[4 + payload.length];
                frame[0] = (byte) (payload.length >>> 24);
                frame[1] = (byte) (payload.length >>> 16);
                frame[2] = (byte) (payload.length >>> 8);
                frame[3] = (byte) payload.length;
                System.arraycopy(payload, 0, frame, 4, payload.length);
                out.write(frame);
                out.flush();
            } catch (IOException e) {
                throw new IllegalStateException("display channel closed", e);
            }
        }
    }

    /** The bundle for any value: bundles as they are, images as PNG, everything else as text. */
    public static MimeBundle toBundle(Object value) {
        if (value instanceof MimeBundle b) {
            return b;
        }
        if (value != null && isRenderedImage(value.getClass())) {
            Map<String, String> m = new LinkedHashMap<>();
            m.put("image/png", Base64.getEncoder().encodeToString(encodePng(value)));
            m.put("text/plain", String.valueOf(value));
            return new MimeBundle(m);
        }
        return MimeBundle.of("text/plain", String.valueOf(value));
    }

    /** True for java.awt.image.RenderedImage without loading AWT for values that are not images. */
    public static boolean isRenderedImage(Class<?> c) {
        for (Class<?> k = c; k != null; k = k.getSuperclass()) {
            if (k.getName().equals("java.awt.image.BufferedImage")) {
                return true;
            }
            for (Class<?> i : k.getInterfaces()) {
                if (i.getName().equals("java.awt.image.RenderedImage")) {
                    return true;
                }
            }
        }
        return false;
    }

    private static byte[] encodePng(Object image) {
        try {
            Class<?> io = Class.forName("javax.imageio.ImageIO");
            Class<?> ri = Class.forName("java.awt.image.RenderedImage");
            Method write = io.getMethod("write", ri, String.class, OutputStream.class);
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            write.invoke(null, image, "png", bytes);
            return bytes.toByteArray();
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot encode image as PNG", e);
        }
    }
}
