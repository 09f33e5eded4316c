package dev.kale4j.kernel.agent;

import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;

/**
 * The execution JVM's output connection: user stdout, stderr and display frames, each write one
 * frame ({@code kind}, 4-byte length, bytes), written synchronously by the thread that produced it.
 * It counts the frames it wrote; every command reply carries that count ({@link #replyStream}), so
 * the kernel can publish all output a command produced before it returns the command's result.
 */
final class AgentOutput {
    private final OutputStream socket;
    private volatile long frames;

    AgentOutput(OutputStream socket) {
        this.socket = new BufferedOutputStream(socket, 8192);
    }

    /** A stream whose every write is one frame of {@code kind} (see {@link ExecAgent#OUTPUT_STDOUT}). */
    OutputStream stream(byte kind) {
        return new OutputStream() {
            @Override
            public void write(int b) throws IOException {
                write(new byte[] {(byte) b}, 0, 1);
            }

            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                frame(kind, b, off, len);
            }
        };
    }

    private synchronized void frame(byte kind, byte[] b, int off, int len) throws IOException {
        if (len == 0) {
            return;
        }
        socket.write(kind);
        socket.write(len >>> 24);
        socket.write(len >>> 16);
        socket.write(len >>> 8);
        socket.write(len);
        socket.write(b, off, len);
        socket.flush();
        frames++;
    }

    /**
     * The command connection's reply stream: it keeps what JShell's forwarder writes until it
     * flushes (once per reply), then sends it as one frame: 4-byte length, the 8-byte count of
     * output frames written so far, the bytes.
     */
    OutputStream replyStream(OutputStream commandSocket) {
        return new OutputStream() {
            private final ByteArrayOutputStream pending = new ByteArrayOutputStream(512);
            private final byte[] header = new byte[12];

            @Override
            public void write(int b) {
                pending.write(b);
            }

            @Override
            public void write(byte[] b, int off, int len) {
                pending.write(b, off, len);
            }

            @Override
            public void flush() throws IOException {
                if (pending.size() == 0) {
                    return;
                }
                // User code may have wrapped System.out/err in buffers of its own.
                System.out.flush();
                System.err.flush();
                long seq = frames;
                int n = pending.size();
                for (int i = 0; i < 4; i++) {
                    header[i] = (byte) (n >>> (24 - 8 * i));
                }
                for (int i = 0; i < 8; i++) {
                    header[4 + i] = (byte) (seq >>> (56 - 8 * i));
                }
                byte[] frame = new byte[12 + n];
                System.arraycopy(header, 0, frame, 0, 12);
                System.arraycopy(pending.toByteArray(), 0, frame, 12, n);
                pending.reset();
                commandSocket.write(frame);
                commandSocket.flush();
            }
        };
    }
}
