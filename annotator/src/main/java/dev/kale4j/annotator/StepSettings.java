package dev.kale4j.annotator;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Per-step settings from tags. Fields are {@code null} (or empty) when no tag set them, so that settings
 * from notebook defaults and from each cell of a step can be layered with {@link #overriddenBy}.
 *
 * @param limits      resource limits by Kubernetes resource name ({@code cpu}, {@code memory}, ...)
 * @param cache       {@code null} means the default (enabled)
 * @param retries     extra attempts after a failure
 */
public record StepSettings(
        Map<String, String> limits,
        Gpu gpu,
        String image,
        Map<String, String> annotations,
        Map<String, String> labels,
        Boolean cache,
        List<SecretEnv> secrets,
        Integer retries,
        Duration timeout) {

    public static final StepSettings NONE =
            new StepSettings(Map.of(), null, null, Map.of(), Map.of(), null, List.of(), null, null);

    public StepSettings {
        limits = Map.copyOf(limits);
        annotations = Map.copyOf(annotations);
        labels = Map.copyOf(labels);
        secrets = List.copyOf(secrets);
    }

    /** These settings with every field that {@code later} sets taken from it; maps and lists are merged. */
    public StepSettings overriddenBy(StepSettings later) {
        return new StepSettings(
                merge(limits, later.limits),
                later.gpu != null ? later.gpu : gpu,
                later.image != null ? later.image : image,
                merge(annotations, later.annotations),
                merge(labels, later.labels),
                later.cache != null ? later.cache : cache,
                concat(secrets, later.secrets),
                later.retries != null ? later.retries : retries,
                later.timeout != null ? later.timeout : timeout);
    }

    public boolean cacheEnabled() {
        return cache == null || cache;
    }

    public int retryCount() {
        return retries == null ? 0 : retries;
    }

    /** Limits including the GPU request under its vendor's resource name. */
    public Map<String, String> resourceLimits() {
        Map<String, String> all = new LinkedHashMap<>(limits);
        if (gpu != null) {
            all.put(gpu.resourceName(), Integer.toString(gpu.count()));
        }
        return all;
    }

    private static Map<String, String> merge(Map<String, String> a, Map<String, String> b) {
        if (b.isEmpty()) {
            return a;
        }
        Map<String, String> m = new LinkedHashMap<>(a);
        m.putAll(b);
        return m;
    }

    private static <T> List<T> concat(List<T> a, List<T> b) {
        if (b.isEmpty()) {
            return a;
        }
        List<T> l = new ArrayList<>(a);
        l.addAll(b);
        return l;
    }
}
