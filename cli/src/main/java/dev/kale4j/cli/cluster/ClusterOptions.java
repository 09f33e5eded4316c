package dev.kale4j.cli.cluster;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import picocli.CommandLine.Option;

/** Where the cluster is: the kubeconfig's current context, or the pod's service account inside a cluster. */
public final class ClusterOptions {
    @Option(names = {"-n", "--namespace"}, paramLabel = "NS",
            description = "Namespace (default: the kubeconfig context's namespace, else default).")
    String namespace;

    /** A client from the kubeconfig ($KUBECONFIG, ~/.kube/config) or the in-cluster service account. */
    KubernetesClient client() {
        // fabric8 warns that argoproj.io/v1alpha1 is an "unstable version" on every call: not news to the user.
        System.setProperty("org.slf4j.simpleLogger.log.io.fabric8.kubernetes.client.dsl.internal.VersionUsageUtils",
                "error");
        return new KubernetesClientBuilder().build();
    }

    String namespace(KubernetesClient client) {
        if (namespace != null) {
            return namespace;
        }
        String ns = client.getNamespace();
        return ns == null || ns.isBlank() ? "default" : ns;
    }

    /** The namespace without contacting the cluster (KFP may not need a kubeconfig at all). */
    String namespaceOrConfigured() {
        if (namespace != null) {
            return namespace;
        }
        try {
            return Config.autoConfigure(null).getNamespace();
        } catch (RuntimeException noConfig) {
            return null;
        }
    }
}
