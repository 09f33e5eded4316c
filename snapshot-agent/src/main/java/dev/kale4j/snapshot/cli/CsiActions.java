package dev.kale4j.snapshot.cli;

import dev.kale4j.common.UserError;
import dev.kale4j.snapshot.csi.CsiSnapshots;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.volumesnapshot.api.model.VolumeSnapshot;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.Map;
import java.util.function.Function;

/** The fabric8 side of {@link CsiCommand}, kept apart so the command classes load without fabric8. */
final class CsiActions {
    private CsiActions() {
    }

    static void create(String ns, String pvc, String name, String cls, Map<String, String> tags, long waitSeconds,
                       PrintWriter out) {
        String n = name != null ? name
                : tags.containsKey("run") && tags.containsKey("step")
                ? CsiSnapshots.name(tags.get("run"), tags.get("step")) : CsiSnapshots.name(pvc, "snapshot");
        withClient(ns, csi -> {
            VolumeSnapshot vs = csi.snapshot(ns, pvc, n, cls, tags);
            if (waitSeconds > 0) {
                csi.awaitReady(ns, n, Duration.ofSeconds(waitSeconds));
            }
            out.printf("VolumeSnapshot %s/%s created from %s%s%n", ns, vs.getMetadata().getName(), pvc,
                    waitSeconds > 0 ? ", ready to use" : "");
            return null;
        });
    }

    static void restore(String ns, String snapshot, String claim, String storageClass, PrintWriter out) {
        withClient(ns, csi -> {
            PersistentVolumeClaim pvc = csi.restore(ns, snapshot, claim, storageClass);
            out.printf("PersistentVolumeClaim %s/%s created from VolumeSnapshot %s%n", ns,
                    pvc.getMetadata().getName(), snapshot);
            return null;
        });
    }

    private static void withClient(String ns, Function<CsiSnapshots, Void> action) {
        try (KubernetesClient client = new KubernetesClientBuilder().build()) {
            action.apply(new CsiSnapshots(client));
        } catch (KubernetesClientException e) {
            throw new UserError("Kubernetes API error in namespace " + ns + ": " + e.getMessage()
                    + " (check KUBECONFIG or the in-cluster service account)", e);
        }
    }
}
