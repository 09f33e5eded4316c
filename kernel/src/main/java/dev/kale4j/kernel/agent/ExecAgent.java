package dev.kale4j.kernel.agent;

import dev.kale4j.kernel.api.Display;
import java.io.DataOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Consumer;
import jdk.jshell.execution.Util;

/**
 * Main class of the execution JVM. It connects back to the kernel twice over loopback: a command
 * stream speaking JShell's remote protocol ({@link Util#forwardExecutionControlAndIO}, with
 * stdout, stderr, stdin and a "display" stream multiplexed on it), and a control stream that
 * must stay responsive while the command loop is busy running user code (interrupt), whose end
 * also means the kernel is gone.
 *
 * <p>Usage: {@code ExecAgent PORT TOKEN}. The token proves to the kernel that the connection
 * comes from the process it started, not from another local user.
 */
public final class ExecAgent {
    public static final byte CHANNEL_COMMANDS = 'E';
    public static final byte CHANNEL_CONTROL = 'C';
    public static final int CONTROL_STOP = 'S';
    public static final int CONTROL_RESET = 'R';
    /** Kernel to agent: a line of input follows (4-byte length, UTF-8 bytes including the newline). */
    public static final int CONTROL_LINE = 'L';
    /** Kernel to agent: no more input for this read (System.in is at its end). */
    public static final int CONTROL_END_OF_INPUT = 'E';
    /** Kernel to agent: reading input failed (interrupted). */
    public static final int CONTROL_INPUT_FAILED = 'X';
    /** Agent to kernel, on the control connection: user code reads System.in and needs a line. */
    public static final int INPUT_NEEDED = 'I';

    private ExecAgent() {
    }

    public static void main(String[] args) throws Exception {
        int port = Integer.parseInt(args[0]);
        byte[] token = args[1].getBytes(StandardCharsets.US_ASCII);
        InetAddress loopback = InetAddress.getLoopbackAddress();
        Socket commands = connect(loopback, port, CHANNEL_COMMANDS, token);
        Socket control = connect(loopback, port, CHANNEL_CONTROL, token);
        commands.setTcpNoDelay(true);
        control.setTcpNoDelay(true);
        AgentExecutionControl ec = new AgentExecutionControl();
        AgentInput input = new AgentInput(control.getOutputStream());
        System.setIn(input);

        Thread controlThread = new Thread(() -> serveControl(control, ec, input), "kale4j-agent-control");
        controlThread.setDaemon(true);
        controlThread.start();

        Map<String, Consumer<OutputStream>> outputs = new HashMap<>();
        outputs.put("out", st -> System.setOut(new PrintStream(st, true, StandardCharsets.UTF_8)));
        outputs.put("err", st -> System.setErr(new PrintStream(st, true, StandardCharsets.UTF_8)));
        outputs.put("display", Display::install);
        // System.in is AgentInput, served over the control connection (not JShell's byte-wise forwarding).
        Map<String, Consumer<InputStream>> inputs = new HashMap<>();
        try {
            Util.forwardExecutionControlAndIO(ec, commands.getInputStream(), commands.getOutputStream(),
                    outputs, inputs);
        } finally {
            // The kernel closed the command stream: nothing can reach this JVM any more, so end it
            // even if user code left non-daemon threads running.
            Runtime.getRuntime().halt(0);
        }
    }

    private static Socket connect(InetAddress host, int port, byte channel, byte[] token) throws Exception {
        Socket s = new Socket(host, port);
        DataOutputStream out = new DataOutputStream(s.getOutputStream());
        out.writeByte(channel);
        out.writeShort(token.length);
        out.write(token);
        out.flush();
        return s;
    }

    private static void serveControl(Socket control, AgentExecutionControl ec, AgentInput input) {
        try (java.io.DataInputStream in = new java.io.DataInputStream(
                new java.io.BufferedInputStream(control.getInputStream()))) {
            int b;
            while ((b = in.read()) != -1) {
                if (b == CONTROL_STOP) {
                    ec.stop();
                } else if (b == CONTROL_RESET) {
                    ec.reset();
                    input.discardBuffered();
                } else if (b == CONTROL_LINE) {
                    byte[] line = new byte[in.readInt()];
                    in.readFully(line);
                    input.answer(line);
                } else if (b == CONTROL_END_OF_INPUT) {
                    input.end();
                } else if (b == CONTROL_INPUT_FAILED) {
                    input.fail();
                }
            }
        } catch (Exception ignored) {
            // Same as end of stream: the kernel is gone.
        }
        // No kernel means no way to interrupt, display or read results: do not linger as an orphan.
        Runtime.getRuntime().halt(0);
    }
}
