package dev.kale4j.kernel.engine;

import java.io.File;
import java.util.List;

/** Engines for tests: a real execution JVM on the kernel's own classes, its output collected. */
final class TestEngines {
    private TestEngines() {
    }

    /** Starts an engine whose stdout, stderr and displays go to {@code sink}. */
    static JavaEngine start(StringBuffer sink) throws Exception {
        String cp = new File(dev.kale4j.kernel.agent.ExecAgent.class.getProtectionDomain().getCodeSource().getLocation()
                .toURI()).getPath();
        JavaEngine engine = new JavaEngine(new AgentLauncher(List.of("-Xmx128m"), cp), new CollectingOutput(sink, true),
                (p, pw) -> null, cp, false);
        engine.startAsync();
        return engine;
    }
}
