package dev.kale4j.cluster.argo;

import dev.kale4j.cluster.ClusterPlan;
import dev.kale4j.cluster.DataPassing;
import dev.kale4j.cluster.StepPlan;
import dev.kale4j.pipeline.Input;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Argo step memoization for {@code cache:enabled} steps (the default, as in KFP).
 *
 * <p>A cache entry may be reused only when the step would compute the same outputs, so the key covers
 * everything a step's result depends on: its code and image (hashed at compile time), the pipeline
 * parameters it reads, and the <em>content</em> of each upstream output it consumes. Argo cannot hash an
 * artifact, so every step publishes a {@code digest} output parameter (SHA-256 of its marshalled outputs,
 * written by the step wrapper) and consumers take their producers' digests as inputs. A producer that was
 * itself a cache hit replays its cached digest, so a chain of hits stays consistent.
 *
 * <p>Parameter values may contain characters a ConfigMap key must not ({@code .} in {@code 0.05}), so the
 * key is the SHA-256 of the parts, computed by Argo's expression templates ({@code sprig.sha256sum}).
 *
 * <p>Only with artifact data passing: with a workspace volume a cache hit would skip writing the step's
 * outputs into the new run's volume and its consumers would fail.
 */
final class ArgoMemo {
    static final String DIGEST_OUTPUT = "digest";
    static final String DIGEST_INPUT_PREFIX = "kale4j-digest-";
    static final String DIGEST_FILE = "digest";

    private ArgoMemo() {
    }

    static boolean publishesDigest(ClusterPlan plan) {
        return plan.dataPassing() == DataPassing.ARTIFACTS;
    }

    static boolean memoized(ClusterPlan plan, StepPlan s) {
        return s.cache() && publishesDigest(plan);
    }

    /** The producers whose outputs the step consumes, in input order, as Kubernetes task names. */
    static List<String> producers(ClusterPlan plan, StepPlan s) {
        Set<String> names = new LinkedHashSet<>();
        for (Input in : s.step().inputs()) {
            names.add(plan.step(in.step()).k8sName());
        }
        return List.copyOf(names);
    }

    /** @param encodedSpec the step's spec as the container gets it ({@link dev.kale4j.cluster.runtime.SpecCodec}) */
    static Argo.Memoize memoize(ClusterPlan plan, StepPlan s, String encodedSpec) {
        String code = sha256(s.image() + "\n" + encodedSpec);
        List<String> parts = new ArrayList<>();
        for (String p : s.step().parameters()) {
            parts.add("inputs.parameters['" + p + "']");
        }
        for (String producer : producers(plan, s)) {
            parts.add("inputs.parameters['" + DIGEST_INPUT_PREFIX + producer + "']");
        }
        String key = parts.isEmpty() ? code
                : "{{=sprig.sha256sum('" + code + "' + '|' + " + String.join(" + '|' + ", parts) + ")}}";
        return new Argo.Memoize(key, new Argo.Cache(Argo.ConfigMapRef.of(cacheName(plan))),
                plan.settings().cacheMaxAge());
    }

    /** One ConfigMap per pipeline keeps each under the 1 MiB ConfigMap limit for longer. */
    static String cacheName(ClusterPlan plan) {
        String name = "kale4j-cache-" + plan.name();
        return name.length() <= 253 ? name : name.substring(0, 253).replaceAll("[-.]+$", "");
    }

    static String sha256(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                    .digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK always has SHA-256", e);
        }
    }
}
