package dev.kale4j.snapshot.cli;

import dev.kale4j.common.UserError;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.PrintWriter;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * {@code kale4j snapshot csi ...}: storage-level snapshots of a PVC through the CSI VolumeSnapshot API. The
 * cluster comes from the usual fabric8 sources: {@code KUBECONFIG} / {@code ~/.kube/config}, or the pod's
 * service account inside a cluster.
 *
 * <p>No fabric8 type appears in these classes: the standalone agent jar leaves fabric8 out, and picocli
 * loads every subcommand class. The Kubernetes work is in {@link CsiActions}, loaded only when run.
 */
@Command(name = "csi", mixinStandardHelpOptions = true,
        description = "Kubernetes CSI VolumeSnapshots of a PersistentVolumeClaim.",
        subcommands = {CsiCommand.Create.class, CsiCommand.Restore.class})
public final class CsiCommand implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    abstract static class Sub implements Callable<Integer> {
        @Option(names = {"-n", "--namespace"}, required = true, paramLabel = "NS", description = "Namespace.")
        String namespace;

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() {
            try {
                run(spec.commandLine().getOut());
                return 0;
            } catch (NoClassDefFoundError missing) {
                throw new UserError("CSI mode is part of the kale4j CLI, not of the standalone snapshot agent; "
                        + "run it with `kale4j snapshot csi ...`");
            }
        }

        abstract void run(PrintWriter out);
    }

    @Command(name = "create", mixinStandardHelpOptions = true, description = "Snapshot a PVC.")
    static final class Create extends Sub {
        @Option(names = "--pvc", required = true, paramLabel = "CLAIM", description = "PersistentVolumeClaim to snapshot.")
        String pvc;

        @Option(names = "--name", paramLabel = "NAME",
                description = "Snapshot name (default: kale4j-RUN-STEP from the run and step tags, else kale4j-CLAIM).")
        String name;

        @Option(names = "--class", paramLabel = "CLASS", description = "VolumeSnapshotClass (default: the cluster's).")
        String snapshotClass;

        @Option(names = "--tag", paramLabel = "KEY=VALUE", description = "Label kale4j.dev/KEY=VALUE (repeatable).")
        Map<String, String> tags = new LinkedHashMap<>();

        @Option(names = "--wait", paramLabel = "SECONDS", description = "Wait until ready to use (default 0: do not wait).")
        long waitSeconds;

        @Override
        void run(PrintWriter out) {
            CsiActions.create(namespace, pvc, name, snapshotClass, tags, waitSeconds, out);
        }
    }

    @Command(name = "restore", mixinStandardHelpOptions = true,
            description = "Create a new PVC whose dataSource is the snapshot.")
    static final class Restore extends Sub {
        @Option(names = "--snapshot", required = true, paramLabel = "NAME", description = "VolumeSnapshot name.")
        String snapshot;

        @Option(names = "--claim", required = true, paramLabel = "NEW_CLAIM", description = "Name of the PVC to create.")
        String claim;

        @Option(names = "--storage-class", paramLabel = "CLASS", description = "Default: the snapshotted claim's.")
        String storageClass;

        @Override
        void run(PrintWriter out) {
            CsiActions.restore(namespace, snapshot, claim, storageClass, out);
        }
    }
}
