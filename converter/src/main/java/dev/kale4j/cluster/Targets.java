package dev.kale4j.cluster;

import dev.kale4j.cluster.argo.ArgoCompiler;
import dev.kale4j.cluster.katib.KatibCompiler;
import dev.kale4j.cluster.kfp.KfpCompiler;
import dev.kale4j.common.UserError;
import java.util.List;

/** The cluster targets {@code kale4j compile --target} dispatches to (every target but {@code ir}). */
public final class Targets {
    private static final List<TargetCompiler> ALL = List.of(new ArgoCompiler(), new KfpCompiler(), new KatibCompiler());

    private Targets() {
    }

    public static List<TargetCompiler> all() {
        return ALL;
    }

    /** The target named {@code name}, or a {@link UserError} listing the known ones. */
    public static TargetCompiler find(String name) {
        return ALL.stream().filter(t -> t.name().equals(name)).findFirst()
                .orElseThrow(() -> new UserError("unknown target \"" + name + "\": use ir, "
                        + String.join(", ", ALL.stream().map(TargetCompiler::name).toList())));
    }
}
