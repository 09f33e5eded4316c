package dev.kale4j.kernel.engine;

import dev.kale4j.kernel.agent.ExecAgent;
import java.io.IOException;
import java.io.ObjectInput;
import java.io.ObjectOutput;
import java.io.OutputStream;
import java.util.Map;
import java.util.function.Consumer;
import jdk.jshell.execution.StreamingExecutionControl;
import jdk.jshell.execution.Util;
import jdk.jshell.spi.ExecutionControl;
import jdk.jshell.spi.ExecutionControlProvider;
import jdk.jshell.spi.ExecutionEnv;

/**
 * JShell execution engine "kale4j": user code runs in a separate JVM ({@link ExecAgent}) that
 * speaks JShell's stream protocol over loopback, without JDI. JDI costs ~190 ms per evaluation;
 * a socket round trip costs well under a millisecond. Interrupts go over a second connection.
 */
final class AgentExecutionControlProvider implements ExecutionControlProvider {
    private final Agent agent;
    private final OutputStream out;
    private final OutputStream err;
    private final OutputStream display;
    private final Agent.LineSource in;
    private final Consumer<Agent> onGenerated;

    AgentExecutionControlProvider(Agent agent, OutputStream out, OutputStream err, OutputStream display,
            Agent.LineSource in, Consumer<Agent> onGenerated) {
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
        ExecutionControl ec = Util.remoteInputOutput(agent.commands().getInputStream(),
                agent.commands().getOutputStream(),
                Map.of("out", out, "err", err, "display", display),
                Map.of(),
                (objIn, objOut) -> new KernelSideControl(objOut, objIn, agent, env));
        // System.in of user code goes over the control connection, one line per request.
        agent.serveInput(in);
        onGenerated.accept(agent);
        return ec;
    }

    /** The kernel's end of the command stream, with stop and close going around it. */
    private static final class KernelSideControl extends StreamingExecutionControl {
        private final Agent agent;
        private final ExecutionEnv env;

        KernelSideControl(ObjectOutput out, ObjectInput in, Agent agent, ExecutionEnv env) {
            super(out, in);
            this.agent = agent;
            this.env = env;
            // When the JVM dies (System.exit, crash, kill) JShell must learn it even if idle.
            agent.process().onExit().thenRun(env::closeDown);
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
