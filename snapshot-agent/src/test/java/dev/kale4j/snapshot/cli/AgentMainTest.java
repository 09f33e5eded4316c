package dev.kale4j.snapshot.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** The command-line contract: output formats and exit codes (0 ok, 2 bad input with a message only). */
class AgentMainTest {
    @TempDir
    Path tmp;

    record Result(int code, String out, String err) {
    }

    static Result run(String... args) {
        PrintStream oldOut = System.out;
        PrintStream oldErr = System.err;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        System.setOut(new PrintStream(out, true));
        System.setErr(new PrintStream(err, true));
        try {
            int code = AgentMain.execute(args);
            return new Result(code, out.toString(), err.toString());
        } finally {
            System.setOut(oldOut);
            System.setErr(oldErr);
        }
    }

    @Test
    void createListDiffRestoreForgetGc() throws Exception {
        Path src = Files.createDirectories(tmp.resolve("src"));
        Files.writeString(src.resolve("a.txt"), "one");
        String repo = tmp.resolve("repo").toString();
        Result c1 = run("create", "--repo", repo, "--source", src.toString(), "--tag", "run=7", "--tag", "step=load",
                "--json");
        assertThat(c1.code()).as(c1.err()).isZero();
        JsonNode j = new ObjectMapper().readTree(c1.out());
        String id1 = j.get("id").asText();
        assertThat(id1).matches("[0-9a-f]{64}");
        assertThat(j.get("tags").get("step").asText()).isEqualTo("load");

        Files.writeString(src.resolve("b.txt"), "two");
        Result c2 = run("create", "--repo", repo, "--source", src.toString(), "--tag", "run=7", "--tag", "step=train");
        assertThat(c2.out()).startsWith("snapshot ").contains("2 files");
        JsonNode list = new ObjectMapper().readTree(run("list", "--repo", repo, "--json").out());
        assertThat(list).hasSize(2);
        String id2 = list.get(0).get("id").asText();
        assertThat(list.get(0).get("addedBytes").asLong()).isPositive();
        Result table = run("list", "--repo", repo);
        assertThat(table.out()).contains("ADDED").contains(id1.substring(0, 12)).contains("run=7,step=load");

        // b.txt is new; the root directory's mtime changed with it.
        assertThat(run("diff", "--repo", repo, id1, id2).out()).contains("+ b.txt\n").contains("T .  (mtime)")
                .contains("2 difference(s)");
        Result restore = run("restore", "--repo", repo, "--id", id2.substring(0, 6), "--target",
                tmp.resolve("out").toString());
        assertThat(restore.code()).isZero();
        assertThat(Files.readString(tmp.resolve("out/b.txt"))).isEqualTo("two");
        assertThat(run("forget", "--repo", repo, "--id", id1).code()).isZero();
        assertThat(run("gc", "--repo", repo).out()).startsWith("gc: ");
        assertThat(run("verify", "--repo", repo).out()).contains("is intact: 1 snapshots");
    }

    @Test
    void initCreatesAnEmptyRepositoryOnceAndCreateUsesIt() throws Exception {
        String repo = tmp.resolve("repo").toString();
        Result first = run("init", "--repo", repo);
        assertThat(first.code()).as(first.err()).isZero();
        assertThat(first.out()).startsWith("created snapshot repository " + repo);
        byte[] config = Files.readAllBytes(tmp.resolve("repo/config"));
        assertThat(run("list", "--repo", repo, "--json").out().trim()).isEqualTo("[ ]");

        Path src = Files.createDirectories(tmp.resolve("src"));
        Files.writeString(src.resolve("a.txt"), "one");
        assertThat(run("create", "--repo", repo, "--source", src.toString()).code()).isZero();
        Result again = run("init", "--repo", repo);
        assertThat(again.code()).isZero();
        assertThat(again.out()).contains("already exists; nothing changed");
        assertThat(Files.readAllBytes(tmp.resolve("repo/config"))).isEqualTo(config);
        assertThat(run("list", "--repo", repo, "--json").out()).contains("\"files\" : 1");

        Path file = Files.writeString(tmp.resolve("a-file"), "x");
        Result onFile = run("init", "--repo", file.toString());
        assertThat(onFile.code()).isEqualTo(2);
        assertThat(onFile.err()).isEqualTo("kale4j snapshot: snapshot repository " + file
                + " is a file, not a directory" + System.lineSeparator());
        assertThat(Files.readString(file)).isEqualTo("x");
    }

    @Test
    void badInputExitsTwoWithAMessageAndNoStackTrace() throws Exception {
        Result r = run("list", "--repo", tmp.resolve("missing").toString());
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).startsWith("kale4j snapshot: no kale4j snapshot repository at").doesNotContain("\tat ");
        Path src = Files.createDirectories(tmp.resolve("src"));
        Files.writeString(src.resolve("a"), "a");
        String repo = tmp.resolve("repo").toString();
        run("create", "--repo", repo, "--source", src.toString());
        Path pack;
        try (var s = Files.walk(tmp.resolve("repo/packs"))) {
            pack = s.filter(Files::isRegularFile).findFirst().orElseThrow();
        }
        byte[] b = Files.readAllBytes(pack);
        b[0] ^= 1;
        Files.write(pack, b);
        Result v = run("verify", "--repo", repo);
        assertThat(v.code()).isEqualTo(2);
        assertThat(v.err()).contains("is damaged").contains(pack.getFileName().toString()).doesNotContain("\tat ");
    }
}
