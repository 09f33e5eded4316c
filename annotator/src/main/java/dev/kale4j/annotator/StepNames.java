package dev.kale4j.annotator;

import java.util.Locale;
import java.util.regex.Pattern;

/** Step-name rules: what users may write, and how a name is carried where Kubernetes forbids underscores. */
public final class StepNames {
    public static final Pattern VALID = Pattern.compile("^[a-z_][a-z0-9_]*$");

    private StepNames() {
    }

    public static boolean isValid(String name) {
        return VALID.matcher(name).matches();
    }

    /** The closest valid name, offered in the error message for an invalid one. */
    public static String suggest(String name) {
        String s = name.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9_]+", "_").replaceAll("_+", "_");
        s = s.replaceAll("^_+(?=.)", "").replaceAll("(?<=.)_+$", "");
        if (s.isEmpty() || Character.isDigit(s.charAt(0))) {
            s = "step_" + s;
        }
        return s;
    }

    /**
     * A DNS-1123 label for Kubernetes objects and Argo/KFP task names: {@code load_data} becomes
     * {@code load-data}. Callers that need uniqueness across steps must check collisions
     * ({@code a_b} and {@code a__b} map alike), which {@link #kubernetesNames} does.
     */
    public static String kubernetesName(String step) {
        String s = step.replace('_', '-').replaceAll("-+", "-").replaceAll("^-+|-+$", "");
        if (s.isEmpty() || !Character.isLetter(s.charAt(0))) {
            s = "s-" + s;
        }
        return s.length() > 63 ? s.substring(0, 63).replaceAll("-+$", "") : s;
    }

    /** Kubernetes names for all steps, made unique with a numeric suffix where two would collide. */
    public static java.util.Map<String, String> kubernetesNames(java.util.Collection<String> steps) {
        java.util.Map<String, String> out = new java.util.LinkedHashMap<>();
        java.util.Set<String> used = new java.util.HashSet<>();
        for (String step : steps) {
            String base = kubernetesName(step);
            String name = base;
            for (int i = 2; !used.add(name); i++) {
                name = base + "-" + i;
            }
            out.put(step, name);
        }
        return out;
    }
}
