package dev.kale4j.kernel.engine;

import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;

/** A started execution JVM and its two loopback connections (commands and control). */
public final class Agent implements AutoCloseable {
    private final Process process;
    private final Socket commands;
    private final Socket control;

    Agent(Process process, Socket commands, Socket control) {
        this.process = process;
        this.commands = commands;
        this.control = control;
    }

    public Process process() {
        return process;
    }

    Socket commands() {
        return commands;
    }

    /** Asks the agent to stop the user code it is running; safe from any thread. */
    void sendControl(int command) throws IOException {
        synchronized (control) {
            OutputStream out = control.getOutputStream();
            out.write(command);
            out.flush();
        }
    }

    /** Exit code if the JVM ended within {@code millis}, else null. */
    Integer exitCode(long millis) {
        try {
            if (process.waitFor(millis, java.util.concurrent.TimeUnit.MILLISECONDS)) {
                return process.exitValue();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return null;
    }

    @Override
    public void close() {
        try {
            commands.close();
        } catch (IOException ignored) {
            // closing anyway
        }
        try {
            control.close();
        } catch (IOException ignored) {
            // closing anyway
        }
        // Closing the sockets makes the agent halt itself; destroy covers a wedged JVM.
        process.destroy();
    }
}
