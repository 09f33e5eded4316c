package dev.kale4j.runner;

import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Path;

/**
 * Sends {@code System.out}/{@code System.err} of in-process steps to their own log files: the streams
 * are process-wide, so the route follows the thread (and threads it starts) that runs the step.
 */
final class OutputRouter {
    private static final InheritableThreadLocal<Route> ROUTE = new InheritableThreadLocal<>();
    private static PrintStream originalOut;
    private static PrintStream originalErr;

    private OutputRouter() {
    }

    static synchronized void install() {
        if (originalOut != null) {
            return;
        }
        originalOut = System.out;
        originalErr = System.err;
        System.setOut(new PrintStream(new Routed(originalOut, false), true));
        System.setErr(new PrintStream(new Routed(originalErr, true), true));
    }

    static Route route(Path out, Path err) {
        try {
            Route r = new Route(new FileOutputStream(out.toFile(), true), new FileOutputStream(err.toFile(), true));
            ROUTE.set(r);
            return r;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A step's pair of log streams; closing it ends the route for this thread. */
    static final class Route implements AutoCloseable {
        final OutputStream out;
        final OutputStream err;

        Route(OutputStream out, OutputStream err) {
            this.out = out;
            this.err = err;
        }

        @Override
        public void close() throws IOException {
            ROUTE.remove();
            out.close();
            err.close();
        }
    }

    private static final class Routed extends OutputStream {
        private final OutputStream fallback;
        private final boolean err;

        Routed(OutputStream fallback, boolean err) {
            this.fallback = fallback;
            this.err = err;
        }

        private OutputStream target() {
            Route r = ROUTE.get();
            return r == null ? fallback : err ? r.err : r.out;
        }

        @Override
        public void write(int b) throws IOException {
            target().write(b);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            target().write(b, off, len);
        }

        @Override
        public void flush() throws IOException {
            target().flush();
        }
    }
}
