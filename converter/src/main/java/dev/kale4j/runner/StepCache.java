package dev.kale4j.runner;

import dev.kale4j.common.Version;
import dev.kale4j.pipeline.CodeBlock;
import dev.kale4j.pipeline.PipelineJson;
import dev.kale4j.runtime.StepResult;
import dev.kale4j.runtime.StepSpec;
import dev.kale4j.runtime.marshal.ArtifactInfo;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Reuses a step's outputs when its code, its parameter values and the checksums of its inputs are what
 * an earlier successful run saw. Only variables are cached: files a step writes into the workspace are
 * not re-created, so steps with such side effects should carry {@code cache:disabled}.
 */
final class StepCache {
    private final Path dir;

    StepCache(Path dir) {
        this.dir = dir;
    }

    /** The cache key of a step about to run, given the results of the steps it loads inputs from. */
    static String key(StepSpec spec, Map<String, StepResult> upstream) {
        MessageDigest sha;
        try {
            sha = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        feed(sha, "kale4j " + Version.get());
        for (CodeBlock b : spec.prelude()) {
            feed(sha, b.source());
        }
        feed(sha, "--body");
        for (CodeBlock b : spec.body()) {
            feed(sha, b.source());
        }
        spec.parameters().forEach(p -> feed(sha, p.name() + ":" + p.type() + "=" + p.value()));
        for (StepSpec.InputArtifact in : spec.inputs()) {
            String checksum = upstream.get(in.step()).outputs().stream()
                    .filter(a -> a.variable().equals(in.variable())).map(ArtifactInfo::checksum).findFirst().orElse("?");
            feed(sha, "in " + in.variable() + "@" + checksum);
        }
        feed(sha, "out " + spec.outputs() + " metrics " + spec.metrics() + " cp " + spec.classpath());
        return HexFormat.of().formatHex(sha.digest());
    }

    private static void feed(MessageDigest sha, String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        sha.update(Integer.toString(b.length).getBytes(StandardCharsets.US_ASCII));
        sha.update((byte) ':');
        sha.update(b);
    }

    /** The step directory of an earlier run whose outputs can stand in, if they are all still there. */
    Optional<Path> lookup(String key) {
        Path pointer = dir.resolve(key);
        if (!Files.isRegularFile(pointer)) {
            return Optional.empty();
        }
        try {
            Path stepDir = Path.of(Files.readString(pointer).trim());
            Path result = stepDir.resolve("outputs").resolve(StepResult.FILE);
            if (!Files.isRegularFile(result)) {
                return Optional.empty();
            }
            StepResult r = PipelineJson.read(result, StepResult.class);
            boolean complete = r.succeeded() && r.outputs().stream()
                    .allMatch(a -> Files.isRegularFile(stepDir.resolve("outputs").resolve(a.variable() + ".k4j")));
            return complete ? Optional.of(stepDir) : Optional.empty();
        } catch (IOException | UncheckedIOException e) {
            return Optional.empty();
        }
    }

    void store(String key, Path stepDir) {
        try {
            Files.createDirectories(dir);
            Path tmp = Files.createTempFile(dir, key, ".tmp");
            Files.writeString(tmp, stepDir.toAbsolutePath().toString());
            Files.move(tmp, dir.resolve(key), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the step cache in " + dir, e);
        }
    }

    /** Copies (hard-links where possible) an earlier step's outputs into this run's step directory. */
    static StepResult adopt(Path from, Path toStepDir) {
        try {
            Path src = from.resolve("outputs");
            Path dst = toStepDir.resolve("outputs");
            Files.createDirectories(dst);
            for (Path f : list(src)) {
                Path target = dst.resolve(f.getFileName());
                Files.deleteIfExists(target);
                try {
                    Files.createLink(target, f);
                } catch (IOException | UnsupportedOperationException e) {
                    Files.copy(f, target);
                }
            }
            for (String log : List.of("stdout.log", "stderr.log")) {
                if (Files.exists(from.resolve(log))) {
                    Files.copy(from.resolve(log), toStepDir.resolve(log), StandardCopyOption.REPLACE_EXISTING);
                }
            }
            return PipelineJson.read(dst.resolve(StepResult.FILE), StepResult.class);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot reuse the outputs in " + from, e);
        }
    }

    private static List<Path> list(Path dir) throws IOException {
        try (var s = Files.list(dir)) {
            return s.filter(Files::isRegularFile).toList();
        }
    }
}
