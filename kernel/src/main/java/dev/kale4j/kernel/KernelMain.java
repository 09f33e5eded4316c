package dev.kale4j.kernel;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kale4j.kernel.agent.ExecAgent;
import dev.kale4j.kernel.channels.ConnectionInfo;
import dev.kale4j.kernel.comm.CommManager;
import dev.kale4j.kernel.engine.AgentLauncher;
import dev.kale4j.kernel.engine.JavaEngine;
import dev.kale4j.kernel.magics.CellRunner;
import java.io.File;
import java.net.URISyntaxException;
import java.nio.file.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Starts the kernel for a connection file. The execution JVM is launched first, before anything
 * else is loaded, so its boot overlaps with the kernel's own start-up.
 *
 * <p>System properties / environment: {@code KALE4J_AGENT_OPTS} (JVM options of the execution
 * JVM, e.g. -Xmx2g), {@code KALE4J_SPARE_AGENT=false} (no pre-started spare JVM for restarts).
 */
public final class KernelMain {
    private KernelMain() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 1) {
            System.err.println("usage: KernelMain CONNECTION_FILE");
            System.exit(2);
        }
        run(Path.of(args[0]));
        System.exit(0);
    }

    public static void run(Path connectionFile) throws Exception {
        String agentClasspath = ownLocation();
        AgentLauncher launcher = new AgentLauncher(AgentLauncher.splitOptions(System.getenv("KALE4J_AGENT_OPTS")),
                agentClasspath);
        launcher.prestart();
        Logger log = LoggerFactory.getLogger(KernelMain.class);
        ObjectMapper json = new ObjectMapper();
        ConnectionInfo info = ConnectionInfo.read(connectionFile, json);
        Kernel kernel = new Kernel(json, info);
        boolean spare = !"false".equalsIgnoreCase(System.getenv("KALE4J_SPARE_AGENT"));
        JavaEngine engine = new JavaEngine(launcher, kernel, kernel, agentClasspath, spare);
        CellRunner cells = new CellRunner(engine, kernel, json);
        CommManager comms = new CommManager(kernel);
        KernelExtensions.install(kernel, engine, cells, comms, json);
        kernel.attach(engine, cells, comms);
        Runtime.getRuntime().addShutdownHook(new Thread(kernel::stop, "kale4j-shutdown"));
        kernel.start();
        kernel.afterFirstRequest(engine::startAsync, 500);
        log.info("kale4j kernel listening ({}://{})", info.transport(), info.ip());
        kernel.awaitShutdown();
    }

    /** The jar (or classes directory) holding the kernel, which also holds the execution agent. */
    static String ownLocation() throws URISyntaxException {
        return new File(ExecAgent.class.getProtectionDomain().getCodeSource().getLocation().toURI()).getPath();
    }
}
