"""Pipeline awareness through a real client: tags from execute_request metadata, live warnings,
%pipeline graph/run/status/restore and the kale4j comm target."""
import json
import pathlib
import time
import uuid

import pytest

from conftest import Kernel


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


def test_pipeline_run_status_restore_and_comm(kernel, tmp_path):
    nb = tmp_path / "sum.ipynb"
    nb.write_text(json.dumps(NOTEBOOK))
    reply, outs = kernel.run("%pipeline run -p n=4 --in-process --notebook " + str(nb), timeout=180)
    text = "".join(c.get("text", "") for t, c in outs if t == "stream")
    assert reply["status"] == "ok", (reply, text)
    assert "numbers" in text and "total" in text
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
