package dev.kale4j.cli.cluster;

import dev.kale4j.cluster.submit.ArgoRuns;
import dev.kale4j.cluster.submit.RunStatus;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code kale4j runs list|get|logs|delete}: kale4j's Argo Workflow runs on the cluster. */
@Command(name = "runs", mixinStandardHelpOptions = true,
        description = "List, inspect, read the logs of and delete pipeline runs on the cluster (Argo Workflows).",
        subcommands = {RunsCommand.ListRuns.class, RunsCommand.GetRun.class, RunsCommand.Logs.class,
                RunsCommand.Delete.class})
public final class RunsCommand implements Runnable {
    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "kale4j runs in the namespace, newest first.")
    static final class ListRuns implements Callable<Integer> {
        @Spec
        picocli.CommandLine.Model.CommandSpec spec;
        @Mixin
        ClusterOptions cluster;

        @Override
        public Integer call() {
            PrintWriter out = spec.commandLine().getOut();
            try (KubernetesClient client = cluster.client()) {
                var runs = new ArgoRuns(client).list(cluster.namespace(client));
                out.printf("%-40s %-24s %-10s %s%n", "NAME", "PIPELINE", "PHASE", "STARTED");
                for (RunStatus r : runs) {
                    out.printf("%-40s %-24s %-10s %s%n", r.name(), r.pipeline(), r.phase(),
                            r.startedAt() == null ? "" : r.startedAt());
                }
                return 0;
            }
        }
    }

    @Command(name = "get", mixinStandardHelpOptions = true,
            description = "A run's phase and, per step, its phase, metrics and workspace snapshot.")
    static final class GetRun implements Callable<Integer> {
        @Spec
        picocli.CommandLine.Model.CommandSpec spec;
        @Mixin
        ClusterOptions cluster;
        @Parameters(index = "0", paramLabel = "RUN")
        String name;

        @Override
        public Integer call() {
            PrintWriter out = spec.commandLine().getOut();
            try (KubernetesClient client = cluster.client()) {
                RunStatus r = new ArgoRuns(client).get(name, cluster.namespace(client));
                out.println(r.name() + " (" + r.pipeline() + "): " + r.phase()
                        + (r.message() == null || r.message().isBlank() ? "" : " - " + r.message()));
                for (RunStatus.StepStatus s : r.steps()) {
                    out.println("  " + s.step() + ": " + s.phase()
                            + (s.metrics() == null ? "" : "  metrics " + s.metrics())
                            + (s.snapshot() == null ? "" : "  " + s.snapshot())
                            + (s.message() == null || s.message().isBlank() ? "" : "  (" + s.message() + ")"));
                }
                return 0;
            }
        }
    }

    @Command(name = "logs", mixinStandardHelpOptions = true, description = "The output of a run's step containers.")
    static final class Logs implements Callable<Integer> {
        @Spec
        picocli.CommandLine.Model.CommandSpec spec;
        @Mixin
        ClusterOptions cluster;
        @Parameters(index = "0", paramLabel = "RUN")
        String name;
        @Option(names = "--step", paramLabel = "STEP", description = "Only this step.")
        String step;

        @Override
        public Integer call() {
            try (KubernetesClient client = cluster.client()) {
                spec.commandLine().getOut().print(new ArgoRuns(client).logs(name, cluster.namespace(client), step));
                return 0;
            }
        }
    }

    @Command(name = "delete", mixinStandardHelpOptions = true, description = "Delete a run and its pods.")
    static final class Delete implements Callable<Integer> {
        @Spec
        picocli.CommandLine.Model.CommandSpec spec;
        @Mixin
        ClusterOptions cluster;
        @Parameters(index = "0", paramLabel = "RUN")
        String name;

        @Override
        public Integer call() {
            try (KubernetesClient client = cluster.client()) {
                String ns = cluster.namespace(client);
                new ArgoRuns(client).delete(name, ns);
                spec.commandLine().getOut().println("deleted Workflow " + name + " in namespace " + ns);
                return 0;
            }
        }
    }
}
