package dev.kale4j.snapshot.cli;

import com.fasterxml.jackson.core.JsonGenerator;
import dev.kale4j.snapshot.manifest.Json;
import dev.kale4j.common.UserError;
import dev.kale4j.snapshot.DiffEntry;
import dev.kale4j.snapshot.SnapshotInfo;
import dev.kale4j.snapshot.SnapshotRepository;
import dev.kale4j.snapshot.store.S3Settings;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * {@code kale4j snapshot ...}: create, restore, list, diff, verify, forget and gc snapshots of a directory.
 * The same class is the root command of the standalone agent jar ({@link AgentMain}).
 */
@Command(name = "snapshot", mixinStandardHelpOptions = true,
        description = "Version a directory in a deduplicated snapshot repository (a directory or s3://bucket/prefix).",
        subcommands = {
                SnapshotCommand.Init.class, SnapshotCommand.Create.class, SnapshotCommand.Restore.class,
                SnapshotCommand.ListCmd.class, SnapshotCommand.Diff.class, SnapshotCommand.Verify.class,
                SnapshotCommand.Forget.class, SnapshotCommand.Gc.class, CsiCommand.class,
        })
public final class SnapshotCommand implements Runnable {
    /** The JSON form of a snapshot summary printed by {@code create --json} and {@code list --json}. */
    static void write(JsonGenerator g, SnapshotInfo s) throws java.io.IOException {
        g.writeStartObject();
        g.writeStringField("id", s.id());
        g.writeStringField("time", s.time());
        g.writeStringField("host", s.host());
        g.writeStringField("source", s.source());
        Json.stringMap(g, "tags", new java.util.TreeMap<>(s.tags()));
        g.writeStringField("parent", s.parent());
        g.writeNumberField("files", s.files());
        g.writeNumberField("totalBytes", s.totalBytes());
        g.writeNumberField("addedBytes", s.addedBytes());
        g.writeNumberField("addedRawBytes", s.addedRawBytes());
        g.writeNumberField("reusedFiles", s.reusedFiles());
        g.writeNumberField("durationMillis", s.durationMillis());
        g.writeEndObject();
    }

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /** Options every subcommand takes: where the repository is. */
    static final class RepoOptions {
        @Option(names = "--repo", required = true, paramLabel = "REPO",
                description = "Repository: a directory, or s3://bucket/prefix.")
        String repo;

        @Option(names = "--s3-endpoint", paramLabel = "URL",
                description = "S3 endpoint (default: $AWS_ENDPOINT_URL_S3, $AWS_ENDPOINT_URL, else AWS).")
        String endpoint;

        @Option(names = "--s3-region", paramLabel = "REGION", description = "S3 region (default: $AWS_REGION or us-east-1).")
        String region;

        @Option(names = "--s3-access-key", paramLabel = "KEY", description = "Default: $AWS_ACCESS_KEY_ID.")
        String accessKey;

        @Option(names = "--s3-secret-key", paramLabel = "SECRET",
                description = "Default: $AWS_SECRET_ACCESS_KEY (prefer the variable: flags show up in ps).")
        String secretKey;

        SnapshotRepository open() {
            return SnapshotRepository.open(repo, S3Settings.fromEnvironment().override(endpoint, region, accessKey,
                    secretKey));
        }
    }

    abstract static class Sub implements Callable<Integer> {
        @Mixin
        RepoOptions repo;

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        /** Set instead of {@link #spec} when {@link AgentMain}'s fast path runs the command without picocli. */
        PrintWriter out;

        PrintWriter out() {
            return out != null ? out : spec.commandLine().getOut();
        }

        @Override
        public Integer call() throws Exception {
            try (SnapshotRepository r = repo.open()) {
                return run(r);
            }
        }

        abstract int run(SnapshotRepository r) throws Exception;
    }

    @Command(name = "init", mixinStandardHelpOptions = true,
            description = "Create an empty repository (optional: create makes one on first use).")
    static final class Init extends Sub {
        @Override
        int run(SnapshotRepository r) {
            if (r.init()) {
                out().println("created snapshot repository " + r.location());
            } else {
                out().println("snapshot repository " + r.location() + " already exists; nothing changed");
            }
            out().flush();
            return 0;
        }
    }

    @Command(name = "create", mixinStandardHelpOptions = true, description = "Snapshot a directory.")
    static final class Create extends Sub {
        @Option(names = "--source", required = true, paramLabel = "DIR", description = "Directory to snapshot.")
        Path source;

        @Option(names = "--tag", paramLabel = "KEY=VALUE", description = "Tag the snapshot (repeatable), e.g. run=42.")
        Map<String, String> tags = new LinkedHashMap<>();

        @Option(names = "--json", description = "Print the snapshot summary as JSON.")
        boolean json;

        @Override
        int run(SnapshotRepository r) throws Exception {
            for (String k : tags.keySet()) {
                if (k.isBlank()) {
                    throw new UserError("--tag needs KEY=VALUE with a non-empty KEY");
                }
            }
            SnapshotInfo s = r.create(source, tags);
            if (json) {
                out().println(Json.writePretty(g -> write(g, s)));
            } else {
                out().println("snapshot " + s.shortId() + " saved: " + s.files() + " files, "
                        + Sizes.human(s.totalBytes()) + ", " + Sizes.human(s.addedBytes()) + " added to "
                        + r.location() + " in " + Sizes.oneDecimal(s.durationMillis() / 1000.0) + " s");
            }
            out().flush();
            return 0;
        }
    }

    @Command(name = "restore", mixinStandardHelpOptions = true,
            description = "Restore a snapshot into a new or empty directory.")
    static final class Restore extends Sub {
        @Option(names = "--id", required = true, paramLabel = "ID", description = "Snapshot id or unique prefix.")
        String id;

        @Option(names = "--target", required = true, paramLabel = "DIR", description = "New or empty directory.")
        Path target;

        @Override
        int run(SnapshotRepository r) {
            long t0 = System.nanoTime();
            SnapshotInfo s = r.get(id);
            r.restore(s.id(), target);
            out().println("restored snapshot " + s.shortId() + " (" + s.files() + " files, "
                    + Sizes.human(s.totalBytes()) + ") to " + target.toAbsolutePath().normalize() + " in "
                    + Sizes.oneDecimal((System.nanoTime() - t0) / 1e9) + " s");
            return 0;
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "List snapshots, newest first.")
    static final class ListCmd extends Sub {
        @Option(names = "--json", description = "Print a JSON array.")
        boolean json;

        @Option(names = "--tag", paramLabel = "KEY=VALUE", description = "Only snapshots with this tag (repeatable).")
        Map<String, String> tags = new LinkedHashMap<>();

        @Override
        int run(SnapshotRepository r) throws Exception {
            List<SnapshotInfo> all = tags.isEmpty() ? r.list() : r.find(tags);
            if (json) {
                out().println(Json.writePretty(g -> {
                    g.writeStartArray();
                    for (SnapshotInfo s : all) {
                        write(g, s);
                    }
                    g.writeEndArray();
                }));
                return 0;
            }
            out().printf("%-12s  %-24s  %7s  %10s  %10s  %s%n", "ID", "TIME", "FILES", "SIZE", "ADDED", "TAGS");
            for (SnapshotInfo s : all) {
                out().printf("%-12s  %-24s  %7d  %10s  %10s  %s%n", s.shortId(), s.time(), s.files(),
                        Sizes.human(s.totalBytes()), Sizes.human(s.addedBytes()), Sizes.tags(s.tags()));
            }
            return 0;
        }
    }

    @Command(name = "diff", mixinStandardHelpOptions = true,
            description = "Show what changed between two snapshots (+ added, - removed, M content, T metadata).")
    static final class Diff extends Sub {
        @Parameters(index = "0", paramLabel = "ID1")
        String a;

        @Parameters(index = "1", paramLabel = "ID2")
        String b;

        @Override
        int run(SnapshotRepository r) {
            List<DiffEntry> d = r.diff(a, b);
            d.forEach(e -> out().println(e));
            out().printf("%d difference(s)%n", d.size());
            return 0;
        }
    }

    @Command(name = "verify", mixinStandardHelpOptions = true,
            description = "Re-read and re-hash every chunk; exit 2 if anything is damaged or missing.")
    static final class Verify extends Sub {
        @Override
        int run(SnapshotRepository r) {
            SnapshotRepository.VerifyResult v = r.verify();
            v.notes().forEach(n -> out().println("note: " + n));
            if (!v.ok()) {
                throw new UserError("repository " + r.location() + " is damaged:\n  " + String.join("\n  ", v.errors())
                        + "\nsnapshots that need the damaged data cannot be restored exactly; forget them and run gc");
            }
            out().printf("repository %s is intact: %d snapshots, %d packs, %d chunks, %s checked%n", r.location(),
                    v.snapshots(), v.packs(), v.chunks(), Sizes.human(v.bytes()));
            return 0;
        }
    }

    @Command(name = "forget", mixinStandardHelpOptions = true,
            description = "Remove a snapshot; run gc afterwards to reclaim its space.")
    static final class Forget extends Sub {
        @Option(names = "--id", required = true, paramLabel = "ID", description = "Snapshot id or unique prefix.")
        String id;

        @Override
        int run(SnapshotRepository r) {
            SnapshotInfo s = r.get(id);
            r.forget(s.id());
            out().printf("forgot snapshot %s; run `kale4j snapshot gc --repo %s` to reclaim space%n", s.shortId(),
                    r.location());
            return 0;
        }
    }

    @Command(name = "gc", mixinStandardHelpOptions = true, description = "Delete data no snapshot needs.")
    static final class Gc extends Sub {
        @Override
        int run(SnapshotRepository r) {
            SnapshotRepository.GcResult g = r.gc();
            out().printf("gc: %d pack(s) deleted, %d rewritten; packs %s -> %s%n", g.packsDeleted(),
                    g.packsRewritten(), Sizes.human(g.bytesBefore()), Sizes.human(g.bytesAfter()));
            return 0;
        }
    }
}
