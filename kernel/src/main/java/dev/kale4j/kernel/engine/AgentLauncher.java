package dev.kale4j.kernel.engine;

import dev.kale4j.kernel.agent.ExecAgent;
import java.io.DataInputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Starts execution JVMs. A JVM takes a few hundred milliseconds to boot, so the launcher starts
 * the next one ahead of time ({@link #prestart}) and hands it out when JShell needs an engine:
 * at kernel start this overlaps with the kernel's own start-up, and after a crash it makes the
 * restart nearly instant.
 */
public final class AgentLauncher implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(AgentLauncher.class);
    private static final int CONNECT_TIMEOUT_MS = 60_000;

    private final List<String> command;
    private final List<Agent> started = new ArrayList<>();
    private CompletableFuture<Agent> spare;
    private boolean closed;

    /**
     * @param javaOptions extra JVM options for the execution JVM (heap size, CDS archive, ...)
     * @param classpath class path holding the agent classes (the kernel jar)
     */
    public AgentLauncher(List<String> javaOptions, String classpath) {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.add("-Xshare:auto");
        cmd.add("-Djava.awt.headless=true");
        cmd.add("-Dkale4j.execution-jvm=true");
        cmd.addAll(javaOptions);
        cmd.add("-cp");
        cmd.add(classpath);
        cmd.add(ExecAgent.class.getName());
        this.command = List.copyOf(cmd);
    }

    public static List<String> splitOptions(String options) {
        if (options == null || options.isBlank()) {
            return List.of();
        }
        return Arrays.asList(options.trim().split("\\s+"));
    }

    /** Starts an execution JVM in the background, unless one is already waiting. */
    public synchronized void prestart() {
        if (spare == null && !closed) {
            spare = CompletableFuture.supplyAsync(this::launchNow);
        }
    }

    /** The pre-started JVM if any, else a new one; blocks until it has connected. */
    public Agent take() throws IOException {
        CompletableFuture<Agent> next;
        synchronized (this) {
            if (closed) {
                throw new IOException("kernel is shutting down");
            }
            next = spare;
            spare = null;
        }
        if (next == null) {
            return launchNow();
        }
        try {
            return next.join();
        } catch (RuntimeException e) {
            LOG.warn("pre-started execution JVM failed, starting another: {}", e.toString());
            return launchNow();
        }
    }

    private Agent launchNow() {
        byte[] secret = new byte[16];
        new SecureRandom().nextBytes(secret);
        String token = HexFormat.of().formatHex(secret);
        try (ServerSocket server = new ServerSocket(0, 3, InetAddress.getLoopbackAddress())) {
            server.setSoTimeout(CONNECT_TIMEOUT_MS);
            List<String> cmd = new ArrayList<>(command);
            cmd.add(Integer.toString(server.getLocalPort()));
            cmd.add(token);
            long t0 = System.nanoTime();
            Process process = new ProcessBuilder(cmd).redirectOutput(ProcessBuilder.Redirect.INHERIT)
                    .redirectError(ProcessBuilder.Redirect.INHERIT).start();
            // A JVM that dies before connecting must not leave accept() waiting a minute.
            process.onExit().thenRun(() -> {
                try {
                    if (!server.isClosed() && !process.isAlive()) {
                        server.close();
                    }
                } catch (IOException ignored) {
                    // accept() fails either way
                }
            });
            Socket commands = null;
            Socket control = null;
            Socket output = null;
            try {
                while (commands == null || control == null || output == null) {
                    Socket s = server.accept();
                    DataInputStream in = new DataInputStream(s.getInputStream());
                    s.setSoTimeout(5_000);
                    int channel = in.readByte();
                    byte[] got = new byte[in.readUnsignedShort()];
                    in.readFully(got);
                    s.setSoTimeout(0);
                    // Constant-time: a local process guessing the token learns nothing from timing.
                    if (!java.security.MessageDigest.isEqual(got, token.getBytes(StandardCharsets.US_ASCII))) {
                        LOG.warn("rejected a loopback connection with a wrong token");
                        s.close();
                    } else if (channel == ExecAgent.CHANNEL_COMMANDS && commands == null) {
                        commands = s;
                    } else if (channel == ExecAgent.CHANNEL_CONTROL && control == null) {
                        control = s;
                    } else if (channel == ExecAgent.CHANNEL_OUTPUT && output == null) {
                        output = s;
                    } else {
                        s.close();
                    }
                }
            } catch (IOException e) {
                process.destroyForcibly();
                throw new IOException("execution JVM did not connect"
                        + (process.isAlive() ? "" : " (exit code " + process.exitValue() + ")") + ": " + cmd, e);
            }
            commands.setTcpNoDelay(true);
            control.setTcpNoDelay(true);
            output.setTcpNoDelay(true);
            LOG.debug("execution JVM {} connected in {} ms", process.pid(), (System.nanoTime() - t0) / 1_000_000);
            Agent agent = new Agent(process, commands, control, output);
            synchronized (this) {
                if (closed) {
                    agent.close();
                    throw new IOException("kernel is shutting down");
                }
                started.add(agent);
            }
            return agent;
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        List<Agent> all;
        synchronized (this) {
            closed = true;
            all = new ArrayList<>(started);
        }
        for (Agent a : all) {
            a.close();
        }
    }
}
