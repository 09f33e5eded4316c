package dev.kale4j.cluster.kfp;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Struct;
import com.google.protobuf.util.JsonFormat;
import dev.kale4j.cluster.kfp.ir.PipelineSpec;
import dev.kale4j.cluster.kfp.ir.PlatformSpec;
import dev.kale4j.cluster.kfp.ir.SinglePlatformSpec;
import dev.kale4j.cluster.kfp.platform.KubernetesExecutorConfig;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The checks the KFP API server applies to an uploaded pipeline (see {@code ../shared/data/PROVENANCE.md}):
 * strict protobuf JSON parsing (unknown fields are errors), {@code schemaVersion 2.1.0}, a non-empty DNS-like
 * {@code pipelineInfo.name} and a {@code root}; a second YAML document must parse as the platform spec.
 * Used before upload and by tests.
 */
public final class IrRules {
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static final ObjectMapper JSON = new ObjectMapper();

    /** A parsed pipeline file. */
    public record Parsed(PipelineSpec pipeline, PlatformSpec platform) {
    }

    private IrRules() {
    }

    /** Parses the YAML text as the API server would; returns the problems (empty when it would accept it). */
    public static List<String> problems(String yaml) {
        List<String> out = new ArrayList<>();
        try {
            parse(yaml);
        } catch (IllegalArgumentException e) {
            out.add(e.getMessage());
        }
        return out;
    }

    public static Parsed parse(String yaml) {
        List<JsonNode> docs = new ArrayList<>();
        try (MappingIterator<JsonNode> it = YAML.readerFor(JsonNode.class).readValues(yaml)) {
            while (it.hasNext()) {
                JsonNode d = it.next();
                if (d != null && !d.isNull() && !d.isMissingNode()) {
                    docs.add(d);
                }
            }
        } catch (IOException e) {
            throw new IllegalArgumentException("not YAML: " + e.getMessage());
        }
        if (docs.isEmpty()) {
            throw new IllegalArgumentException("empty pipeline file");
        }
        PipelineSpec.Builder spec = PipelineSpec.newBuilder();
        strict(docs.get(0), spec, "pipeline spec");
        PipelineSpec p = spec.build();
        if (!KfpCompiler.SCHEMA_VERSION.equals(p.getSchemaVersion())) {
            throw new IllegalArgumentException("schemaVersion must be " + KfpCompiler.SCHEMA_VERSION + ", not \""
                    + p.getSchemaVersion() + "\"");
        }
        if (!KfpCompiler.PIPELINE_NAME.matcher(p.getPipelineInfo().getName()).matches()) {
            throw new IllegalArgumentException("pipelineInfo.name \"" + p.getPipelineInfo().getName()
                    + "\" is not a DNS-like name (lower-case letters, digits, '-')");
        }
        if (!p.hasRoot() || !p.getRoot().hasDag()) {
            throw new IllegalArgumentException("the pipeline has no root DAG");
        }
        PlatformSpec platform = null;
        if (docs.size() > 1) {
            PlatformSpec.Builder pb = PlatformSpec.newBuilder();
            strict(docs.get(1), pb, "platform spec");
            platform = pb.build();
            SinglePlatformSpec k8s = platform.getPlatformsOrDefault("kubernetes", null);
            if (k8s != null) {
                for (Map.Entry<String, Struct> e : k8s.getDeploymentSpec().getExecutorsMap().entrySet()) {
                    try {
                        KubernetesExecutorConfig.Builder kb = KubernetesExecutorConfig.newBuilder();
                        JsonFormat.parser().merge(JsonFormat.printer().print(e.getValue()), kb);
                    } catch (InvalidProtocolBufferException ex) {
                        throw new IllegalArgumentException("platform spec executor " + e.getKey() + ": "
                                + ex.getMessage());
                    }
                }
            }
        }
        return new Parsed(p, platform);
    }

    private static void strict(JsonNode doc, com.google.protobuf.Message.Builder b, String what) {
        try {
            JsonFormat.parser().merge(JSON.writeValueAsString(doc), b);
        } catch (IOException e) {
            throw new IllegalArgumentException(what + ": " + e.getMessage());
        }
    }
}
