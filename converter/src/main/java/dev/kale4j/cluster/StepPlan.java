package dev.kale4j.cluster;

import dev.kale4j.annotator.SecretEnv;
import dev.kale4j.pipeline.Step;
import dev.kale4j.runtime.StepSpec;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * Everything a cluster compiler needs about one step's container, resolved once for all targets.
 *
 * @param k8sName  DNS-1123 task/template name (unique in the pipeline)
 * @param limits   resource limits including the GPU ({@code nvidia.com/gpu}/{@code amd.com/gpu})
 * @param requests resource requests (notebook {@code cluster.requests}), only for resources without a lower limit
 * @param timeout  {@code null} when the step has none
 * @param metrics  metric variables this step produces
 * @param spec     the step runtime spec with container paths
 */
public record StepPlan(
        Step step,
        String k8sName,
        String image,
        Map<String, String> limits,
        Map<String, String> requests,
        Map<String, String> labels,
        Map<String, String> annotations,
        List<SecretEnv> secrets,
        int retries,
        Duration timeout,
        boolean cache,
        List<String> metrics,
        StepSpec spec) {

    public String name() {
        return step.name();
    }
}
