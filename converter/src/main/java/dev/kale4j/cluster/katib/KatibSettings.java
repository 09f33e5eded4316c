package dev.kale4j.cluster.katib;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kale4j.annotator.Notebook;
import dev.kale4j.common.UserError;
import dev.kale4j.pipeline.Metric;
import dev.kale4j.pipeline.Parameter;
import dev.kale4j.pipeline.ParameterType;
import dev.kale4j.pipeline.Pipeline;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The hyperparameter search of a notebook, from Kale's {@code metadata.kubeflow_notebook.katib_metadata}
 * (Katib-shaped, so Kale notebooks keep working):
 * <pre>
 * "katib_metadata": {
 *   "parameters": [{"name": "learningRate", "feasibleSpace": {"min": "0.01", "max": "0.1", "step": "0.01"}},
 *                  {"name": "epochs", "feasibleSpace": {"list": ["10", "20", "40"]}}],
 *   "objective": {"type": "minimize", "objectiveMetricName": "mse", "goal": 0.01},
 *   "algorithm": {"algorithmName": "random" | "grid" | "bayesianoptimization"},
 *   "maxTrialCount": 12, "parallelTrialCount": 3, "maxFailedTrialCount": 3
 * }
 * </pre>
 * Parameter types come from the pipeline's parameters cell ({@code parameterType} may be omitted);
 * every searched name must be a pipeline parameter and the objective must be a pipeline metric.
 */
public record KatibSettings(List<SearchParameter> parameters, String objectiveType, String objectiveMetric,
                            Double goal, List<String> additionalMetrics, String algorithm, int maxTrialCount,
                            int parallelTrialCount, int maxFailedTrialCount) {
    public static final String KEY = "katib_metadata";
    static final Map<String, String> ALGORITHMS = Map.of("random", "random", "grid", "grid",
            "bayesianoptimization", "bayesianoptimization", "bayesian", "bayesianoptimization");

    /** One searched parameter: a range ({@code min}/{@code max}/{@code step}) or a {@code list}. */
    public record SearchParameter(String name, String katibType, String min, String max, String step, List<String> list) {
    }

    public static KatibSettings of(Notebook notebook, Pipeline pipeline) {
        String where = notebook.path().getFileName() + ": metadata.kubeflow_notebook." + KEY;
        JsonNode k = notebook.settings().raw().get(KEY);
        if (k == null || !k.isObject()) {
            throw new UserError(where + " is missing: the katib target needs the search space and objective, e.g. "
                    + "{\"parameters\": [{\"name\": \"lr\", \"feasibleSpace\": {\"min\": \"0.01\", \"max\": \"0.1\"}}], "
                    + "\"objective\": {\"type\": \"minimize\", \"objectiveMetricName\": \"loss\"}, "
                    + "\"algorithm\": {\"algorithmName\": \"random\"}, \"maxTrialCount\": 12}");
        }
        String algorithm = ALGORITHMS.get(k.path("algorithm").path("algorithmName").asText("random")
                .toLowerCase(Locale.ROOT));
        if (algorithm == null) {
            throw new UserError(where + ".algorithm.algorithmName must be random, grid or bayesianoptimization, not \""
                    + k.path("algorithm").path("algorithmName").asText() + "\"");
        }
        List<SearchParameter> params = new ArrayList<>();
        for (JsonNode p : k.path("parameters")) {
            String name = p.path("name").asText();
            Parameter par = pipeline.parameter(name).orElseThrow(() -> new UserError(where + ".parameters: \"" + name
                    + "\" is not a pipeline parameter; the parameters cell declares "
                    + String.join(", ", pipeline.parameters().stream().map(Parameter::name).toList())));
            JsonNode fs = p.path("feasibleSpace");
            List<String> list = new ArrayList<>();
            fs.path("list").forEach(v -> list.add(par.type().canonical(name, v.asText())));
            String min = text(fs, "min");
            String max = text(fs, "max");
            String step = text(fs, "step");
            String type = switch (par.type()) {
                case INT, LONG -> list.isEmpty() ? "int" : "discrete";
                case DOUBLE -> list.isEmpty() ? "double" : "discrete";
                case BOOLEAN, STRING -> "categorical";
            };
            if (list.isEmpty() && (min == null || max == null)) {
                throw new UserError(where + ".parameters " + name + ": give feasibleSpace.min and max, or a list");
            }
            if (list.isEmpty() && (par.type() == ParameterType.BOOLEAN || par.type() == ParameterType.STRING)) {
                throw new UserError(where + ".parameters " + name + " is " + par.type().javaName()
                        + ": give feasibleSpace.list");
            }
            if ("grid".equals(algorithm) && "double".equals(type) && step == null) {
                throw new UserError(where + ".parameters " + name + ": grid search over a double range needs"
                        + " feasibleSpace.step");
            }
            if (min != null) {
                min = par.type().canonical(name, min);
                max = par.type().canonical(name, max);
            }
            params.add(new SearchParameter(name, type, min, max, step, list));
        }
        if (params.isEmpty()) {
            throw new UserError(where + ".parameters is empty: list the pipeline parameters to search");
        }
        JsonNode obj = k.path("objective");
        String metric = obj.path("objectiveMetricName").asText(null);
        Set<String> metricNames = Set.copyOf(pipeline.metrics().stream().map(Metric::name).toList());
        if (metric == null || !metricNames.contains(metric)) {
            throw new UserError(where + ".objective.objectiveMetricName must be one of the pipeline metrics ("
                    + String.join(", ", metricNames.stream().sorted().toList()) + "), not \"" + metric + "\"");
        }
        String type = obj.path("type").asText("minimize").toLowerCase(Locale.ROOT);
        if (!type.equals("minimize") && !type.equals("maximize")) {
            throw new UserError(where + ".objective.type must be minimize or maximize");
        }
        String producer = pipeline.metrics().stream().filter(m -> m.name().equals(metric)).findFirst().orElseThrow()
                .step();
        List<String> additional = new ArrayList<>();
        for (JsonNode a : obj.path("additionalMetricNames")) {
            String name = a.asText();
            Metric m = pipeline.metrics().stream().filter(x -> x.name().equals(name)).findFirst()
                    .orElseThrow(() -> new UserError(where + ".objective.additionalMetricNames: \"" + name
                            + "\" is not a pipeline metric"));
            if (!m.step().equals(producer)) {
                // Katib collects metrics from one pod: the step producing the objective.
                throw new UserError(where + ".objective.additionalMetricNames: " + name + " is produced by step "
                        + m.step() + ", not by " + producer + " (which produces the objective); Katib reads one pod");
            }
            additional.add(name);
        }
        Double goal = obj.hasNonNull("goal") ? obj.get("goal").asDouble() : null;
        return new KatibSettings(params, type, metric, goal, additional, algorithm, k.path("maxTrialCount").asInt(12),
                k.path("parallelTrialCount").asInt(3), k.path("maxFailedTrialCount").asInt(3));
    }

    private static String text(JsonNode n, String key) {
        JsonNode v = n.get(key);
        return v == null || v.isNull() ? null : v.asText();
    }
}
