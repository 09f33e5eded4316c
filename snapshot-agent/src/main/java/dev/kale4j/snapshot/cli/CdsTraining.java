package dev.kale4j.snapshot.cli;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Random;
import java.util.stream.Stream;

/**
 * A training run for the AppCDS archive of the standalone agent, for an image build step:
 * <pre>java -XX:ArchiveClassesAtExit=agent.jsa -cp agent-standalone.jar dev.kale4j.snapshot.cli.CdsTraining</pre>
 * then run the agent with {@code -XX:SharedArchiveFile=agent.jsa -jar agent-standalone.jar ...}. The archive holds
 * the classes a JVM loaded, so this runs every command an agent runs (init, a first and an incremental snapshot with
 * compressible, incompressible and sparse content, list, restore, verify) on a small temporary tree, through the
 * same entry point as the command line. A single {@code create} would leave restore's classes out.
 */
public final class CdsTraining {
    private CdsTraining() {
    }

    public static void main(String[] args) throws IOException {
        Path dir = Files.createTempDirectory("kale4j-cds-training");
        PrintStream out = System.out;
        System.setOut(new PrintStream(OutputStream.nullOutputStream()));
        int failed = 0;
        try {
            Path src = Files.createDirectories(dir.resolve("src/sub"));
            Random r = new Random(1);
            byte[] random = new byte[3 << 20];
            r.nextBytes(random);
            Files.write(src.resolve("random.bin"), random);
            StringBuilder csv = new StringBuilder();
            for (int i = 0; i < 40_000; i++) {
                csv.append(i).append(',').append(r.nextInt(1000)).append(",train\n");
            }
            Files.writeString(src.resolve("table.csv"), csv);
            Files.write(src.resolve("sparse.bin"), new byte[1 << 20]);
            Files.writeString(dir.resolve("src/small.txt"), "x");
            Files.createSymbolicLink(src.resolve("link"), Path.of("table.csv"));
            String repo = dir.resolve("repo").toString();
            String source = dir.resolve("src").toString();
            failed |= AgentMain.execute("init", "--repo", repo);
            failed |= AgentMain.execute("create", "--repo", repo, "--source", source, "--tag", "k=v");
            Files.writeString(dir.resolve("src/small.txt"), "changed");
            failed |= AgentMain.execute("create", "--repo", repo, "--source", source, "--json");
            failed |= AgentMain.execute("list", "--repo", repo);
            failed |= AgentMain.execute("list", "--repo", repo, "--json");
            String id;
            try (Stream<Path> s = Files.list(dir.resolve("repo/snapshots"))) {
                id = s.findFirst().orElseThrow().getFileName().toString();
            }
            failed |= AgentMain.execute("restore", "--repo", repo, "--id", id, "--target",
                    dir.resolve("out").toString());
            failed |= AgentMain.execute("verify", "--repo", repo);
        } finally {
            System.setOut(out);
            try (Stream<Path> s = Files.walk(dir)) {
                for (Path p : (Iterable<Path>) s.sorted(Comparator.reverseOrder())::iterator) {
                    Files.deleteIfExists(p);
                }
            }
        }
        if (failed != 0) {
            System.err.println("kale4j snapshot CDS training: a command failed");
            System.exit(1);
        }
    }
}
