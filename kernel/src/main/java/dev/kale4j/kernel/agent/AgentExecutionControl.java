package dev.kale4j.kernel.agent;

import dev.kale4j.kernel.api.Display;
import dev.kale4j.kernel.api.MimeBundle;
import java.lang.reflect.Method;
import jdk.jshell.execution.DirectExecutionControl;

/**
 * Runs snippets in the execution JVM. Unlike JShell's JDI engine, interruption does not go
 * through a debugger: the agent's control thread calls {@link #stop()}, which throws
 * {@link ThreadDeath} into the thread running user code (Thread.stop still works on Java 17 and
 * is the only thing that stops {@code while (true) {}}).
 */
final class AgentExecutionControl extends DirectExecutionControl {
    private final Object lock = new Object();
    private Thread clientThread;
    private boolean inClientCode;
    /** A ThreadDeath was sent and has not been seen yet; it must be absorbed before returning. */
    private volatile boolean stopPending;
    /**
     * An interrupt arrived while the kernel was still compiling the snippet (no user code running
     * yet): the next user code of this cell must stop at once instead of running forever.
     */
    private boolean stopRequested;

    /** The kernel starts a new cell: interrupts of earlier cells no longer apply. */
    void reset() {
        synchronized (lock) {
            stopRequested = false;
        }
    }

    @Override
    protected void clientCodeEnter() {
        synchronized (lock) {
            clientThread = Thread.currentThread();
            stopPending = false;
            if (stopRequested) {
                stopRequested = false;
                throw new ThreadDeath();
            }
            inClientCode = true;
        }
    }

    @Override
    protected void clientCodeLeave() {
        synchronized (lock) {
            inClientCode = false;
        }
        // Thread.stop is asynchronous: the exception may arrive after user code returned. Wait
        // for it here (bounded, in case user code swallowed it) so it cannot hit the agent itself.
        long deadline = System.nanoTime() + 200_000_000L;
        while (stopPending && System.nanoTime() < deadline) {
            try {
                Thread.sleep(1);
            } catch (ThreadDeath expected) {
                stopPending = false;
            } catch (InterruptedException e) {
                Thread.interrupted();
            }
        }
        stopPending = false;
        Thread.interrupted();
    }

    /** Called from the agent's control thread, never from the command loop. */
    @Override
    @SuppressWarnings("removal")
    public void stop() {
        synchronized (lock) {
            if (inClientCode && clientThread != null) {
                stopPending = true;
                clientThread.stop();
            } else {
                stopRequested = true;
            }
        }
    }

    @Override
    protected String invoke(Method doitMethod) throws Exception {
        Object result = doitMethod.invoke(null);
        if (result instanceof MimeBundle || (result != null && Display.isRenderedImage(result.getClass()))) {
            return Display.VALUE_MARKER + Display.toBundle(result).toJson();
        }
        return valueString(result);
    }

    @Override
    protected String throwConvertedInvocationException(Throwable cause) throws RunException, InternalException {
        if (cause instanceof ThreadDeath) {
            stopPending = false;
            throw new StoppedException();
        }
        return super.throwConvertedInvocationException(cause);
    }

    @Override
    protected String throwConvertedOtherException(Throwable ex) throws RunException, InternalException {
        if (ex instanceof ThreadDeath) {
            stopPending = false;
            throw new StoppedException();
        }
        return super.throwConvertedOtherException(ex);
    }
}
