package dev.kale4j.snapshot.csi;

import dev.kale4j.common.UserError;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaimBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.volumesnapshot.api.model.VolumeSnapshot;
import io.fabric8.volumesnapshot.api.model.VolumeSnapshotBuilder;
import io.fabric8.volumesnapshot.client.VolumeSnapshotClient;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * CSI mode: version a step's volume with the storage system's own snapshots instead of copying its files.
 * Creates {@code snapshot.storage.k8s.io/v1} {@code VolumeSnapshot} objects for a PVC and restores one by
 * creating a new PVC whose {@code dataSource} names the snapshot; the CSI driver does the copying.
 *
 * <pre>{@code
 * CsiSnapshots csi = new CsiSnapshots(kubernetesClient);
 * VolumeSnapshot vs = csi.snapshot("team-a", "run-42-workspace", CsiSnapshots.name("42", "train"),
 *         "csi-hostpath-snapclass", Map.of("run", "42", "step", "train"));
 * csi.awaitReady("team-a", vs.getMetadata().getName(), Duration.ofMinutes(5));
 * csi.restore("team-a", vs.getMetadata().getName(), "run-42-train-restored", null);   // a new PVC
 * }</pre>
 *
 * Tags become labels {@code kale4j.dev/<key>} so {@link #find} can select them.
 */
public final class CsiSnapshots {
    public static final String GROUP = "snapshot.storage.k8s.io";
    public static final String LABEL_PREFIX = "kale4j.dev/";

    private final KubernetesClient client;
    private final VolumeSnapshotClient snapshots;

    public CsiSnapshots(KubernetesClient client) {
        this.client = client;
        this.snapshots = client.adapt(VolumeSnapshotClient.class);
    }

    /** A valid object name (DNS-1123 subdomain, at most 253 characters) for a run's step snapshot. */
    public static String name(String run, String step) {
        String n = ("kale4j-" + run + "-" + step).toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9.-]+", "-")
                .replaceAll("^[^a-z0-9]+|[^a-z0-9]+$", "");
        return n.length() > 253 ? n.substring(0, 253).replaceAll("[^a-z0-9]+$", "") : n;
    }

    /** A label value: at most 63 alphanumerics, '-', '_' or '.', starting and ending alphanumeric. */
    static String labelValue(String v) {
        String s = v.replaceAll("[^A-Za-z0-9_.-]+", "-");
        if (s.length() > 63) {
            s = s.substring(0, 63);
        }
        return s.replaceAll("^[^A-Za-z0-9]+|[^A-Za-z0-9]+$", "");
    }

    /** The VolumeSnapshot {@link #snapshot} would create, without creating it. */
    public VolumeSnapshot build(String namespace, String pvc, String snapshotName, String snapshotClass,
                                Map<String, String> tags) {
        Map<String, String> labels = new LinkedHashMap<>();
        labels.put("app.kubernetes.io/managed-by", "kale4j");
        tags.forEach((k, v) -> labels.put(LABEL_PREFIX + k, labelValue(v)));
        // A blank class would violate the CRD ("must not be the empty string when set"): leave it unset instead.
        String cls = snapshotClass == null || snapshotClass.isBlank() ? null : snapshotClass;
        return new VolumeSnapshotBuilder()
                .withNewMetadata().withName(snapshotName).withNamespace(namespace).withLabels(labels).endMetadata()
                .withNewSpec().withNewSource().withPersistentVolumeClaimName(pvc).endSource()
                .withVolumeSnapshotClassName(cls).endSpec()
                .build();
    }

    /** Creates a snapshot of PVC {@code pvc}; {@code snapshotClass} may be null for the cluster default. */
    public VolumeSnapshot snapshot(String namespace, String pvc, String snapshotName, String snapshotClass,
                                   Map<String, String> tags) {
        if (client.persistentVolumeClaims().inNamespace(namespace).withName(pvc).get() == null) {
            throw new UserError("PersistentVolumeClaim " + namespace + "/" + pvc + " does not exist; snapshot the "
                    + "claim the step mounts as its workspace");
        }
        try {
            return snapshots.volumeSnapshots().inNamespace(namespace)
                    .resource(build(namespace, pvc, snapshotName, snapshotClass, tags)).create();
        } catch (KubernetesClientException e) {
            if (e.getCode() == 404) {
                throw new UserError("the cluster has no VolumeSnapshot API (" + GROUP + "/v1); install the CSI "
                        + "external-snapshotter CRDs and controller, or use a snapshot repository instead", e);
            }
            if (e.getCode() == 409) {
                throw new UserError("VolumeSnapshot " + namespace + "/" + snapshotName + " already exists", e);
            }
            throw e;
        }
    }

    /** Waits until the snapshot controller reports {@code status.readyToUse}; fails on a snapshot error. */
    public VolumeSnapshot awaitReady(String namespace, String snapshotName, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            VolumeSnapshot vs = get(namespace, snapshotName);
            if (vs.getStatus() != null) {
                if (vs.getStatus().getError() != null && vs.getStatus().getError().getMessage() != null) {
                    throw new UserError("VolumeSnapshot " + namespace + "/" + snapshotName + " failed: "
                            + vs.getStatus().getError().getMessage());
                }
                if (Boolean.TRUE.equals(vs.getStatus().getReadyToUse())) {
                    return vs;
                }
            }
            if (System.nanoTime() > deadline) {
                throw new UserError("VolumeSnapshot " + namespace + "/" + snapshotName + " is not ready after "
                        + timeout.toSeconds() + " s; check `kubectl describe volumesnapshot -n " + namespace + " "
                        + snapshotName + "`");
            }
            try {
                TimeUnit.MILLISECONDS.sleep(200);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new UserError("interrupted while waiting for VolumeSnapshot " + snapshotName);
            }
        }
    }

    public VolumeSnapshot get(String namespace, String snapshotName) {
        VolumeSnapshot vs = snapshots.volumeSnapshots().inNamespace(namespace).withName(snapshotName).get();
        if (vs == null) {
            throw new UserError("VolumeSnapshot " + namespace + "/" + snapshotName + " does not exist; list them "
                    + "with `kubectl get volumesnapshots -n " + namespace + "`");
        }
        return vs;
    }

    /** Snapshots in {@code namespace} carrying all the given kale4j tags. */
    public List<VolumeSnapshot> find(String namespace, Map<String, String> tags) {
        Map<String, String> labels = new LinkedHashMap<>();
        tags.forEach((k, v) -> labels.put(LABEL_PREFIX + k, labelValue(v)));
        return snapshots.volumeSnapshots().inNamespace(namespace).withLabels(labels).list().getItems();
    }

    /**
     * The PVC that restores {@code snapshotName}: same storage class and access modes as the snapshotted claim
     * (unless {@code storageClass} is given), size from the snapshot's {@code restoreSize} or else the source
     * claim's request, and {@code dataSource} pointing at the snapshot.
     */
    public PersistentVolumeClaim restoreClaim(String namespace, String snapshotName, String newClaim,
                                              String storageClass) {
        VolumeSnapshot vs = get(namespace, snapshotName);
        String sourcePvc = vs.getSpec().getSource().getPersistentVolumeClaimName();
        PersistentVolumeClaim source = sourcePvc == null ? null
                : client.persistentVolumeClaims().inNamespace(namespace).withName(sourcePvc).get();
        Quantity size = vs.getStatus() != null && vs.getStatus().getRestoreSize() != null
                ? vs.getStatus().getRestoreSize()
                : source != null ? source.getSpec().getResources().getRequests().get("storage") : null;
        if (size == null) {
            throw new UserError("cannot tell the size for restoring VolumeSnapshot " + namespace + "/"
                    + snapshotName + ": it has no status.restoreSize and its source claim is gone");
        }
        String sc = storageClass != null ? storageClass : source != null ? source.getSpec().getStorageClassName() : null;
        List<String> modes = source != null ? source.getSpec().getAccessModes() : List.of("ReadWriteOnce");
        Map<String, String> labels = new LinkedHashMap<>();
        if (vs.getMetadata().getLabels() != null) {
            labels.putAll(vs.getMetadata().getLabels());
        }
        return new PersistentVolumeClaimBuilder()
                .withNewMetadata().withName(newClaim).withNamespace(namespace).withLabels(labels).endMetadata()
                .withNewSpec()
                .withStorageClassName(sc)
                .withAccessModes(modes)
                .withNewResources().addToRequests("storage", size).endResources()
                .withNewDataSource().withApiGroup(GROUP).withKind("VolumeSnapshot").withName(snapshotName)
                .endDataSource()
                .endSpec().build();
    }

    /** Creates the claim from {@link #restoreClaim}; mount it in place of the workspace to get the step's files. */
    public PersistentVolumeClaim restore(String namespace, String snapshotName, String newClaim, String storageClass) {
        return client.persistentVolumeClaims().inNamespace(namespace)
                .resource(restoreClaim(namespace, snapshotName, newClaim, storageClass)).create();
    }
}
