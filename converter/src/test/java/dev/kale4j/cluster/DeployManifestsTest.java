package dev.kale4j.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** deploy/rbac.yaml grants what compiled workflows and the submit/runs commands use. */
class DeployManifestsTest {
    static List<HasMetadata> load(String file) throws Exception {
        try (InputStream in = Files.newInputStream(Path.of("..", "deploy", file))) {
            Object o = Serialization.unmarshal(in);
            return o instanceof List<?> l ? l.stream().map(HasMetadata.class::cast).toList() : List.of((HasMetadata) o);
        }
    }

    static boolean allows(Role role, String group, String resource, String verb) {
        for (PolicyRule r : role.getRules()) {
            if (r.getApiGroups().contains(group) && r.getResources().contains(resource) && r.getVerbs().contains(verb)) {
                return true;
            }
        }
        return false;
    }

    static Role role(List<HasMetadata> docs, String name) {
        return docs.stream().filter(d -> d instanceof Role && d.getMetadata().getName().equals(name)).map(Role.class::cast)
                .findFirst().orElseThrow();
    }

    @Test
    void theRunnerAndSubmitterRolesCoverWhatKale4jDoes() throws Exception {
        List<HasMetadata> docs = load("rbac.yaml");
        assertThat(docs).extracting(HasMetadata::getKind)
                .containsExactly("ServiceAccount", "Role", "RoleBinding", "Role", "RoleBinding");
        Role runner = role(docs, "kale4j-runner");
        assertThat(allows(runner, "argoproj.io", "workflowtaskresults", "create")).isTrue();
        assertThat(allows(runner, "snapshot.storage.k8s.io", "volumesnapshots", "create")).isTrue();
        Role submitter = role(docs, "kale4j-submitter");
        for (String verb : List.of("create", "get", "list", "watch", "delete")) {
            assertThat(allows(submitter, "argoproj.io", "workflows", verb)).as(verb).isTrue();
            assertThat(allows(submitter, "kubeflow.org", "experiments", verb)).as(verb).isTrue();
        }
        assertThat(allows(submitter, "argoproj.io", "workflows", "patch")).as("stop from JupyterLab").isTrue();
        assertThat(allows(submitter, "", "pods/log", "get")).isTrue();
        assertThat(allows(submitter, "snapshot.storage.k8s.io", "volumesnapshots", "list")).isTrue();
        assertThat(load("katib-argo.yaml")).extracting(HasMetadata::getKind)
                .containsExactly("ClusterRole", "ClusterRoleBinding");
    }
}
