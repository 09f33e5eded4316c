package dev.kale4j.kernel.engine;

import dev.kale4j.kernel.agent.ExecAgent;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.OutputStream;
import java.util.Map;
import jdk.jshell.execution.StreamingExecutionControl;
import jdk.jshell.spi.ExecutionControl;
import jdk.jshell.spi.ExecutionControlProvider;
import jdk.jshell.spi.ExecutionEnv;

/**
 * JShell execution engine "kale4j": user code runs in a separate JVM ({@link ExecAgent}), without
 * JDI (~190 ms per evaluation), over three loopback connections:
 *
 * <ul>
 *   <li>commands: JShell's ExecutionControl requests and replies in its own encoding
 *       ({@link StreamingExecutionControl} here, {@code Util.forwardExecutionControl} in the agent,
 *       so the exception semantics are JShell's). The thread that calls JShell writes the request
 *       and reads the reply itself: no demultiplexing thread and no pipes on the command path.
 *       Each reply is one frame carrying the number of output frames the agent had written.</li>
 *   <li>output: stdout, stderr and display frames, read by one thread per JVM (output of
 *       background threads arrives between cells too). Before a command returns, the calling
 *       thread waits until that thread has handed on as many frames as the reply said, so a
 *       cell's output is always published before its result.</li>
 *   <li>control: interrupts and stdin lines ({@link Agent#sendControl}, {@link Agent#serveInput}).</li>
 * </ul>
 */
final class AgentExecutionControlProvider implements ExecutionControlProvider {
    private final Agent agent;
    private final OutputStream out;
    private final OutputStream err;
    private final OutputStream display;
    private final Agent.LineSource in;
    private final java.util.function.Consumer<Agent> onGenerated;

    AgentExecutionControlProvider(Agent agent, OutputStream out, OutputStream err, OutputStream display,
            Agent.LineSource in, java.util.function.Consumer<Agent> onGenerated) {
        this.agent = agent;
        this.out = out;
        this.err = err;
        this.display = display;
        this.in = in;
        this.onGenerated = onGenerated;
    }

    @Override
    public String name() {
        return "kale4j";
    }

    @Override
    public ExecutionControl generate(ExecutionEnv env, Map<String, String> parameters) throws IOException {
        OutputReader reader = new OutputReader(agent.output().getInputStream(), out, err, display);
        Thread t = new Thread(reader, "kale4j-agent-output-" + agent.process().pid());
        t.setDaemon(true);
        t.start();
        ObjectOutputStream cmdOut = new ObjectOutputStream(
                new BufferedOutputStream(agent.commands().getOutputStream(), 65536));
        cmdOut.flush();
        ReplyStream replies = new ReplyStream(agent.commands().getInputStream());
        ObjectInputStream cmdIn = new ObjectInputStream(replies);
        ExecutionControl ec = new KernelSideControl(cmdOut, cmdIn, replies, reader, agent, env);
        // System.in of user code goes over the control connection, one line per request.
        agent.serveInput(in);
        onGenerated.accept(agent);
        return ec;
    }

    /** Reads the reply frames (4-byte length, 8-byte output frame count, bytes) as one stream. */
    private static final class ReplyStream extends InputStream {
        private final DataInputStream in;
        private int remaining;
        private long outputFrames;

        ReplyStream(InputStream socket) {
            this.in = new DataInputStream(new BufferedInputStream(socket, 65536));
        }

        /** Output frames the agent had written when it sent the last reply read. */
        long outputFrames() {
            return outputFrames;
        }

        private boolean nextFrame() throws IOException {
            while (remaining == 0) {
                int n;
                try {
                    n = in.readInt();
                } catch (EOFException e) {
                    return false;
                }
                outputFrames = in.readLong();
                remaining = n;
            }
            return true;
        }

        @Override
        public int read() throws IOException {
            if (!nextFrame()) {
                return -1;
            }
            int b = in.read();
            if (b >= 0) {
                remaining--;
            }
            return b;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (len == 0) {
                return 0;
            }
            if (!nextFrame()) {
                return -1;
            }
            int r = in.read(b, off, Math.min(len, remaining));
            if (r > 0) {
                remaining -= r;
            }
            return r;
        }

        @Override
        public int available() throws IOException {
            return Math.min(remaining, in.available());
        }

        @Override
        public void close() throws IOException {
            in.close();
        }
    }

    /** Hands the agent's output frames on to the kernel's streams, counting them. */
    private static final class OutputReader implements Runnable {
        private final InputStream socket;
        private final OutputStream out;
        private final OutputStream err;
        private final OutputStream display;
        private long handled;
        private boolean ended;

        OutputReader(InputStream socket, OutputStream out, OutputStream err, OutputStream display) {
            this.socket = socket;
            this.out = out;
            this.err = err;
            this.display = display;
        }

        @Override
        public void run() {
            try (DataInputStream in = new DataInputStream(new BufferedInputStream(socket, 65536))) {
                int kind;
                while ((kind = in.read()) != -1) {
                    byte[] bytes = new byte[in.readInt()];
                    in.readFully(bytes);
                    OutputStream target = kind == ExecAgent.OUTPUT_STDOUT ? out
                            : kind == ExecAgent.OUTPUT_STDERR ? err
                            : kind == ExecAgent.OUTPUT_DISPLAY ? display : null;
                    try {
                        if (target != null) {
                            target.write(bytes);
                        }
                    } catch (IOException | RuntimeException e) {
                        // A failing sink must not stop the output of later cells.
                    }
                    synchronized (this) {
                        handled++;
                        notifyAll();
                    }
                }
            } catch (IOException e) {
                // The execution JVM is gone.
            } finally {
                synchronized (this) {
                    ended = true;
                    notifyAll();
                }
            }
        }

        /** Waits until {@code frames} output frames were handed on (or the connection ended). */
        synchronized void await(long frames) {
            long deadline = 0;
            while (handled < frames && !ended) {
                // Bounded: the agent flushes each frame before counting it, so it is on its way.
                long now = System.nanoTime();
                if (deadline == 0) {
                    deadline = now + 10_000_000_000L;
                } else if (now - deadline > 0) {
                    return;
                }
                try {
                    wait(100);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }

    /** The kernel's end of the command connection, with stop and close going around it. */
    private static final class KernelSideControl extends StreamingExecutionControl {
        private final ReplyStream replies;
        private final OutputReader output;
        private final Agent agent;

        KernelSideControl(ObjectOutputStream out, ObjectInputStream in, ReplyStream replies, OutputReader output,
                Agent agent, ExecutionEnv env) {
            super(out, in);
            this.replies = replies;
            this.output = output;
            this.agent = agent;
            // When the JVM dies (System.exit, crash, kill) JShell must learn it even if idle.
            agent.process().onExit().thenRun(env::closeDown);
        }

        /** Publishes the output the last command produced before its result goes back to JShell. */
        private void outputDone() {
            output.await(replies.outputFrames());
        }

        @Override
        public void load(ClassBytecodes[] cbcs)
                throws ClassInstallException, NotImplementedException, EngineTerminationException {
            try {
                super.load(cbcs);
            } finally {
                outputDone();
            }
        }

        @Override
        public void redefine(ClassBytecodes[] cbcs)
                throws ClassInstallException, NotImplementedException, EngineTerminationException {
            try {
                super.redefine(cbcs);
            } finally {
                outputDone();
            }
        }

        @Override
        public String invoke(String classname, String methodname)
                throws RunException, EngineTerminationException, InternalException {
            try {
                return super.invoke(classname, methodname);
            } finally {
                outputDone();
            }
        }

        @Override
        public String varValue(String classname, String varname)
                throws RunException, EngineTerminationException, InternalException {
            try {
                return super.varValue(classname, varname);
            } finally {
                outputDone();
            }
        }

        @Override
        public void addToClasspath(String path) throws EngineTerminationException, InternalException {
            try {
                super.addToClasspath(path);
            } finally {
                outputDone();
            }
        }

        @Override
        public void stop() throws EngineTerminationException {
            try {
                agent.sendControl(ExecAgent.CONTROL_STOP);
            } catch (IOException e) {
                throw new EngineTerminationException("execution JVM is gone: " + e.getMessage());
            }
        }

        @Override
        public void close() {
            try {
                super.close();
            } finally {
                agent.close();
            }
        }
    }
}
