package dev.kale4j.snapshot.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** The hand parser of the start-up fast path reads a command line exactly as picocli does, or leaves it to picocli. */
class FastArgsTest {

    /** Everything a parsed command carries, to compare the two parsers. */
    static String fields(SnapshotCommand.Sub cmd) {
        StringBuilder sb = new StringBuilder(cmd.getClass().getSimpleName()).append(' ')
                .append(cmd.repo.repo).append(' ').append(cmd.repo.endpoint).append(' ').append(cmd.repo.region)
                .append(' ').append(cmd.repo.accessKey).append(' ').append(cmd.repo.secretKey);
        if (cmd instanceof SnapshotCommand.Create c) {
            sb.append(' ').append(c.source).append(' ').append(c.tags).append(' ').append(c.json);
        } else if (cmd instanceof SnapshotCommand.Restore r) {
            sb.append(' ').append(r.id).append(' ').append(r.target);
        } else if (cmd instanceof SnapshotCommand.ListCmd l) {
            sb.append(' ').append(l.tags).append(' ').append(l.json);
        } else if (cmd instanceof SnapshotCommand.Diff d) {
            sb.append(' ').append(d.a).append(' ').append(d.b);
        }
        return sb.toString();
    }

    static String picocli(String... args) {
        SnapshotCommand.Sub sub = AgentMain.subcommand(args[0]);
        new CommandLine(sub).parseArgs(java.util.Arrays.copyOfRange(args, 1, args.length));
        return fields(sub);
    }

    @Test
    void wellFormedCommandLinesParseAsPicocliParsesThem() {
        List<String[]> lines = List.of(
                new String[] {"create", "--repo", "/r", "--source", "/src", "--tag", "run=1", "--tag", "step=a", "--json"},
                new String[] {"create", "--json", "--source", "/src", "--repo", "s3://b/p", "--s3-endpoint", "http://x:9000",
                    "--s3-region", "eu", "--s3-access-key", "k", "--s3-secret-key", "s"},
                new String[] {"restore", "--repo", "/r", "--id", "ab12", "--target", "/t"},
                new String[] {"list", "--repo", "/r", "--tag", "run=1", "--json"},
                new String[] {"diff", "--repo", "/r", "ab", "cd"},
                new String[] {"verify", "--repo", "/r"},
                new String[] {"gc", "--repo", "/r"});
        for (String[] line : lines) {
            SnapshotCommand.Sub fast = AgentMain.FastArgs.parse(line);
            assertThat(fast).as(String.join(" ", line)).isNotNull();
            assertThat(fields(fast)).as(String.join(" ", line)).isEqualTo(picocli(line));
        }
    }

    @Test
    void anythingElseIsLeftToPicocli() {
        for (String[] line : List.of(
                new String[] {"create", "--repo", "/r"},                          // missing --source
                new String[] {"create", "--repo=/r", "--source", "/s"},           // = form
                new String[] {"create", "--repo", "/r", "--repo", "/q", "--source", "/s"}, // repeated
                new String[] {"restore", "--repo", "/r", "--id"},                 // missing value
                new String[] {"diff", "--repo", "/r", "ab"},                      // one id
                new String[] {"verify", "--repo", "/r", "--help"},
                new String[] {"frobnicate", "--repo", "/r"})) {
            assertThat(AgentMain.FastArgs.parse(line)).as(String.join(" ", line)).isNull();
        }
    }
}
