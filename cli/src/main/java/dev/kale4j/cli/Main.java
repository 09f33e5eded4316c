package dev.kale4j.cli;

import dev.kale4j.common.UserError;
import dev.kale4j.common.Version;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** Entry point of the {@code kale4j} command line. */
@Command(name = "kale4j",
        mixinStandardHelpOptions = true,
        versionProvider = Main.VersionProvider.class,
        description = "Turn tagged Java notebooks into pipelines and run them locally or on Kubernetes.",
        subcommands = {
                CommandLine.HelpCommand.class,
                dev.kale4j.kernel.cli.InstallCommand.class, dev.kale4j.kernel.cli.KernelCommand.class,
                RunCommand.class,
                CompileCommand.class,
                GraphCommand.class,
                RestoreCommand.class,
                dev.kale4j.snapshot.cli.SnapshotCommand.class,
                dev.kale4j.cli.cluster.SubmitCommand.class, dev.kale4j.cli.cluster.RunsCommand.class,
        })
public final class Main implements Runnable {

    public static void main(String[] args) {
        System.exit(execute(args));
    }

    /** Runs the CLI and returns its exit code; tests call this instead of {@link #main}. */
    public static int execute(String... args) {
        return execute(null, null, args);
    }

    /** Runs the CLI writing to the given streams (or the standard ones when {@code null}). */
    public static int execute(java.io.PrintWriter out, java.io.PrintWriter err, String... args) {
        CommandLine cli = new CommandLine(new Main());
        if (out != null) {
            cli.setOut(out);
        }
        if (err != null) {
            cli.setErr(err);
        }
        cli.setExecutionExceptionHandler((ex, commandLine, parseResult) -> {
            UserError userError = findUserError(ex);
            if (userError != null) {
                commandLine.getErr().println("kale4j: " + userError.getMessage());
                return UserError.EXIT_CODE;
            }
            throw ex;
        });
        return cli.execute(args);
    }

    private static UserError findUserError(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof UserError u) {
                return u;
            }
        }
        return null;
    }

    @Override
    public void run() {
        new CommandLine(this).usage(System.out);
    }

    static final class VersionProvider implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"kale4j " + Version.get(), "Java " + Runtime.version()};
        }
    }
}
