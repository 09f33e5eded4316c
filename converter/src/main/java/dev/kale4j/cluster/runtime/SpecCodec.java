package dev.kale4j.cluster.runtime;

import dev.kale4j.pipeline.PipelineJson;
import dev.kale4j.runtime.StepSpec;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;

/**
 * A {@link StepSpec} as one command-line argument: gzip + base64. Engines substitute {@code {{...}}} in
 * every string of a template (Argo in artifacts' raw data too, KFP in args), and Java code may contain
 * {@code {{}} (array initialisers), so the code must not travel as plain text.
 */
public final class SpecCodec {
    private static final com.fasterxml.jackson.databind.ObjectWriter WRITER = PipelineJson.mapper().writer()
            .without(com.fasterxml.jackson.databind.SerializationFeature.INDENT_OUTPUT);

    private SpecCodec() {
    }

    public static String encode(StepSpec spec) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        // Fastest deflate level: specs are a few KB, and compiling thousands of steps should stay cheap.
        try (GZIPOutputStream gz = new GZIPOutputStream(bytes) {
            {
                def.setLevel(java.util.zip.Deflater.BEST_SPEED);
            }
        }) {
            gz.write(WRITER.writeValueAsBytes(spec));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return Base64.getEncoder().encodeToString(bytes.toByteArray());
    }

    public static StepSpec decode(String text) {
        try (GZIPInputStream gz = new GZIPInputStream(new ByteArrayInputStream(Base64.getDecoder().decode(text.trim())))) {
            return PipelineJson.mapper().readValue(new String(gz.readAllBytes(), StandardCharsets.UTF_8), StepSpec.class);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot decode the step spec", e);
        }
    }
}
