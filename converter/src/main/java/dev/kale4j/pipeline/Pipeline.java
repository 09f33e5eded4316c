package dev.kale4j.pipeline;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The pipeline model every target compiles from: steps in a topological order that follows the notebook,
 * with resolved dependencies, typed parameters and metrics. Written as JSON by {@code compile --target ir}.
 *
 * @param notebook the notebook file name it came from
 */
public record Pipeline(
        String name,
        String description,
        String experiment,
        String dockerImage,
        String notebook,
        List<Parameter> parameters,
        List<Step> steps,
        List<Metric> metrics,
        boolean snapshots) {

    public Pipeline {
        parameters = List.copyOf(parameters);
        steps = List.copyOf(steps);
        metrics = List.copyOf(metrics);
    }

    public Optional<Step> step(String name) {
        return steps.stream().filter(s -> s.name().equals(name)).findFirst();
    }

    public Optional<Parameter> parameter(String name) {
        return parameters.stream().filter(p -> p.name().equals(name)).findFirst();
    }

    /** Direct downstream steps of each step. */
    public Map<String, List<String>> children() {
        Map<String, List<String>> children = new LinkedHashMap<>();
        steps.forEach(s -> children.put(s.name(), new ArrayList<>()));
        steps.forEach(s -> s.dependencies().forEach(d -> children.get(d).add(s.name())));
        return children;
    }

    /** The step and everything downstream of it. */
    public List<String> descendantsOf(String step) {
        Map<String, List<String>> children = children();
        List<String> out = new ArrayList<>();
        ArrayList<String> work = new ArrayList<>(List.of(step));
        while (!work.isEmpty()) {
            String s = work.remove(work.size() - 1);
            if (!out.contains(s)) {
                out.add(s);
                work.addAll(children.getOrDefault(s, List.of()));
            }
        }
        return out;
    }
}
