package dev.kale4j.kernel.agent;

import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;

/**
 * {@code System.in} of user code. When it has no bytes left, a read asks the kernel for one line
 * ({@link ExecAgent#INPUT_NEEDED} on the control connection) and waits for the answer, which the
 * control thread hands in: a line, the end of input, or a failure (interrupt).
 *
 * <p>JShell's own stdin forwarding was used before: it sends each byte in answer to a request, and
 * its reader asks again while the byte of the previous answer is still on its way, so on a busy
 * machine the kernel read past the end of a line and prompted the user for a line nobody asked for
 * (and that line was left over for the next cell). Here exactly one request is made per line.
 */
final class AgentInput extends InputStream {
    private final OutputStream control;
    private byte[] buffer = new byte[0];
    private int pos;
    private boolean waiting;
    /** The answer to the pending request: a line, END or FAILED. */
    private Object answer;
    private static final Object END = new Object();
    private static final Object FAILED = new Object();

    AgentInput(OutputStream control) {
        this.control = control;
    }

    @Override
    public synchronized int read() throws IOException {
        if (!fill()) {
            return -1;
        }
        return buffer[pos++] & 0xff;
    }

    @Override
    public synchronized int read(byte[] b, int off, int len) throws IOException {
        if (len == 0) {
            return 0;
        }
        if (!fill()) {
            return -1;
        }
        int n = Math.min(len, buffer.length - pos);
        System.arraycopy(buffer, pos, b, off, n);
        pos += n;
        return n;
    }

    @Override
    public synchronized int available() {
        return buffer.length - pos;
    }

    /** Makes sure bytes are buffered, asking the kernel for a line if needed; false at end of input. */
    private boolean fill() throws IOException {
        if (pos < buffer.length) {
            return true;
        }
        answer = null;
        waiting = true;
        try {
            synchronized (control) {
                control.write(ExecAgent.INPUT_NEEDED);
                control.flush();
            }
            while (answer == null) {
                try {
                    wait();
                } catch (InterruptedException e) {
                    throw new InterruptedIOException("interrupted while waiting for input");
                }
            }
        } finally {
            waiting = false;
        }
        Object a = answer;
        answer = null;
        if (a == END) {
            return false;
        }
        if (a == FAILED) {
            throw new InterruptedIOException("interrupted while waiting for input");
        }
        buffer = (byte[]) a;
        pos = 0;
        return buffer.length > 0 || fill();
    }

    /** From the control thread: the kernel's answer. Dropped when no read waits for it (stopped). */
    synchronized void answer(byte[] line) {
        if (waiting) {
            answer = line;
            notifyAll();
        }
    }

    synchronized void end() {
        if (waiting) {
            answer = END;
            notifyAll();
        }
    }

    synchronized void fail() {
        if (waiting) {
            answer = FAILED;
            notifyAll();
        }
    }

    /** A new cell starts: bytes its predecessor did not read are not its input. */
    synchronized void discardBuffered() {
        buffer = new byte[0];
        pos = 0;
    }
}
