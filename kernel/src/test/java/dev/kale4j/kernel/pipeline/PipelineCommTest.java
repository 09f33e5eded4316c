package dev.kale4j.kernel.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The kale4j comm target's run, run_status, stop, restore (files into a folder) and graph actions. */
@Timeout(value = 240, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class PipelineCommTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    private final CommProbe probe = new CommProbe();
    private final PipelineSupport support = probe.support;
    private final StringBuffer printed = probe.printed;
    private final List<ObjectNode> seen = probe.seen;

    static String notebook(String... cells) throws Exception {
        ObjectNode nb = JSON.createObjectNode().put("nbformat", 4).put("nbformat_minor", 5);
        nb.putObject("metadata").putObject("kernelspec").put("name", "kale4j").put("language", "java");
        ArrayNode list = nb.putArray("cells");
        for (int i = 0; i < cells.length; i += 2) {
            ObjectNode c = list.addObject().put("cell_type", "code").put("id", "c" + i).put("source", cells[i + 1]);
            c.putArray("outputs");
            c.putNull("execution_count");
            ArrayNode tags = c.putObject("metadata").putArray("tags");
            for (String t : cells[i].split(" ")) {
                tags.add(t);
            }
        }
        return JSON.writerWithDefaultPrettyPrinter().writeValueAsString(nb);
    }

    private Path write(String name, String content) throws Exception {
        Path p = dir.resolve(name);
        Files.writeString(p, content);
        return p;
    }

    private ObjectNode request(String action, Object... kv) {
        return CommProbe.request(action, kv);
    }

    private ObjectNode call(ObjectNode request) throws Exception {
        return probe.call(request);
    }

    private ObjectNode next(Predicate<ObjectNode> which, int seconds) throws InterruptedException {
        return probe.next(which, seconds);
    }

    static final String NUMBERS_NB_CELLS_NUMBERS = "java.nio.file.Files.writeString(java.nio.file.Path.of(\"numbers.txt\"), \"1 2 3\");\n"
            + "int count = 3;";

    @Test
    void runRepliesAtOnceStreamsProgressAndRestoresFilesIntoAFolder() throws Exception {
        Path nb = write("sum.ipynb", notebook(
                "step:numbers", NUMBERS_NB_CELLS_NUMBERS,
                "step:total prev:numbers", "java.nio.file.Files.writeString(java.nio.file.Path.of(\"total.txt\"), \"\" + (count * 2));"));
        long t0 = System.nanoTime();
        ObjectNode reply = call(request("run", "notebook", nb.toString()));
        long replyMs = (System.nanoTime() - t0) / 1_000_000;
        assertThat(reply.path("ok").asBoolean()).as(reply.toString()).isTrue();
        String runId = reply.path("run_id").asText();
        assertThat(runId).isNotBlank();
        // The reply comes before the run is over: no step has finished yet when it is sent.
        assertThat(reply.path("status").asText()).isEqualTo("Running");
        assertThat(reply.path("steps").findValuesAsText("name")).containsExactly("numbers", "total");
        assertThat(replyMs).isLessThan(20_000);

        ObjectNode finished = next(m -> m.path("action").asText().equals("run_finished"), 180);
        assertThat(finished.path("run_id").asText()).isEqualTo(runId);
        assertThat(finished.path("status").asText()).as(finished.toString()).isEqualTo("Succeeded");
        assertThat(finished.path("snapshots").has("_initial")).isTrue();
        assertThat(finished.path("snapshots").has("numbers")).isTrue();
        assertThat(finished.path("snapshots").has("total")).isTrue();

        List<String> progress = new ArrayList<>();
        for (ObjectNode m : seen) {
            if (m.path("action").asText().equals("run_progress")) {
                assertThat(m.path("run_id").asText()).isEqualTo(runId);
                assertThat(m.has("duration_ms")).isTrue();
                assertThat(m.has("message")).isTrue();
                progress.add(m.path("step").asText() + "=" + m.path("status").asText());
            }
        }
        assertThat(progress).containsExactly("numbers=Running", "numbers=Succeeded", "total=Running", "total=Succeeded");
        ObjectNode numbersDone = seen.stream().filter(m -> m.path("step").asText().equals("numbers")
                && m.path("status").asText().equals("Succeeded")).findFirst().orElseThrow();
        assertThat(numbersDone.path("snapshot").asText()).isEqualTo(finished.path("snapshots").path("numbers").asText());

        ObjectNode status = call(request("run_status", "run_id", runId, "notebook", nb.toString()));
        assertThat(status.path("run").path("status").asText()).isEqualTo("Succeeded");
        assertThat(status.path("run").path("steps").findValuesAsText("status")).containsExactly("Succeeded", "Succeeded");
        assertThat(status.path("run").path("steps").get(1).path("deps").get(0).asText()).isEqualTo("numbers");

        // Files after step numbers: numbers.txt, not yet total.txt.
        ObjectNode restored = call(request("restore", "run_id", runId, "step", "numbers", "after", true,
                "notebook", nb.toString(), "folder", "restored/numbers"));
        assertThat(restored.path("ok").asBoolean()).as(restored.toString()).isTrue();
        assertThat(restored.path("folder").asText()).isEqualTo("restored/numbers");
        assertThat(restored.path("files").asInt()).isEqualTo(1);
        assertThat(Files.readString(dir.resolve("restored/numbers/numbers.txt"))).isEqualTo("1 2 3");
        assertThat(dir.resolve("restored/numbers/total.txt")).doesNotExist();
        // After total: both files.
        ObjectNode after = call(request("restore", "run_id", runId, "step", "total", "after", true,
                "notebook", nb.toString(), "folder", "restored/total"));
        assertThat(after.path("files").asInt()).as(after.toString()).isEqualTo(2);
        assertThat(Files.readString(dir.resolve("restored/total/total.txt"))).isEqualTo("6");
        // Before total: the workspace as total started (after numbers).
        ObjectNode before = call(request("restore", "run_id", runId, "step", "total", "after", false,
                "notebook", nb.toString(), "folder", "restored/before-total"));
        assertThat(before.path("files").asInt()).as(before.toString()).isEqualTo(1);
        assertThat(dir.resolve("restored/before-total/numbers.txt")).exists();

        // Folders that escape the notebook's folder are refused with a clear error and nothing is written.
        Path outside = dir.getParent().resolve("escaped-" + System.nanoTime());
        for (String bad : List.of("../" + outside.getFileName(), outside.toString(), "restored/../../" + outside.getFileName())) {
            ObjectNode refused = call(request("restore", "run_id", runId, "step", "numbers", "notebook", nb.toString(),
                    "folder", bad));
            assertThat(refused.path("ok").asBoolean()).isFalse();
            assertThat(refused.path("error").asText()).contains("outside the notebook's folder").doesNotContain("Exception");
        }
        assertThat(outside).doesNotExist();
        // A folder that exists with files in it is refused too.
        ObjectNode busy = call(request("restore", "run_id", runId, "step", "numbers", "notebook", nb.toString(),
                "folder", "restored/numbers"));
        assertThat(busy.path("error").asText()).contains("not empty");
        ObjectNode noStep = call(request("restore", "run_id", runId, "step", "nope", "notebook", nb.toString(),
                "folder", "restored/nope"));
        assertThat(noStep.path("error").asText()).contains("has no step nope");
    }

    @Test
    void stopEndsTheStepJvmAndMarksTheRunStopped() throws Exception {
        Path nb = write("slow.ipynb", notebook(
                "step:slow", "java.nio.file.Files.writeString(java.nio.file.Path.of(\"pid\"), \"\" + ProcessHandle.current().pid());\n"
                        + "Thread.sleep(120_000);\nint done = 1;",
                "step:after prev:slow", "int later = done + 1;"));
        ObjectNode reply = call(request("run", "notebook", nb.toString()));
        assertThat(reply.path("ok").asBoolean()).as(reply.toString()).isTrue();
        String runId = reply.path("run_id").asText();
        Path pidFile = dir.resolve(".kale4j/runs/" + runId + "/workspace/pid");
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!Files.exists(pidFile) || Files.readString(pidFile).isBlank()) {
            assertThat(System.nanoTime()).as("the slow step started").isLessThan(end);
            Thread.sleep(100);
        }
        long pid = Long.parseLong(Files.readString(pidFile).trim());
        assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive)).contains(true);
        ObjectNode running = call(request("run_status", "run_id", runId));
        assertThat(running.path("run").path("status").asText()).isEqualTo("Running");
        assertThat(running.path("run").path("active").asBoolean()).isTrue();
        assertThat(running.path("run").path("steps").get(0).path("status").asText()).isEqualTo("Running");
        // A run still going (no summary.json yet) is listed too.
        ObjectNode listed = call(request("list_runs", "notebook", nb.toString()));
        assertThat(listed.path("runs").findValuesAsText("run_id")).containsExactly(runId);
        assertThat(listed.path("runs").get(0).path("status").asText()).isEqualTo("Running");

        long t0 = System.nanoTime();
        ObjectNode stopped = call(request("stop", "run_id", runId));
        assertThat(stopped.path("ok").asBoolean()).as(stopped.toString()).isTrue();
        assertThat(stopped.path("status").asText()).isEqualTo("Stopped");
        assertThat((System.nanoTime() - t0) / 1_000_000).isLessThan(5_000);
        // The step JVM is gone.
        long gone = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)) {
            assertThat(System.nanoTime()).as("step JVM " + pid + " ended").isLessThan(gone);
            Thread.sleep(50);
        }
        ObjectNode finished = next(m -> m.path("action").asText().equals("run_finished"), 10);
        assertThat(finished.path("status").asText()).isEqualTo("Stopped");
        ObjectNode status = call(request("run_status", "run_id", runId));
        JsonNode steps = status.path("run").path("steps");
        assertThat(steps.get(0).path("status").asText()).isEqualTo("Failed");
        assertThat(steps.get(0).path("message").asText()).contains("stopped");
        assertThat(steps.get(1).path("status").asText()).isEqualTo("Skipped");
        // The summary on disk says so too (list_runs, restore of finished steps).
        assertThat(Files.readString(dir.resolve(".kale4j/runs/" + runId + "/summary.json"))).contains("\"Stopped\"");
        ObjectNode again = call(request("stop", "run_id", "no-such-run"));
        assertThat(again.path("ok").asBoolean()).isFalse();
    }

    @Test
    void graphIsStructuredAndErrorsPointAtTheCell() throws Exception {
        Path nb = write("g.ipynb", notebook("step:a", "int x = 1;", "step:b prev:a", "int y = x + 1;"));
        ObjectNode g = call(request("graph", "notebook", nb.toString()));
        assertThat(g.path("ok").asBoolean()).as(g.toString()).isTrue();
        assertThat(g.path("steps").toString()).isEqualTo("[{\"name\":\"a\",\"deps\":[]},{\"name\":\"b\",\"deps\":[\"a\"]}]");
        Path broken = write("broken.ipynb", notebook("step:a", "int x = 1;", "step:b prev:nope", "int y = 2;"));
        ObjectNode e = call(request("graph", "notebook", broken.toString()));
        assertThat(e.path("ok").asBoolean()).isFalse();
        assertThat(e.path("cell").asInt(-1)).as(e.toString()).isEqualTo(1);
        assertThat(e.path("cell_id").asText()).isEqualTo("c2");
        assertThat(e.path("tag").asText()).isEqualTo("prev:nope");
        ObjectNode run = call(request("run", "notebook", broken.toString()));
        assertThat(run.path("ok").asBoolean()).isFalse();
        assertThat(run.path("cell").asInt(-1)).isEqualTo(1);
        ObjectNode unknown = call(request("frobnicate"));
        assertThat(unknown.path("error").asText()).isEqualTo("unknown action 'frobnicate'");
    }

    @Test
    void errorRepliesNameCellIdAndTag() {
        ObjectNode r = JSON.createObjectNode();
        PipelineSupport.error(r, "nb.ipynb: cell 7 (id c7): tag \"prev:x\": no step is named \"x\"");
        assertThat(r.path("cell").asInt()).isEqualTo(7);
        assertThat(r.path("cell_id").asText()).isEqualTo("c7");
        assertThat(r.path("tag").asText()).isEqualTo("prev:x");
        ObjectNode plain = JSON.createObjectNode();
        PipelineSupport.error(plain, "no steps");
        assertThat(plain.has("cell")).isFalse();
    }
}
