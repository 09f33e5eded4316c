package dev.kale4j.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The command line as users meet it: exit codes, one-line messages, files written. */
class MainTest {
    @TempDir
    Path dir;

    private record Result(int code, String out, String err) {
    }

    private static Result cli(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Main.execute(new PrintWriter(out, true), new PrintWriter(err, true), args);
        return new Result(code, out.toString(), err.toString());
    }

    private Path notebook(String name, String json) throws Exception {
        Path p = dir.resolve(name);
        Files.writeString(p, json);
        return p;
    }

    private static String nb(String cells) {
        return "{\"nbformat\": 4, \"metadata\": {\"kernelspec\": {\"name\": \"kale4j\", \"language\": \"java\"}}, \"cells\": ["
                + cells + "]}";
    }

    private static String cell(String id, String source, String... tags) {
        return "{\"cell_type\": \"code\", \"id\": \"" + id + "\", \"metadata\": {\"tags\": [" + String.join(",",
                java.util.Arrays.stream(tags).map(t -> "\"" + t + "\"").toList()) + "]}, \"source\": \""
                + source.replace("\"", "\\\"").replace("\n", "\\n") + "\", \"outputs\": []}";
    }

    private static void assertOneLineUserError(Result r, String... fragments) {
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err().strip().lines()).hasSize(1);
        assertThat(r.err()).startsWith("kale4j: ").doesNotContain("\tat ").doesNotContain("Exception");
        for (String f : fragments) {
            assertThat(r.err()).contains(f);
        }
    }

    @Test
    void versionWorks() {
        Result r = cli("--version");
        assertThat(r.code()).isZero();
        assertThat(r.out()).startsWith("kale4j 0.");
    }

    @Test
    void badNotebooksGiveOneClearMessageAndExitTwo() throws Exception {
        assertOneLineUserError(cli("run", notebook("broken.ipynb", "{\"cells\": [").toString()),
                "broken.ipynb", "not valid notebook JSON");
        assertOneLineUserError(cli("compile", notebook("py.ipynb",
                "{\"nbformat\": 4, \"metadata\": {\"kernelspec\": {\"name\": \"python3\", \"language\": \"python\"}}, \"cells\": []}").toString()),
                "not Java");
        assertOneLineUserError(cli("run", notebook("tag.ipynb", nb(cell("a1", "int x = 1;", "step:a", "gpu:1", "prevv:a"))).toString()),
                "cell 0 (id a1)", "unknown tag \"prevv:a\"", "did you mean \"prev:a\"?");
        assertOneLineUserError(cli("graph", notebook("cycle.ipynb", nb(cell("a1", "int x = 1;", "step:a", "prev:b") + ","
                + cell("b1", "int y = 1;", "step:b", "prev:a"))).toString()), "cycle");
        assertOneLineUserError(cli("run", notebook("syntax.ipynb", nb(cell("s1", "int x = 1;\nint y = (2;", "step:a"))).toString()),
                "cell 0 (id s1)", "line 2", "syntax error");
        assertOneLineUserError(cli("run", notebook("params.ipynb", nb(cell("p1", "int n = 2 + 2;", "pipeline-parameters") + ","
                + cell("a1", "int m = n;", "step:a"))).toString()), "cell 0 (id p1)", "not a literal");
        assertOneLineUserError(cli("run", notebook("metric.ipynb", nb(cell("a1", "int m = 1;", "step:a") + ","
                + cell("m1", "System.out.println(acc);", "pipeline-metrics"))).toString()), "cell 1 (id m1)", "metric `acc`");
        assertOneLineUserError(cli("run", notebook("name.ipynb", nb(cell("a1", "int m = 1;", "step:Load-Data"))).toString()),
                "cell 0 (id a1)", "\"load_data\"");
        assertOneLineUserError(cli("run", dir.resolve("missing.ipynb").toString()), "no such notebook");
        assertThat(cli("run").code()).isEqualTo(2);
        assertThat(cli("compile", "--target", "nonsense", "../samples/word-stats.ipynb").code()).isEqualTo(2);
    }

    @Test
    void compileWritesTheModelAndPrintsItsPath() throws Exception {
        Result r = cli("compile", "../samples/short-tags.ipynb", "--target", "ir", "-o", dir.toString());
        assertThat(r.code()).isZero();
        Path written = Path.of(r.out().strip());
        assertThat(written).exists();
        JsonNode ir = new ObjectMapper().readTree(written.toFile());
        assertThat(ir.get("steps")).hasSize(3);
        assertThat(r.err()).contains("note: step train uses `xs` from step prepare: added dependency prepare -> train");
        Result g = cli("graph", "../samples/short-tags.ipynb", "--svg", dir.resolve("g.svg").toString());
        assertThat(g.out()).contains("evaluate").contains("<- train");
        assertThat(Files.readString(dir.resolve("g.svg"))).startsWith("<svg").contains("id=\"step-evaluate\"");
    }

    @Test
    void runWritesTheSummaryAndExitsByOutcome() throws Exception {
        Path summary = dir.resolve("summary.json");
        Result r = cli("run", "../samples/word-stats.ipynb", "-p", "top=1", "--workdir", dir.resolve("w").toString(),
                "--summary", summary.toString(), "--no-snapshots");
        assertThat(r.code()).as(r.out() + r.err()).isZero();
        JsonNode s = new ObjectMapper().readTree(summary.toFile());
        assertThat(s.get("status").asText()).isEqualTo("Succeeded");
        assertThat(s.get("runId").asText()).isNotBlank();
        assertThat(s.at("/steps/report/status").asText()).isEqualTo("Succeeded");
        assertThat(s.at("/steps/report/inputs").toString()).isEqualTo("[\"freq\",\"meanLength\"]");
        assertThat(s.at("/steps/tokenize/durationMs").asLong()).isPositive();
        assertThat(s.at("/metrics/distinct").asDouble()).isEqualTo(9.0);
        assertThat(s.at("/parameters/top").asInt()).isEqualTo(1);
        assertThat(r.out()).contains("report").contains("Succeeded");
        // --no-snapshots: no repository, no ids in the summary or the printed lines.
        assertThat(dir.resolve("w/snapshots")).doesNotExist();
        assertThat(s.path("snapshots").size()).isZero();
        assertThat(r.out()).doesNotContain("snapshots:");

        Path failing = notebook("fail.ipynb", nb(cell("f1", "throw new IllegalStateException(\"boom\");", "step:a")));
        Result f = cli("run", failing.toString(), "--workdir", dir.resolve("w").toString(), "--no-snapshots");
        assertThat(f.code()).isEqualTo(1);
        assertThat(f.out()).contains("step a failed at cell 0 (id f1), line 1: java.lang.IllegalStateException: boom");
    }

    @Test
    void everyStepsWorkspaceCanBeRestored() throws Exception {
        Path nbFile = notebook("files.ipynb", nb(cell("w1", "Files.writeString(Path.of(\"out.txt\"), \"first\");\nint a = 1;", "step:write")
                + "," + cell("w2", "Files.writeString(Path.of(\"out.txt\"), \"second\");\nint b = a + 1;", "step:rewrite")));
        Path work = dir.resolve("w");
        Result r = cli("run", nbFile.toString(), "--workdir", work.toString(), "--summary", dir.resolve("s.json").toString());
        assertThat(r.code()).as(r.err()).isZero();
        JsonNode s = new ObjectMapper().readTree(dir.resolve("s.json").toFile());
        assertThat(s.at("/snapshots/_initial").asText()).isNotBlank();
        // The printed summary lists them too, in step order.
        assertThat(r.out()).contains("snapshots: _initial=" + s.at("/snapshots/_initial").asText().substring(0, 12)
                + " write=" + s.at("/snapshots/write").asText().substring(0, 12)
                + " rewrite=" + s.at("/snapshots/rewrite").asText().substring(0, 12));
        String run = s.get("runId").asText();
        Result first = cli("restore", run, "write", "--target", dir.resolve("after-write").toString(), "--workdir", work.toString());
        assertThat(first.code()).as(first.err()).isZero();
        assertThat(Files.readString(dir.resolve("after-write/out.txt"))).isEqualTo("first");
        assertThat(cli("restore", "latest", "rewrite", "--target", dir.resolve("after-rewrite").toString(), "--workdir", work.toString()).code()).isZero();
        assertThat(Files.readString(dir.resolve("after-rewrite/out.txt"))).isEqualTo("second");
        assertOneLineUserError(cli("restore", run, "nope", "--target", dir.resolve("x").toString(), "--workdir", work.toString()),
                "no snapshot for step nope", "_initial, write, rewrite");
        assertOneLineUserError(cli("restore", "19990101-000000-0000", "write", "--target", dir.resolve("y").toString(),
                "--workdir", work.toString()), "no run 19990101-000000-0000");
    }
}
