package dev.kale4j.kernel.engine;

import dev.kale4j.kernel.agent.ExecAgent;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;

/** A started execution JVM and its three loopback connections (commands, output and control). */
public final class Agent implements AutoCloseable {
    private final Process process;
    private final Socket commands;
    private final Socket control;
    private final Socket output;

    Agent(Process process, Socket commands, Socket control, Socket output) {
        this.process = process;
        this.commands = commands;
        this.control = control;
        this.output = output;
    }

    public Process process() {
        return process;
    }

    Socket commands() {
        return commands;
    }

    /** User stdout, stderr and display frames from the execution JVM. */
    Socket output() {
        return output;
    }

    /**
     * Control state in the agent that a {@link ExecAgent#CONTROL_RESET} would clear: an interrupt or
     * input was sent since the last reset. Guarded by {@code control}.
     */
    private boolean resetNeeded;

    /** Asks the agent to stop the user code it is running; safe from any thread. */
    void sendControl(int command) throws IOException {
        synchronized (control) {
            if (command == ExecAgent.CONTROL_RESET) {
                // Each cell starts with a reset; when there is nothing to reset, not waking the
                // agent's control thread keeps that thread off the cores while the cell compiles.
                if (!resetNeeded) {
                    return;
                }
                resetNeeded = false;
            } else {
                resetNeeded = true;
            }
            OutputStream out = control.getOutputStream();
            out.write(command);
            out.flush();
        }
    }

    /** Where the lines user code reads from System.in come from; null = end of input. */
    interface LineSource {
        String nextLine() throws IOException;
    }

    /**
     * Answers the execution JVM's requests for input ({@link ExecAgent#INPUT_NEEDED} on the control
     * connection), one line per request, on a thread of its own until the connection ends.
     */
    void serveInput(LineSource lines) {
        Thread t = new Thread(() -> {
            try {
                java.io.InputStream in = control.getInputStream();
                int b;
                while ((b = in.read()) != -1) {
                    if (b != ExecAgent.INPUT_NEEDED) {
                        continue;
                    }
                    String line;
                    try {
                        line = lines.nextLine();
                    } catch (IOException e) {
                        sendControl(ExecAgent.CONTROL_INPUT_FAILED);
                        continue;
                    }
                    if (line == null) {
                        sendControl(ExecAgent.CONTROL_END_OF_INPUT);
                    } else {
                        byte[] bytes = (line + "\n").getBytes(java.nio.charset.StandardCharsets.UTF_8);
                        synchronized (control) {
                            resetNeeded = true;
                            java.io.DataOutputStream out = new java.io.DataOutputStream(control.getOutputStream());
                            out.write(ExecAgent.CONTROL_LINE);
                            out.writeInt(bytes.length);
                            out.write(bytes);
                            out.flush();
                        }
                    }
                }
            } catch (IOException | RuntimeException e) {
                // The execution JVM is gone; nothing asks for input any more.
            }
        }, "kale4j-agent-input-" + process.pid());
        t.setDaemon(true);
        t.start();
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
        try {
            output.close();
        } catch (IOException ignored) {
            // closing anyway
        }
        // Closing the sockets makes the agent halt itself; destroy covers a wedged JVM.
        process.destroy();
    }
}
