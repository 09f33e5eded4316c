package dev.kale4j.cluster;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** Writes manifests as YAML (what {@code kubectl}/{@code argo} users read and apply). */
public final class Manifests {
    private static final ObjectMapper YAML = new ObjectMapper(YAMLFactory.builder()
            .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES)
            // "20" must stay a string: Argo parameter values and labels are strings.
            .enable(YAMLGenerator.Feature.ALWAYS_QUOTE_NUMBERS_AS_STRINGS)
            .enable(YAMLGenerator.Feature.LITERAL_BLOCK_STYLE)
            .disable(YAMLGenerator.Feature.SPLIT_LINES)
            .build())
            .setSerializationInclusion(JsonInclude.Include.NON_NULL)
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS);
    private static final ObjectMapper JSON = new ObjectMapper().setSerializationInclusion(JsonInclude.Include.NON_NULL);

    private Manifests() {
    }

    public static ObjectMapper yamlMapper() {
        return YAML;
    }

    /** A plain JSON mapper for the same objects (tests validate with it; fabric8 takes maps from it). */
    public static ObjectMapper jsonMapper() {
        return JSON;
    }

    public static String toYaml(Object value) {
        try {
            return YAML.writeValueAsString(value);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Documents (objects, or YAML text) as one YAML stream, each starting with {@code ---}. */
    public static String yamlStream(List<?> documents) {
        StringBuilder sb = new StringBuilder();
        for (Object d : documents) {
            String y = d instanceof String s ? s : toYaml(d);
            sb.append(y.startsWith("---") ? y : "---\n" + y);
        }
        return sb.toString();
    }

    /** Writes the documents as one YAML stream. */
    public static Path write(Path file, List<?> documents) {
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
            Files.writeString(file, yamlStream(documents), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
        return file;
    }
}
