package dev.kale4j.cluster.runtime;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import com.google.protobuf.util.JsonFormat;
import dev.kale4j.cluster.kfp.ir.ArtifactList;
import dev.kale4j.cluster.kfp.ir.ExecutorInput;
import dev.kale4j.cluster.kfp.ir.ExecutorOutput;
import dev.kale4j.cluster.kfp.ir.RuntimeArtifact;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * Reports step metrics to KFP v2 the way its launcher collects them: the {@code system.Metrics} output
 * artifact's metadata, written into the executor output file named in the executor input ({@code {{$}}}).
 */
public final class KfpMetricsWriter {
    /** The output artifact name the KFP compiler gives the metrics of every step that has some. */
    public static final String METRICS_ARTIFACT = "metrics";

    private KfpMetricsWriter() {
    }

    /** Writes the executor output; returns the file written, or {@code null} when the executor asked for none. */
    public static Path write(String executorInputJson, String artifactKey, Map<String, Double> metrics) throws IOException {
        ExecutorInput.Builder in = ExecutorInput.newBuilder();
        try {
            JsonFormat.parser().ignoringUnknownFields().merge(executorInputJson, in);
        } catch (InvalidProtocolBufferException e) {
            throw new IOException("the KFP executor input is not valid JSON: " + e.getMessage(), e);
        }
        String outputFile = in.getOutputs().getOutputFile();
        if (outputFile.isEmpty()) {
            return null;
        }
        ExecutorOutput.Builder out = ExecutorOutput.newBuilder();
        ArtifactList declared = in.getOutputs().getArtifactsOrDefault(artifactKey, null);
        if (declared != null && declared.getArtifactsCount() > 0) {
            RuntimeArtifact a = declared.getArtifacts(0);
            Struct.Builder meta = Struct.newBuilder();
            metrics.forEach((k, v) -> meta.putFields(k, Value.newBuilder().setNumberValue(v).build()));
            out.putArtifacts(artifactKey, ArtifactList.newBuilder()
                    .addArtifacts(RuntimeArtifact.newBuilder().setName(a.getName()).setUri(a.getUri())
                            .setType(a.getType()).setMetadata(meta)).build());
        }
        Path file = Path.of(outputFile);
        if (file.getParent() != null) {
            Files.createDirectories(file.getParent());
        }
        Files.writeString(file, JsonFormat.printer().print(out), StandardCharsets.UTF_8);
        return file;
    }
}
