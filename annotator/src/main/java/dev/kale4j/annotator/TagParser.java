package dev.kale4j.annotator;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The cell-tag language. Accepts Kale's spellings and kale4j's short ones as aliases:
 * <pre>
 *   step:NAME | block:NAME            prev:NAME | deps:A,B
 *   imports   functions   skip        pipeline-parameters | hparams | parameters
 *   pipeline-metrics | metrics        limit:RESOURCE:QUANTITY   gpu:N[:nvidia|amd]
 *   image:REF   annotation:K:V   label:K:V   cache:enabled|disabled
 *   secret:NAME:KEY:ENV_VAR   retry:N   timeout:DURATION (30s, 5m, 1h30m)
 * </pre>
 */
public final class TagParser {
    /** Every tag form, for suggestions and documentation. */
    public static final List<String> FORMS = List.of(
            "step:", "block:", "prev:", "deps:", "imports", "functions", "pipeline-parameters", "hparams",
            "parameters", "pipeline-metrics", "metrics", "skip", "limit:", "gpu:", "image:", "annotation:",
            "label:", "cache:", "secret:", "retry:", "timeout:");

    private static final Pattern QUANTITY = Pattern.compile("^[0-9]+(\\.[0-9]+)?(m|k|M|G|T|P|E|Ki|Mi|Gi|Ti|Pi|Ei)?$");
    private static final Pattern RESOURCE = Pattern.compile("^([a-z0-9]([-a-z0-9.]*[a-z0-9])?/)?[a-z0-9]([-a-z0-9_.]*[a-z0-9])?$");
    private static final Pattern QUALIFIED_KEY =
            Pattern.compile("^([a-z0-9]([-a-z0-9.]*[a-z0-9])?/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$");
    private static final Pattern LABEL_VALUE = Pattern.compile("^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$");
    private static final Pattern DNS_SUBDOMAIN = Pattern.compile("^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$");
    private static final Pattern ENV_VAR = Pattern.compile("^[A-Za-z_][A-Za-z0-9_]*$");
    private static final Pattern DURATION = Pattern.compile("^(?:(\\d+)h)?(?:(\\d+)m(?!s))?(?:(\\d+)s)?(?:(\\d+)ms)?$");

    private TagParser() {
    }

    /** Interprets a code cell's tags; throws {@link InvalidNotebookException} naming the cell and the tag. */
    public static CellAnnotation annotate(Cell cell) {
        CellRole role = null;
        String step = null;
        List<String> prev = new ArrayList<>();
        StepSettings settings = StepSettings.NONE;
        for (String tag : cell.tags()) {
            if (tag.isEmpty()) {
                continue;
            }
            CellRole tagRole = roleOf(tag);
            if (tagRole != null) {
                if (role != null && !(role == tagRole && tagRole != CellRole.STEP)) {
                    throw InvalidNotebookException.at(cell, "tag \"" + tag + "\" conflicts with "
                            + (role == CellRole.STEP ? "step:" + step : role.tag())
                            + ": a cell has one role (split the cell to give each part its own)");
                }
                role = tagRole;
                if (tagRole == CellRole.STEP) {
                    step = stepName(cell, tag, value(tag));
                }
                continue;
            }
            String key = keyword(tag);
            switch (key) {
                case "prev", "deps" -> {
                    for (String p : value(tag).split(",")) {
                        prev.add(stepName(cell, tag, p.trim()));
                    }
                }
                default -> settings = settings.overriddenBy(setting(cell, tag));
            }
        }
        if (role == null) {
            role = CellRole.CONTINUATION;
        }
        boolean stepLike = role == CellRole.STEP || role == CellRole.CONTINUATION;
        if (!stepLike && (!prev.isEmpty() || !settings.equals(StepSettings.NONE))) {
            throw InvalidNotebookException.at(cell, "step tags (prev:, limit:, gpu:, ...) cannot go on a \""
                    + role.tag() + "\" cell; put them on a step's cell");
        }
        return new CellAnnotation(cell, role, step, prev, settings);
    }

    /** Parses one step-settings tag (also used for {@code steps_defaults}); {@code cell} is for messages. */
    public static StepSettings setting(Cell cell, String tag) {
        String key = keyword(tag);
        String value = value(tag);
        Map<String, String> limits = Map.of();
        Gpu gpu = null;
        String image = null;
        Map<String, String> annotations = Map.of();
        Map<String, String> labels = Map.of();
        Boolean cache = null;
        List<SecretEnv> secrets = List.of();
        Integer retries = null;
        Duration timeout = null;
        switch (key) {
            case "limit" -> {
                String[] kv = pair(cell, tag, value, "limit:<resource>:<quantity>, e.g. limit:memory:4Gi");
                if (!RESOURCE.matcher(kv[0]).matches()) {
                    throw bad(cell, tag, "\"" + kv[0] + "\" is not a resource name (cpu, memory, nvidia.com/gpu, ...)");
                }
                if (!QUANTITY.matcher(kv[1]).matches()) {
                    throw bad(cell, tag, "\"" + kv[1] + "\" is not a Kubernetes quantity (e.g. 500m, 2, 4Gi)");
                }
                limits = Map.of(kv[0], kv[1]);
            }
            case "gpu" -> {
                String[] parts = value.split(":", -1);
                if (parts.length > 2 || !parts[0].matches("[1-9][0-9]{0,2}")) {
                    throw bad(cell, tag, "expected gpu:<count> or gpu:<count>:<nvidia|amd>, e.g. gpu:1");
                }
                String vendor = parts.length == 2 ? parts[1] : "nvidia";
                if (!vendor.equals("nvidia") && !vendor.equals("amd")) {
                    throw bad(cell, tag, "GPU vendor must be nvidia or amd, not \"" + vendor + "\"");
                }
                gpu = new Gpu(Integer.parseInt(parts[0]), vendor);
            }
            case "image" -> {
                if (value.isBlank() || value.chars().anyMatch(Character::isWhitespace)) {
                    throw bad(cell, tag, "expected image:<reference>, e.g. image:eclipse-temurin:17-jre");
                }
                image = value;
            }
            case "annotation" -> {
                String[] kv = pair(cell, tag, value, "annotation:<key>:<value>");
                if (!QUALIFIED_KEY.matcher(kv[0]).matches()) {
                    throw bad(cell, tag, "\"" + kv[0] + "\" is not a valid annotation key");
                }
                annotations = Map.of(kv[0], kv[1]);
            }
            case "label" -> {
                String[] kv = pair(cell, tag, value, "label:<key>:<value>");
                if (!QUALIFIED_KEY.matcher(kv[0]).matches()) {
                    throw bad(cell, tag, "\"" + kv[0] + "\" is not a valid label key");
                }
                if (kv[1].length() > 63 || !LABEL_VALUE.matcher(kv[1]).matches()) {
                    throw bad(cell, tag, "\"" + kv[1] + "\" is not a valid label value (63 characters of"
                            + " letters, digits, '-', '_' or '.', starting and ending alphanumeric)");
                }
                labels = Map.of(kv[0], kv[1]);
            }
            case "cache" -> {
                if (!value.equals("enabled") && !value.equals("disabled")) {
                    throw bad(cell, tag, "expected cache:enabled or cache:disabled");
                }
                cache = value.equals("enabled");
            }
            case "secret" -> {
                String[] parts = value.split(":", -1);
                if (parts.length != 3) {
                    throw bad(cell, tag, "expected secret:<secret-name>:<key>:<ENV_VAR>");
                }
                if (!DNS_SUBDOMAIN.matcher(parts[0]).matches()) {
                    throw bad(cell, tag, "\"" + parts[0] + "\" is not a valid Kubernetes secret name");
                }
                if (parts[1].isBlank()) {
                    throw bad(cell, tag, "the secret key is empty");
                }
                if (!ENV_VAR.matcher(parts[2]).matches()) {
                    throw bad(cell, tag, "\"" + parts[2] + "\" is not a valid environment variable name");
                }
                secrets = List.of(new SecretEnv(parts[0], parts[1], parts[2]));
            }
            case "retry" -> {
                if (!value.matches("[0-9]{1,2}")) {
                    throw bad(cell, tag, "expected retry:<attempts>, a number from 0 to 99");
                }
                retries = Integer.parseInt(value);
            }
            case "timeout" -> timeout = duration(cell, tag, value);
            default -> throw unknown(cell, tag);
        }
        return new StepSettings(limits, gpu, image, annotations, labels, cache, secrets, retries, timeout);
    }

    /** Parses Go-style durations ({@code 90s}, {@code 5m}, {@code 1h30m}) or plain seconds. */
    static Duration duration(Cell cell, String tag, String value) {
        if (value.matches("[0-9]+")) {
            return positive(cell, tag, Duration.ofSeconds(Long.parseLong(value)));
        }
        Matcher m = DURATION.matcher(value);
        if (value.isEmpty() || !m.matches()) {
            throw bad(cell, tag, "expected a duration such as 90s, 5m or 1h30m");
        }
        Duration d = Duration.ZERO;
        if (m.group(1) != null) {
            d = d.plusHours(Long.parseLong(m.group(1)));
        }
        if (m.group(2) != null) {
            d = d.plusMinutes(Long.parseLong(m.group(2)));
        }
        if (m.group(3) != null) {
            d = d.plusSeconds(Long.parseLong(m.group(3)));
        }
        if (m.group(4) != null) {
            d = d.plusMillis(Long.parseLong(m.group(4)));
        }
        return positive(cell, tag, d);
    }

    private static Duration positive(Cell cell, String tag, Duration d) {
        if (d.isZero()) {
            throw bad(cell, tag, "the timeout must be longer than zero");
        }
        return d;
    }

    private static CellRole roleOf(String tag) {
        return switch (keyword(tag)) {
            case "imports" -> tag.equals("imports") ? CellRole.IMPORTS : null;
            case "functions" -> tag.equals("functions") ? CellRole.FUNCTIONS : null;
            case "pipeline-parameters", "hparams", "parameters" -> tag.contains(":") ? null : CellRole.PARAMETERS;
            case "pipeline-metrics", "metrics" -> tag.contains(":") ? null : CellRole.METRICS;
            case "skip" -> tag.equals("skip") ? CellRole.SKIP : null;
            case "step", "block" -> tag.contains(":") ? CellRole.STEP : null;
            default -> null;
        };
    }

    private static String stepName(Cell cell, String tag, String name) {
        if (name.isEmpty()) {
            throw bad(cell, tag, "the step name is empty");
        }
        if (!StepNames.isValid(name)) {
            throw bad(cell, tag, "\"" + name + "\" is not a valid step name: use lowercase letters, digits and"
                    + " '_', starting with a letter or '_' (for example \"" + StepNames.suggest(name) + "\")");
        }
        return name;
    }

    private static String[] pair(Cell cell, String tag, String value, String form) {
        int colon = value.indexOf(':');
        if (colon <= 0) {
            throw bad(cell, tag, "expected " + form);
        }
        return new String[] {value.substring(0, colon), value.substring(colon + 1)};
    }

    static String keyword(String tag) {
        int colon = tag.indexOf(':');
        return colon < 0 ? tag : tag.substring(0, colon);
    }

    private static String value(String tag) {
        int colon = tag.indexOf(':');
        return colon < 0 ? "" : tag.substring(colon + 1).trim();
    }

    private static InvalidNotebookException bad(Cell cell, String tag, String why) {
        return InvalidNotebookException.at(cell, "tag \"" + tag + "\": " + why);
    }

    private static InvalidNotebookException unknown(Cell cell, String tag) {
        String hint = suggestion(tag).map(s -> "; did you mean \"" + s + "\"?").orElse(
                "; known tags: step:<name>, prev:<name>, imports, functions, pipeline-parameters,"
                        + " pipeline-metrics, skip, limit:, gpu:, image:, annotation:, label:, cache:, secret:,"
                        + " retry:, timeout:");
        return InvalidNotebookException.at(cell, "unknown tag \"" + tag + "\"" + hint);
    }

    /** The nearest valid tag for a misspelled one, keeping the user's value. */
    static Optional<String> suggestion(String tag) {
        String key = keyword(tag);
        String rest = tag.contains(":") ? tag.substring(tag.indexOf(':')) : "";
        record Candidate(String form, int distance) {
        }
        return FORMS.stream()
                .map(f -> new Candidate(f, Levenshtein.distance(key, f.endsWith(":") ? f.substring(0, f.length() - 1) : f)))
                .filter(c -> c.distance() <= Math.max(2, key.length() / 3))
                .min(Comparator.comparingInt(Candidate::distance))
                .map(c -> c.form().endsWith(":") ? c.form() + (rest.isEmpty() ? "" : rest.substring(1)) : c.form());
    }

    /** Annotates every code cell of a notebook, in order (markdown and raw cells are left out). */
    public static List<CellAnnotation> annotateAll(Notebook notebook) {
        List<CellAnnotation> out = new ArrayList<>();
        for (Cell c : notebook.cells()) {
            if (c.type() == CellType.CODE) {
                out.add(annotate(c));
            }
        }
        return out;
    }

    /** The notebook's {@code steps_defaults} tags as settings. */
    public static StepSettings defaults(Notebook notebook) {
        StepSettings s = StepSettings.NONE;
        Cell where = new Cell(-1, null, CellType.RAW, "", List.of(), notebook.path().getFileName().toString());
        for (String tag : notebook.settings().stepsDefaults()) {
            try {
                s = s.overriddenBy(setting(where, tag));
            } catch (InvalidNotebookException e) {
                throw new InvalidNotebookException(notebook.path().getFileName()
                        + ": metadata.kubeflow_notebook.steps_defaults: " + e.getMessage().replaceFirst("^.*?cell -1: ", ""));
            }
        }
        return s;
    }

}
