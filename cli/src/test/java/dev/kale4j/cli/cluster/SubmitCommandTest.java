package dev.kale4j.cli.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kale4j.cli.Main;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The cluster commands' user-facing errors: one line, exit 2 (the flows themselves are tested in converter). */
class SubmitCommandTest {
    @TempDir
    Path dir;

    record Result(int exit, String out, String err) {
    }

    Result run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int exit = Main.execute(new PrintWriter(out, true), new PrintWriter(err, true), args);
        return new Result(exit, out.toString(), err.toString());
    }

    Path notebook() throws Exception {
        Path nb = dir.resolve("word-stats.ipynb");
        try (InputStream in = Files.newInputStream(Path.of("../converter/src/test/resources/cluster/notebooks/word-stats.ipynb"))) {
            Files.copy(in, nb, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        }
        return nb;
    }

    @Test
    void wrongParametersAreRejectedBeforeContactingAnyCluster() throws Exception {
        Result r = run("submit", notebook().toString(), "--target", "argo", "-p", "top=many");
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err()).contains("kale4j: parameter top is int").doesNotContain("Exception");
        r = run("submit", notebook().toString(), "--target", "kfp", "-p", "nope=1");
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err()).contains("unknown parameter nope");
    }

    @Test
    void anUnreachableKfpApiIsOneMessage() throws Exception {
        Result r = run("submit", notebook().toString(), "--target", "kfp", "--kfp-url", "http://127.0.0.1:1");
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err()).startsWith("kale4j: cannot reach the KFP API at http://127.0.0.1:1")
                .contains("port-forward").doesNotContain("\tat ");
    }

    @Test
    void katibWithoutSearchSettingsSaysWhatToAdd() throws Exception {
        Result r = run("submit", notebook().toString(), "--target", "katib");
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err()).contains("katib_metadata is missing");
    }

    @Test
    void compileDispatchesToTheClusterTargets() throws Exception {
        Result r = run("compile", notebook().toString(), "--target", "argo", "--workflow-template", "-o",
                dir.resolve("out").toString());
        assertThat(r.exit()).isZero();
        assertThat(r.out().trim()).endsWith("word-stats-workflowtemplate.yaml");
        assertThat(Files.readString(Path.of(r.out().trim()))).contains("kind: WorkflowTemplate");
    }
}
