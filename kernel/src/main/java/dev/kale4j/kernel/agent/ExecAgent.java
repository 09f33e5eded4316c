package dev.kale4j.kernel.agent;

import dev.kale4j.kernel.api.Display;
import java.io.BufferedInputStream;
import java.io.DataOutputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import jdk.jshell.execution.Util;

/**
 * Main class of the execution JVM. It connects back to the kernel three times over loopback: a
 * command connection carrying JShell's ExecutionControl requests and replies
 * ({@link Util#forwardExecutionControl}, read, run and answered on the main thread), an output
 * connection carrying stdout, stderr and display frames ({@link AgentOutput}), and a control
 * connection that must stay responsive while the command loop is busy running user code
 * (interrupt, stdin lines), whose end also means the kernel is gone.
 *
 * <p>Usage: {@code ExecAgent PORT TOKEN}. The token proves to the kernel that the connection
 * comes from the process it started, not from another local user.
 */
public final class ExecAgent {
    public static final byte CHANNEL_COMMANDS = 'E';
    public static final byte CHANNEL_CONTROL = 'C';
    public static final byte CHANNEL_OUTPUT = 'O';
    /** Frame kinds on the output connection. */
    public static final byte OUTPUT_STDOUT = 'o';
    public static final byte OUTPUT_STDERR = 'e';
    public static final byte OUTPUT_DISPLAY = 'd';
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
        Socket output = connect(loopback, port, CHANNEL_OUTPUT, token);
        commands.setTcpNoDelay(true);
        control.setTcpNoDelay(true);
        output.setTcpNoDelay(true);
        AgentExecutionControl ec = new AgentExecutionControl();
        AgentInput input = new AgentInput(control.getOutputStream());
        System.setIn(input);

        Thread controlThread = new Thread(() -> serveControl(control, ec, input), "kale4j-agent-control");
        controlThread.setDaemon(true);
        controlThread.start();

        AgentOutput out = new AgentOutput(output.getOutputStream());
        System.setOut(new PrintStream(out.stream(OUTPUT_STDOUT), true, StandardCharsets.UTF_8));
        System.setErr(new PrintStream(out.stream(OUTPUT_STDERR), true, StandardCharsets.UTF_8));
        Display.install(out.stream(OUTPUT_DISPLAY));
        // System.in is AgentInput, served over the control connection.
        try {
            // Commands are read, run and answered on this thread: no stream demultiplexing, no pipes.
            ObjectOutputStream cmdOut = new ObjectOutputStream(out.replyStream(commands.getOutputStream()));
            cmdOut.flush();
            ObjectInputStream cmdIn = new ObjectInputStream(new BufferedInputStream(commands.getInputStream(), 65536));
            Util.forwardExecutionControl(ec, cmdIn, cmdOut);
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
