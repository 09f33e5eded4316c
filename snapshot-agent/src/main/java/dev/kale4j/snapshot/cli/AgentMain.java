package dev.kale4j.snapshot.cli;

import dev.kale4j.common.UserError;
import picocli.CommandLine;

/**
 * Entry point of the standalone agent jar used in step containers:
 * {@code java -jar kale4j-snapshot-agent-standalone.jar create --repo s3://bucket/run --source /workspace}.
 * Same commands and exit codes as {@code kale4j snapshot}: 0 ok, 2 bad input (message only, no stack trace).
 */
public final class AgentMain {
    private AgentMain() {
    }

    public static void main(String[] args) {
        System.exit(execute(args));
    }

    public static int execute(String... args) {
        CommandLine cli = new CommandLine(new SnapshotCommand());
        cli.setExecutionExceptionHandler((ex, commandLine, parseResult) -> {
            for (Throwable c = ex; c != null; c = c.getCause()) {
                if (c instanceof UserError u) {
                    commandLine.getErr().println("kale4j snapshot: " + u.getMessage());
                    return UserError.EXIT_CODE;
                }
            }
            throw ex;
        });
        return cli.execute(args);
    }
}
