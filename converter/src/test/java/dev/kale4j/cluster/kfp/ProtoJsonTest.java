package dev.kale4j.cluster.kfp;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.google.protobuf.MessageOrBuilder;
import com.google.protobuf.Struct;
import com.google.protobuf.util.JsonFormat;
import dev.kale4j.cluster.CompileOptions;
import dev.kale4j.cluster.Fixtures;
import dev.kale4j.cluster.Schemas;
import dev.kale4j.cluster.kfp.ir.PipelineTaskSpec;
import dev.kale4j.cluster.kfp.platform.KubernetesExecutorConfig;
import dev.kale4j.cluster.kfp.platform.Toleration;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The direct proto-to-JSON conversion gives exactly what protobuf's JsonFormat prints. */
class ProtoJsonTest {
    @TempDir
    Path dir;

    static JsonNode viaText(MessageOrBuilder m) throws Exception {
        return Schemas.JSON.readTree(JsonFormat.printer().print(m));
    }

    @Test
    void matchesJsonFormatOnEveryCompiledFixture() throws Exception {
        for (String f : Fixtures.ALL) {
            var r = KfpCompiler.build(Fixtures.plan(Fixtures.notebook(f, dir.resolve(f),
                    kn -> kn.putObject("cluster").putObject("snapshot").put("repo", "s3://b/p").put("s3_secret", "s")),
                    CompileOptions.defaults()));
            assertThat(ProtoJson.toTree(r.pipeline())).isEqualTo(viaText(r.pipeline()));
            assertThat(ProtoJson.toTree(r.platform())).isEqualTo(viaText(r.platform()));
        }
    }

    @Test
    void int64EnumsAndOptionalFieldsFollowTheProto3Mapping() throws Exception {
        KubernetesExecutorConfig k = KubernetesExecutorConfig.newBuilder().setActiveDeadlineSeconds(600)
                .addTolerations(Toleration.newBuilder().setKey("a").setTolerationSeconds(0)).build();
        JsonNode tree = ProtoJson.toTree(k);
        assertThat(tree).isEqualTo(viaText(k));
        assertThat(tree.path("activeDeadlineSeconds").asText()).isEqualTo("600");
        assertThat(tree.path("tolerations").get(0).has("tolerationSeconds")).isTrue();
        PipelineTaskSpec t = PipelineTaskSpec.newBuilder().setTriggerPolicy(PipelineTaskSpec.TriggerPolicy.newBuilder()
                .setStrategy(PipelineTaskSpec.TriggerPolicy.TriggerStrategy.ALL_UPSTREAM_TASKS_COMPLETED)).build();
        assertThat(ProtoJson.toTree(t)).isEqualTo(viaText(t));
        Struct s = ProtoJson.toStruct(k);
        Struct.Builder expected = Struct.newBuilder();
        JsonFormat.parser().merge(JsonFormat.printer().print(k), expected);
        assertThat(s).isEqualTo(expected.build());
    }
}
