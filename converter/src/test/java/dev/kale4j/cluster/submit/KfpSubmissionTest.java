package dev.kale4j.cluster.submit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kale4j.annotator.Notebook;
import dev.kale4j.cluster.CompileOptions;
import dev.kale4j.cluster.Fixtures;
import dev.kale4j.cluster.Targets;
import dev.kale4j.common.UserError;
import dev.kale4j.converter.Compilation;
import dev.kale4j.converter.PipelineCompiler;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KfpSubmissionTest {
    @TempDir
    Path dir;
    FakeKfpServer kfp;
    Compilation compilation;
    String yaml;

    @BeforeEach
    void setUp() throws Exception {
        kfp = new FakeKfpServer("good-token");
        Notebook nb = Fixtures.notebook(Fixtures.WORD_STATS, dir);
        compilation = PipelineCompiler.compile(nb);
        yaml = Files.readString(Targets.find("kfp").compile(compilation, nb, CompileOptions.defaults(), dir.resolve("o"))
                .get(0));
    }

    @AfterEach
    void tearDown() {
        assertThat(kfp.problems).as("requests the fake API rejected as malformed").isEmpty();
        kfp.close();
    }

    KfpClient client(String token) {
        return new KfpClient(kfp.uri(), new KfpClient.Auth(token, "test token"), Duration.ofMillis(20));
    }

    @Test
    void uploadsCreatesTheExperimentAndRunWithTypedParametersThenPollsToSuccess() throws Exception {
        var params = dev.kale4j.runner.LocalRunner.parameterValues(compilation.pipeline(), Map.of("top", "5"));
        var s = KfpSubmission.submit(client("good-token"), compilation.pipeline(), "word-stats", yaml, params, "ns1");
        assertThat(s.pipeline().newPipeline()).isTrue();
        assertThat(s.pipeline().versionId()).isNotBlank();
        var run = kfp.runs.get(s.runId());
        assertThat(run.path("runtime_config").path("parameters").path("top").isNumber()).isTrue();
        assertThat(run.path("runtime_config").path("parameters").path("top").asInt()).isEqualTo(5);
        assertThat(run.path("runtime_config").path("parameters").path("text").isTextual()).isTrue();
        assertThat(run.path("pipeline_version_reference").path("pipeline_version_id").asText())
                .isEqualTo(s.pipeline().versionId());
        assertThat(kfp.experiments.get(s.experimentId()).path("display_name").asText()).isEqualTo("examples");

        List<String> lines = new CopyOnWriteArrayList<>();
        RunStatus done = client("good-token").watch(s.runId(), Duration.ofSeconds(10), lines::add);
        assertThat(done.succeeded()).isTrue();
        assertThat(lines).containsSubsequence("run " + s.runId() + ": PENDING", "run " + s.runId() + ": RUNNING",
                "run " + s.runId() + ": SUCCEEDED");
        assertThat(lines).contains("  tokenize: SUCCEEDED", "  report: SUCCEEDED").noneMatch(l -> l.contains("root"));
    }

    @Test
    void aSecondSubmissionUploadsANewVersionAfterA409AndReusesTheExperiment() {
        var first = KfpSubmission.submit(client("good-token"), compilation.pipeline(), "word-stats", yaml, Map.of(), null);
        var second = KfpSubmission.submit(client("good-token"), compilation.pipeline(), "word-stats", yaml, Map.of(), null);
        assertThat(second.pipeline().newPipeline()).isFalse();
        assertThat(second.pipeline().pipelineId()).isEqualTo(first.pipeline().pipelineId());
        assertThat(second.pipeline().versionId()).isNotEqualTo(first.pipeline().versionId());
        assertThat(second.experimentId()).isEqualTo(first.experimentId());
        assertThat(kfp.experiments).hasSize(1);
        assertThat(kfp.requests).contains("POST /apis/v2beta1/pipelines/upload_version",
                "GET /apis/v2beta1/pipelines/names/word-stats");
    }

    @Test
    void a401SaysWhichCredentialsWereUsedAndCreatesNothing() {
        assertThatThrownBy(() -> KfpSubmission.submit(client("stale"), compilation.pipeline(), "word-stats", yaml,
                Map.of(), null)).isInstanceOf(UserError.class).hasMessageContaining("401")
                .hasMessageContaining("test token").hasMessageContaining(KfpClient.PROJECTED_TOKEN);
        assertThat(kfp.pipelines).isEmpty();
        assertThat(kfp.runs).isEmpty();
    }

    @Test
    void whenTheRunCannotBeCreatedTheMessageSaysThePipelineWasUploaded() {
        kfp.failNext("/apis/v2beta1/runs", 403);
        assertThatThrownBy(() -> KfpSubmission.submit(client("good-token"), compilation.pipeline(), "word-stats", yaml,
                Map.of(), "team-a")).isInstanceOf(UserError.class).hasMessageContaining("403")
                .hasMessageContaining("pipeline word-stats (id p-1) was uploaded and stays in KFP; no run was created");
        assertThat(kfp.pipelines).hasSize(1);
        assertThat(kfp.runs).isEmpty();
    }

    @Test
    void anUnreachableApiSaysHowToReachIt() {
        KfpClient down = new KfpClient(URI.create("http://127.0.0.1:1"), KfpClient.Auth.none(), Duration.ofMillis(10));
        assertThatThrownBy(() -> down.upload("x", null, new byte[0], null)).isInstanceOf(UserError.class)
                .hasMessageContaining("cannot reach the KFP API").hasMessageContaining("port-forward");
    }

    @Test
    void withoutATokenFileTheKubeconfigTokenIsUsed() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeFalse(Files.exists(Path.of(KfpClient.PROJECTED_TOKEN))
                || System.getenv("KF_PIPELINES_SA_TOKEN_PATH") != null, "a projected token exists on this machine");
        Path kubeconfig = Files.writeString(dir.resolve("kubeconfig"), String.join("\n",
                "apiVersion: v1", "kind: Config", "current-context: c",
                "clusters: [{name: k, cluster: {server: 'https://127.0.0.1:6443'}}]",
                "users: [{name: u, user: {token: kube-token}}]",
                "contexts: [{name: c, context: {cluster: k, user: u, namespace: team-a}}]", ""));
        String old = System.getProperty("kubeconfig");
        System.setProperty("kubeconfig", kubeconfig.toString());
        try {
            KfpClient.Auth auth = KfpClient.Auth.resolve(null);
            assertThat(auth.token()).isEqualTo("kube-token");
            assertThat(auth.source()).isEqualTo("kubeconfig token");
        } finally {
            if (old == null) {
                System.clearProperty("kubeconfig");
            } else {
                System.setProperty("kubeconfig", old);
            }
        }
    }

    @Test
    void aTokenFileIsReadForTheBearerToken() throws Exception {
        Path token = Files.writeString(dir.resolve("token"), "good-token\n");
        KfpClient.Auth auth = KfpClient.Auth.resolve(token);
        assertThat(auth.token()).isEqualTo("good-token");
        var up = new KfpClient(kfp.uri(), auth, Duration.ofMillis(10)).upload("word-stats", null,
                yaml.getBytes(java.nio.charset.StandardCharsets.UTF_8), null);
        assertThat(up.pipelineId()).isEqualTo("p-1");
    }
}
