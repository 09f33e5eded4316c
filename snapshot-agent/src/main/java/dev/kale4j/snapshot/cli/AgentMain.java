package dev.kale4j.snapshot.cli;

import dev.kale4j.common.UserError;
import dev.kale4j.snapshot.Hash;
import dev.kale4j.snapshot.manifest.Json;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * Entry point of the standalone agent jar used in step containers:
 * {@code java -jar kale4j-snapshot-agent-standalone.jar create --repo s3://bucket/run --source /workspace}.
 * Same commands and exit codes as {@code kale4j snapshot}: 0 ok, 2 bad input (message only, no stack trace).
 */
public final class AgentMain {
    private AgentMain() {
    }

    public static void main(String[] args) {
        Thread warmUp = new Thread(AgentMain::warmUp, "kale4j-warm-up");
        warmUp.setDaemon(true);
        warmUp.start();
        System.exit(execute(args));
    }

    /**
     * Runs on a spare core while the main thread parses the command line and opens the repository: the first JSON
     * parse (Jackson's set-up, ~10 ms, which the main thread's config read then skips), the JCA providers' set-up
     * (~20 ms), and twenty SHA-256 hashes, which get SHA-256's two intrinsic entry points (whose thresholds
     * SnapshotAgentJvm lowers) compiled by C2 before the first chunk is hashed, instead of after ~30 ms of hashing
     * in Java code. A 256 MiB first snapshot: 6% faster than with only the hashes (bench/RESULTS.md, snapshot run 9).
     */
    private static void warmUp() {
        try (var p = Json.parser("{\"version\":2}".getBytes(StandardCharsets.US_ASCII))) {
            Json.readObject(p, (name, q) -> q.getLongValue());
        } catch (java.io.IOException | RuntimeException ignored) {
            // only a warm-up
        }
        byte[] block = new byte[64];
        for (int i = 0; i < 20; i++) {
            Hash.of(block);
        }
    }

    public static int execute(String... args) {
        // Start-up matters for a per-step agent. A well-formed command line is parsed by hand: picocli is
        // compiled for Java 5, so its classes cannot go into an AppCDS archive, and building its command model
        // cost ~90 ms of a ~0.5 s incremental snapshot (measured with -Xlog:class+load and JFR). Anything
        // else (help, version, unknown or repeated options, missing values) goes to picocli, so messages and
        // exit codes are picocli's exactly.
        SnapshotCommand.Sub fast = FastArgs.parse(args);
        if (fast != null) {
            PrintWriter out = new PrintWriter(System.out, true);
            fast.out = out;
            try {
                return fast.call();
            } catch (Exception ex) {
                UserError u = userError(ex);
                if (u == null) {
                    ex.printStackTrace();
                    return 1;
                }
                System.err.println("kale4j snapshot: " + u.getMessage());
                return UserError.EXIT_CODE;
            } finally {
                out.flush();
            }
        }
        // Build only the requested subcommand's model (picocli builds every subcommand's otherwise).
        Object sub = args.length == 0 ? null : subcommand(args[0]);
        CommandLine cli = sub == null ? new CommandLine(new SnapshotCommand()) : new CommandLine(sub);
        if (sub != null) {
            args = java.util.Arrays.copyOfRange(args, 1, args.length);
        }
        cli.setExecutionExceptionHandler((ex, commandLine, parseResult) -> {
            UserError u = userError(ex);
            if (u == null) {
                throw ex;
            }
            commandLine.getErr().println("kale4j snapshot: " + u.getMessage());
            return UserError.EXIT_CODE;
        });
        return cli.execute(args);
    }

    /** A new subcommand object for its name, or null for an unknown name. */
    static SnapshotCommand.Sub subcommand(String name) {
        return switch (name) {
            case "init" -> new SnapshotCommand.Init();
            case "create" -> new SnapshotCommand.Create();
            case "restore" -> new SnapshotCommand.Restore();
            case "list" -> new SnapshotCommand.ListCmd();
            case "diff" -> new SnapshotCommand.Diff();
            case "verify" -> new SnapshotCommand.Verify();
            case "forget" -> new SnapshotCommand.Forget();
            case "gc" -> new SnapshotCommand.Gc();
            default -> null;
        };
    }

    /** The user error behind an exception (a bad repository, a damaged pack...), if it is one. */
    private static UserError userError(Throwable ex) {
        for (Throwable c = ex; c != null; c = c.getCause()) {
            if (c instanceof UserError u) {
                return u;
            }
        }
        return null;
    }

    /** The hand parser of the fast path: returns null for anything it does not fully understand. */
    static final class FastArgs {
        private FastArgs() {
        }

        static SnapshotCommand.Sub parse(String[] args) {
            if (args.length == 0) {
                return null;
            }
            SnapshotCommand.Sub cmd = subcommand(args[0]);
            if (cmd == null) {
                return null;
            }
            SnapshotCommand.RepoOptions repo = new SnapshotCommand.RepoOptions();
            cmd.repo = repo;
            java.util.Set<String> seen = new java.util.HashSet<>();
            java.util.List<String> positional = new java.util.ArrayList<>();
            for (int i = 1; i < args.length; i++) {
                String a = args[i];
                if (!a.startsWith("-")) {
                    positional.add(a);
                    continue;
                }
                if (a.indexOf('=') >= 0) {
                    return null; // --opt=value forms: picocli
                }
                boolean flag = a.equals("--json");
                String v = null;
                if (!flag) {
                    if (i + 1 >= args.length || args[i + 1].startsWith("-")) {
                        return null;
                    }
                    v = args[++i];
                }
                if (!a.equals("--tag") && !seen.add(a)) {
                    return null;
                }
                switch (a) {
                    case "--repo" -> repo.repo = v;
                    case "--s3-endpoint" -> repo.endpoint = v;
                    case "--s3-region" -> repo.region = v;
                    case "--s3-access-key" -> repo.accessKey = v;
                    case "--s3-secret-key" -> repo.secretKey = v;
                    default -> {
                        if (!option(cmd, a, v)) {
                            return null;
                        }
                    }
                }
            }
            if (repo.repo == null) {
                return null;
            }
            if (cmd instanceof SnapshotCommand.Diff d) {
                if (positional.size() != 2) {
                    return null;
                }
                d.a = positional.get(0);
                d.b = positional.get(1);
            } else if (!positional.isEmpty()) {
                return null;
            }
            return complete(cmd) ? cmd : null;
        }

        private static boolean option(SnapshotCommand.Sub cmd, String name, String v) {
            if (cmd instanceof SnapshotCommand.Create c) {
                switch (name) {
                    case "--source" -> c.source = Path.of(v);
                    case "--json" -> c.json = true;
                    case "--tag" -> {
                        return tag(c.tags, v);
                    }
                    default -> {
                        return false;
                    }
                }
                return true;
            }
            if (cmd instanceof SnapshotCommand.ListCmd l) {
                switch (name) {
                    case "--json" -> l.json = true;
                    case "--tag" -> {
                        return tag(l.tags, v);
                    }
                    default -> {
                        return false;
                    }
                }
                return true;
            }
            if (cmd instanceof SnapshotCommand.Restore r) {
                switch (name) {
                    case "--id" -> r.id = v;
                    case "--target" -> r.target = Path.of(v);
                    default -> {
                        return false;
                    }
                }
                return true;
            }
            if (cmd instanceof SnapshotCommand.Forget f && name.equals("--id")) {
                f.id = v;
                return true;
            }
            return false;
        }

        private static boolean tag(java.util.Map<String, String> tags, String v) {
            int eq = v.indexOf('=');
            if (eq < 0) {
                return false;
            }
            tags.put(v.substring(0, eq), v.substring(eq + 1));
            return true;
        }

        private static boolean complete(SnapshotCommand.Sub cmd) {
            if (cmd instanceof SnapshotCommand.Create c) {
                return c.source != null;
            }
            if (cmd instanceof SnapshotCommand.Restore r) {
                return r.id != null && r.target != null;
            }
            if (cmd instanceof SnapshotCommand.Forget f) {
                return f.id != null;
            }
            return true;
        }
    }
}
