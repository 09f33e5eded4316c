"""Pipeline awareness through a real client: tags from execute_request metadata, live warnings,
%pipeline graph/run/status/restore and the kale4j comm target."""
import json
import os
import pathlib
import time
import uuid

import pytest

from conftest import Kernel, wait_for


@pytest.fixture(scope="module")
def kernel():
    k = Kernel()
    yield k
    k.shutdown()


def run_cell(kernel, code, cell_id, tags):
    """Executes like JupyterLab 4: the cell's metadata (tags) and cellId in the request metadata."""
    kc = kernel.kc
    msg = kc.session.msg("execute_request", {"code": code, "silent": False, "store_history": True,
                                             "user_expressions": {}, "allow_stdin": False, "stop_on_error": True},
                         metadata={"tags": tags, "cellId": cell_id, "trusted": True})
    kc.shell_channel.send(msg)
    reply = None
    while reply is None:
        m = kc.get_shell_msg(timeout=60)
        if m["parent_header"].get("msg_id") == msg["header"]["msg_id"]:
            reply = m
    outputs = []
    while True:
        m = kc.get_iopub_msg(timeout=10)
        if m["parent_header"].get("msg_id") != msg["header"]["msg_id"]:
            continue
        if m["msg_type"] == "status" and m["content"]["execution_state"] == "idle":
            break
        outputs.append((m["msg_type"], m["content"]))
    return reply["content"], outputs


def stderr(outputs):
    return "".join(c["text"] for t, c in outputs if t == "stream" and c["name"] == "stderr")


def test_warns_when_a_step_uses_a_variable_of_a_step_it_does_not_depend_on(kernel):
    r, out = run_cell(kernel, "int rows = 100;", "c-load", ["step:load"])
    assert r["status"] == "ok" and "warning" not in stderr(out)
    r, out = run_cell(kernel, "int cleaned = 7;", "c-clean", ["step:clean"])
    assert "warning" not in stderr(out)
    # train depends on clean only, but uses rows from load.
    r, out = run_cell(kernel, "int model = rows + cleaned;", "c-train", ["step:train", "prev:clean"])
    assert r["status"] == "ok"
    warning = stderr(out)
    assert "step train uses `rows` from step load" in warning
    assert "prev:load" in warning
    assert "cleaned" not in warning
    # An untagged cell continues the step above it; with the dependency declared there is no warning.
    r, out = run_cell(kernel, "int evaluation = cleaned * 2;", "c-train-2", [])
    assert "warning" not in stderr(out)


def test_pipeline_graph_from_the_live_session(kernel):
    reply, outs = kernel.run("%pipeline graph")
    assert reply["status"] == "ok", reply
    result = [c for t, c in outs if t == "execute_result"][0]["data"]
    assert "<svg" in result["image/svg+xml"]
    for step in ("load", "clean", "train"):
        assert step in result["text/plain"]


NOTEBOOK = {
    "nbformat": 4, "nbformat_minor": 5,
    "metadata": {"kernelspec": {"name": "kale4j", "display_name": "Java (kale4j)", "language": "java"}},
    "cells": [
        {"cell_type": "code", "id": "p", "metadata": {"tags": ["pipeline-parameters"]}, "execution_count": None,
         "outputs": [], "source": "int n = 5;"},
        {"cell_type": "code", "id": "a", "metadata": {"tags": ["step:numbers"]}, "execution_count": None,
         "outputs": [], "source": "List<Integer> numbers = new ArrayList<>();\nfor (int i = 1; i <= n; i++) numbers.add(i);"},
        {"cell_type": "code", "id": "b", "metadata": {"tags": ["step:total", "prev:numbers"]}, "execution_count": None,
         "outputs": [], "source": "int total = numbers.stream().mapToInt(Integer::intValue).sum();\nSystem.out.println(total);"},
    ],
}


def test_pipeline_magics_find_the_notebook_from_the_jupyter_session(tmp_path):
    # jupyter_server starts a notebook's kernel in the notebook's directory with JPY_SESSION_NAME set to the
    # notebook's path (relative to the server root when the server does not know the directory).
    (tmp_path / "work").mkdir()
    nb = tmp_path / "work" / "sum.ipynb"
    nb.write_text(json.dumps(NOTEBOOK))
    k = Kernel(env={**os.environ, "JPY_SESSION_NAME": "work/sum.ipynb"}, cwd=str(tmp_path / "work"))
    try:
        out = k.stdout("%pipeline compile --target ir -o compiled")
        assert pathlib.Path(out.strip().splitlines()[-1]).parent == tmp_path / "work" / "compiled"
    finally:
        k.shutdown()


def test_pipeline_run_status_restore_and_comm(kernel, tmp_path):
    nb = tmp_path / "sum.ipynb"
    nb.write_text(json.dumps(NOTEBOOK))
    reply, outs = kernel.run("%pipeline run -p n=4 --in-process --notebook " + str(nb), timeout=180)
    text = "".join(c.get("text", "") for t, c in outs if t == "stream")
    assert reply["status"] == "ok", (reply, text)
    assert "numbers" in text and "total" in text
    # Kernel runs take snapshots like kale4j run and print their ids.
    assert "snapshots: _initial=" in text and " numbers=" in text, text
    status = kernel.stdout("%pipeline status --notebook " + str(nb))
    assert "Succeeded" in status
    # The inputs of step total (numbers from step numbers) come back into the live session.
    reply, outs = kernel.run("%pipeline restore latest total --before --notebook " + str(nb))
    assert reply["status"] == "ok", reply
    assert kernel.value("numbers") == "[1, 2, 3, 4]"
    # --after loads the step's own outputs.
    reply, _ = kernel.run("%pipeline restore latest numbers --after --notebook " + str(nb))
    assert reply["status"] == "ok", reply
    # Compiling to the pipeline model (ir) writes the pipeline JSON next to the notebook.
    out = kernel.stdout("%pipeline compile --target ir -o compiled --notebook " + str(nb))
    written = pathlib.Path(out.strip().splitlines()[-1])
    assert written.exists() and written.parent == tmp_path / "compiled"
    assert {s["name"] for s in json.loads(written.read_text())["steps"]} == {"numbers", "total"}
    # The same through the JupyterLab extension's comm.
    kc = kernel.kc
    comm_id = str(uuid.uuid4())
    kc.session.send(kc.shell_channel.socket, "comm_open", {"comm_id": comm_id, "target_name": "kale4j", "data": {}})
    kc.session.send(kc.shell_channel.socket, "comm_msg", {"comm_id": comm_id, "data": {
        "action": "list_runs", "request_id": "r2", "notebook": str(nb)}})
    got = None
    end = time.time() + 30
    while time.time() < end and got is None:
        m = kc.get_iopub_msg(timeout=30)
        if m["msg_type"] == "comm_msg" and m["content"]["data"].get("request_id") == "r2":
            got = m["content"]["data"]
    assert got["ok"] is True
    assert got["runs"][0]["status"] == "Succeeded"


class Comm:
    """The kale4j comm target as the JupyterLab extension uses it."""

    def __init__(self, kernel):
        self.kc = kernel.kc
        self.id = str(uuid.uuid4())
        self.seen = []
        self.kc.session.send(self.kc.shell_channel.socket, "comm_open",
                             {"comm_id": self.id, "target_name": "kale4j", "data": {}})

    def send(self, action, **args):
        rid = action + "-" + str(uuid.uuid4())
        self.kc.session.send(self.kc.shell_channel.socket, "comm_msg", {"comm_id": self.id, "data": {
            "action": action, "request_id": rid, **args}})
        return rid

    def next(self, predicate, timeout=30):
        for m in self.seen:
            if predicate(m):
                self.seen.remove(m)
                return m
        end = time.time() + timeout
        while time.time() < end:
            try:
                m = self.kc.get_iopub_msg(timeout=max(0.1, end - time.time()))
            except Exception:
                continue
            if m["msg_type"] != "comm_msg" or m["content"]["comm_id"] != self.id:
                continue
            data = m["content"]["data"]
            if predicate(data):
                return data
            self.seen.append(data)
        raise AssertionError("no such comm message in %s s; seen %s" % (timeout, self.seen))

    def call(self, action, timeout=30, **args):
        rid = self.send(action, **args)
        return self.next(lambda d: d.get("request_id") == rid, timeout)


SLOW_NOTEBOOK = {
    "nbformat": 4, "nbformat_minor": 5,
    "metadata": {"kernelspec": {"name": "kale4j", "display_name": "Java (kale4j)", "language": "java"}},
    "cells": [
        {"cell_type": "code", "id": "s", "metadata": {"tags": ["step:slow"]}, "execution_count": None, "outputs": [],
         "source": 'java.nio.file.Files.writeString(java.nio.file.Path.of("pid"), "" + ProcessHandle.current().pid());\n'
                   "Thread.sleep(120_000);\nint done = 1;"},
        {"cell_type": "code", "id": "t", "metadata": {"tags": ["step:after", "prev:slow"]}, "execution_count": None,
         "outputs": [], "source": "int later = done + 1;"},
    ],
}


def alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A zombie is not a running JVM.
    try:
        with open("/proc/%d/stat" % pid) as f:
            return f.read().split(")")[-1].split()[0] != "Z"
    except FileNotFoundError:
        return False


def wait_for_pid(folder, timeout=90):
    end = time.time() + timeout
    while time.time() < end:
        for pid_file in pathlib.Path(folder, ".kale4j", "runs").glob("*/workspace/pid"):
            text = pid_file.read_text().strip()
            if text:
                return int(text)
        time.sleep(0.1)
    raise AssertionError("the slow step did not start in %s s" % timeout)


def test_comm_run_streams_progress_and_restores_files_into_a_folder(kernel, tmp_path):
    nb = tmp_path / "sum.ipynb"
    files_notebook = json.loads(json.dumps(NOTEBOOK))
    # Step numbers also leaves a file in the run's workspace.
    files_notebook["cells"][1]["source"] += '\njava.nio.file.Files.writeString(java.nio.file.Path.of("numbers.txt"), "" + numbers);'
    nb.write_text(json.dumps(files_notebook))
    comm = Comm(kernel)
    started = time.time()
    reply = comm.call("run", notebook=str(nb), parameters={"n": "3"})
    assert reply["ok"] is True, reply
    run_id = reply["run_id"]
    # The reply does not wait for the run: it comes before run_finished.
    assert reply["status"] == "Running"
    assert [s["name"] for s in reply["steps"]] == ["numbers", "total"]
    # The shell is free while the run goes on.
    assert comm.call("ping")["ok"] is True
    finished = comm.next(lambda d: d.get("action") == "run_finished", timeout=180)
    assert time.time() - started < 180
    assert finished["run_id"] == run_id and finished["status"] == "Succeeded", finished
    assert set(finished["snapshots"]) == {"_initial", "numbers", "total"}
    progress = [(d["step"], d["status"]) for d in comm.seen if d.get("action") == "run_progress"]
    assert progress == [("numbers", "Running"), ("numbers", "Succeeded"), ("total", "Running"), ("total", "Succeeded")]
    status = comm.call("run_status", run_id=run_id, notebook=str(nb))
    assert [(s["name"], s["status"]) for s in status["run"]["steps"]] == [("numbers", "Succeeded"), ("total", "Succeeded")]
    # Files of the step (its workspace after it) into a folder next to the notebook.
    restored = comm.call("restore", run_id=run_id, step="numbers", after=True, notebook=str(nb), folder="restored/numbers")
    assert restored["ok"] is True, restored
    assert restored["folder"] == "restored/numbers" and restored["files"] == 1
    assert (tmp_path / "restored" / "numbers" / "numbers.txt").read_text() == "[1, 2, 3]"
    # A folder that escapes the notebook's folder is refused, with a message and no traceback.
    refused = comm.call("restore", run_id=run_id, step="numbers", notebook=str(nb), folder="../outside")
    assert refused["ok"] is False
    assert "outside the notebook's folder" in refused["error"]
    assert "Exception" not in refused["error"] and "\tat " not in refused["error"]
    assert not (tmp_path.parent / "outside").exists()


def test_comm_stop_ends_the_run_and_its_step_jvm(kernel, tmp_path):
    nb = tmp_path / "slow.ipynb"
    nb.write_text(json.dumps(SLOW_NOTEBOOK))
    comm = Comm(kernel)
    reply = comm.call("run", notebook=str(nb))
    assert reply["ok"] is True, reply
    pid = wait_for_pid(tmp_path)
    assert alive(pid)
    running = comm.call("run_status", run_id=reply["run_id"])
    assert running["run"]["status"] == "Running"
    assert running["run"]["steps"][0]["status"] == "Running"
    t0 = time.time()
    stopped = comm.call("stop", run_id=reply["run_id"])
    assert stopped["ok"] is True and stopped["status"] == "Stopped", stopped
    assert time.time() - t0 < 5
    assert wait_for(lambda: not alive(pid), 5), "step JVM %d still running" % pid
    finished = comm.next(lambda d: d.get("action") == "run_finished", timeout=10)
    assert finished["status"] == "Stopped"
    steps = {s["name"]: s["status"] for s in finished["steps"]}
    assert steps == {"slow": "Failed", "after": "Skipped"}
    # The session still works.
    assert kernel.value("40 + 2") == "42"


def test_interrupt_stops_pipeline_run_and_the_session_stays_usable(kernel, tmp_path):
    nb = tmp_path / "slow.ipynb"
    nb.write_text(json.dumps(SLOW_NOTEBOOK))
    kc = kernel.kc
    msg_id = kc.execute("%pipeline run --notebook " + str(nb))
    pid = wait_for_pid(tmp_path)
    assert alive(pid)
    t0 = time.time()
    kernel.km.interrupt_kernel()
    reply = None
    while reply is None:
        m = kc.get_shell_msg(timeout=10)
        if m["parent_header"].get("msg_id") == msg_id:
            reply = m["content"]
    assert time.time() - t0 < 3, "interrupt took %.1f s" % (time.time() - t0)
    assert reply["status"] == "error" and reply["ename"] == "Interrupted", reply
    assert wait_for(lambda: not alive(pid), 5), "step JVM %d still running" % pid
    text = ""
    while True:
        m = kc.get_iopub_msg(timeout=10)
        if m["parent_header"].get("msg_id") != msg_id:
            continue
        if m["msg_type"] == "stream":
            text += m["content"]["text"]
        if m["msg_type"] == "status" and m["content"]["execution_state"] == "idle":
            break
    # Progress was streamed while it ran, and the end says the run stopped.
    assert "slow" in text and "Running" in text, text
    assert "Stopped" in text, text
    assert kernel.value("6 * 7") == "42"
