package dev.kale4j.cluster.submit;

import dev.kale4j.cluster.kfp.IrRules;
import dev.kale4j.common.UserError;
import dev.kale4j.pipeline.Parameter;
import dev.kale4j.pipeline.Pipeline;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Submits a compiled KFP pipeline: checks it against the API server's rules, uploads it (or a new version),
 * gets or creates the experiment and creates the run. When a later call fails, the error says what was
 * already created, so nothing is left behind silently.
 */
public final class KfpSubmission {
    /** What was created. */
    public record Submitted(KfpClient.Uploaded pipeline, String experimentId, String runId) {
    }

    private KfpSubmission() {
    }

    public static Submitted submit(KfpClient client, Pipeline pipeline, String pipelineName, String yaml,
                                   Map<String, String> params, String namespace) {
        List<String> problems = IrRules.problems(yaml);
        if (!problems.isEmpty()) {
            throw new IllegalStateException("kale4j wrote an IR the KFP API server would reject: " + problems);
        }
        Map<String, Object> values = new LinkedHashMap<>();
        params.forEach((k, v) -> {
            Parameter p = pipeline.parameter(k).orElseThrow();
            values.put(k, p.type().value(v));
        });
        KfpClient.Uploaded uploaded = client.upload(pipelineName, pipeline.description(),
                yaml.getBytes(StandardCharsets.UTF_8), namespace);
        String what = (uploaded.newPipeline() ? "pipeline " : "a new version of pipeline ") + pipelineName + " (id "
                + uploaded.pipelineId() + ")";
        String experiment = pipeline.experiment() != null ? pipeline.experiment() : "Default";
        try {
            String experimentId = client.experiment(experiment, namespace);
            String runName = pipelineName + "-" + java.time.format.DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")
                    .format(java.time.LocalDateTime.now());
            String runId = client.createRun(runName, experimentId, uploaded, values);
            return new Submitted(uploaded, experimentId, runId);
        } catch (UserError e) {
            throw new UserError(e.getMessage() + ". Note: " + what + " was uploaded and stays in KFP; no run was"
                    + " created");
        }
    }
}
