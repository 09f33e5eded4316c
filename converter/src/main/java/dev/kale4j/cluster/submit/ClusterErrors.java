package dev.kale4j.cluster.submit;

import dev.kale4j.common.UserError;
import io.fabric8.kubernetes.api.model.Status;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.io.IOException;
import java.net.ConnectException;
import java.net.UnknownHostException;

/**
 * Turns what a cluster answers into one {@link UserError} that says what happened and what to do (the CLI
 * prints it and exits 2). Shared by the Kubernetes (fabric8) and KFP (HTTP) clients.
 */
public final class ClusterErrors {
    private ClusterErrors() {
    }

    /**
     * @param action   what we tried, e.g. "create Workflow word-stats-"
     * @param resource the custom resource, e.g. "Workflow (argoproj.io/v1alpha1)", for a missing-CRD hint
     * @param install  how to get the resource type, e.g. "install Argo Workflows (docs/cluster.md)"
     * @param apiServer the API server's URL (named when it cannot be reached), may be {@code null}
     */
    public static UserError kubernetes(KubernetesClientException e, String action, String namespace, String resource,
                                       String install, java.net.URL apiServer) {
        int code = e.getCode();
        String server = serverMessage(e);
        return switch (code) {
            case 401 -> new UserError("cannot " + action + ": the cluster rejected the credentials (401 Unauthorized)."
                    + " Log in again (refresh your kubeconfig, e.g. run any kubectl command) or check the service"
                    + " account token" + server);
            case 403 -> new UserError("cannot " + action + " in namespace " + namespace + ": forbidden (403)."
                    + " Grant the kale4j role (kubectl apply -f deploy/rbac.yaml -n " + namespace + ", see"
                    + " docs/cluster.md) or use a namespace you may write to with --namespace" + server);
            case 404 -> notFound(e, action, namespace, resource, install, server);
            case 409 -> new UserError("cannot " + action + ": it already exists in namespace " + namespace
                    + " (409 Conflict). Delete it first or choose another name" + server);
            case 422 -> new UserError("cannot " + action + ": the cluster rejected the object (422 Invalid)" + server);
            default -> {
                if (code <= 0 && unreachable(e)) {
                    yield new UserError("cannot " + action + ": the Kubernetes API server"
                            + (apiServer == null ? "" : " at " + apiServer.toString().replaceAll("/$", ""))
                            + " is unreachable (" + rootMessage(e) + "). Check the current kubeconfig context (kubectl config"
                            + " current-context), the network/VPN, or KUBECONFIG");
                }
                yield new UserError("cannot " + action + ": " + (code > 0 ? "HTTP " + code + server : rootMessage(e)),
                        e);
            }
        };
    }

    private static UserError notFound(KubernetesClientException e, String action, String namespace, String resource,
                                      String install, String server) {
        Status st = e.getStatus();
        String kind = st == null || st.getDetails() == null ? null : st.getDetails().getKind();
        if ("namespaces".equals(kind)) {
            return new UserError("cannot " + action + ": namespace " + namespace + " does not exist. Create it"
                    + " (kubectl create namespace " + namespace + ") or pass --namespace");
        }
        if (kind == null || kind.isEmpty()) {
            // No object kind in the answer: the API path itself is unknown, i.e. the CRD is not installed.
            return new UserError("cannot " + action + ": the cluster has no " + resource + " resource (404): "
                    + install + server);
        }
        return new UserError("cannot " + action + ": not found (404)" + server);
    }

    static boolean unreachable(Throwable e) {
        for (Throwable c = e; c != null; c = c.getCause()) {
            if (c instanceof ConnectException || c instanceof UnknownHostException
                    || c instanceof java.net.http.HttpConnectTimeoutException
                    || (c instanceof IOException && String.valueOf(c.getMessage()).contains("Connection refused"))) {
                return true;
            }
        }
        return false;
    }

    private static String serverMessage(KubernetesClientException e) {
        Status st = e.getStatus();
        return st == null || st.getMessage() == null || st.getMessage().isBlank() ? "" : " (server: " + st.getMessage()
                + ")";
    }

    static String rootMessage(Throwable e) {
        Throwable c = e;
        while (c.getCause() != null) {
            c = c.getCause();
        }
        return c.getClass().getSimpleName() + (c.getMessage() == null ? "" : ": " + c.getMessage());
    }
}
