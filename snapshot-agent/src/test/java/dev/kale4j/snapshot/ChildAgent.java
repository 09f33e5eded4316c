package dev.kale4j.snapshot;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Starts the agent CLI in a separate JVM, as a step container would. */
final class ChildAgent {
    private ChildAgent() {
    }

    static Process start(Path log, String... args) throws IOException {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add("-Xmx256m");
        cmd.add("-XX:TieredStopAtLevel=1");
        // Small packs so a snapshot writes many of them and a kill lands between any two steps.
        cmd.add("-Dkale4j.snapshot.packSize=262144");
        cmd.add("dev.kale4j.snapshot.cli.AgentMain");
        cmd.addAll(List.of(args));
        return new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    }
}
