"""Sturdiness with a real client (jupyter_client): forged and malformed messages, floods,
interrupts, a dying execution JVM, and out-of-memory user code."""
import json
import time
import uuid
from queue import Empty

import pytest
from jupyter_client.session import Session

from conftest import Kernel, wait_for


@pytest.fixture(scope="module")
def kernel():
    k = Kernel()
    yield k
    k.shutdown()


def drain_shell(kc, timeout=0.5):
    msgs = []
    while True:
        try:
            msgs.append(kc.get_shell_msg(timeout=timeout))
        except Empty:
            return msgs


def test_forged_signature_is_dropped_and_logged(kernel):
    kc = kernel.kc
    drain_shell(kc, 0.2)
    forger = Session(key=b"not-the-kernel-key", session=kc.session.session)
    forger.send(kc.shell_channel.socket, "execute_request",
                {"code": "int forged = 1;", "silent": False, "store_history": True,
                 "user_expressions": {}, "allow_stdin": False})
    unsigned = Session(key=b"", session=kc.session.session)
    unsigned.send(kc.shell_channel.socket, "kernel_info_request", {})
    # Neither gets an answer ...
    assert drain_shell(kc, 1.0) == []
    # ... both are logged ...
    assert wait_for(lambda: kernel.log().count("bad or missing signature") >= 2), kernel.log()
    # ... and the kernel keeps serving (the forged cell did not run).
    reply, outs = kernel.run("forged")
    assert reply["status"] == "error" and "cannot find symbol" in reply["evalue"]
    assert kernel.value("1 + 1") == "2"


def signed_frames(kc, header, parent, metadata, content):
    parts = [p if isinstance(p, bytes) else json.dumps(p).encode() for p in (header, parent, metadata, content)]
    return [b"<IDS|MSG>", kc.session.sign(parts)] + parts


def header(kc, msg_type):
    return {"msg_id": str(uuid.uuid4()), "session": kc.session.session, "username": "test",
            "date": "2026-01-01T00:00:00Z", "msg_type": msg_type, "version": "5.3"}


def test_malformed_frames_and_unknown_types_do_not_crash(kernel):
    kc = kernel.kc
    sock = kc.shell_channel.socket
    # Correctly signed but not JSON.
    sock.send_multipart(signed_frames(kc, header(kc, "execute_request"), {}, {}, b"{not json"))
    # Signed JSON that is not an object.
    sock.send_multipart(signed_frames(kc, header(kc, "execute_request"), {}, {}, b"[1, 2]"))
    # Too few frames, no delimiter, garbage bytes.
    sock.send_multipart([b"<IDS|MSG>", b"sig"])
    sock.send_multipart([b"\xff\xfe garbage"])
    # Unknown message types on shell and control.
    kc.session.send(sock, "no_such_request", {"x": 1})
    kc.session.send(kc.control_channel.socket, "also_unknown_request", {})
    assert wait_for(lambda: "not valid JSON" in kernel.log() and "no_such_request" in kernel.log()), kernel.log()
    assert kernel.value("40 + 2") == "42"


def test_ten_thousand_messages(kernel):
    kc = kernel.kc
    drain_shell(kc, 0.2)
    n = 10_000
    t0 = time.time()
    ids = set()
    for i in range(n):
        ids.add(kc.session.send(kc.shell_channel.socket, "is_complete_request", {"code": "int x = %d;" % i})["header"]["msg_id"])
    answered = 0
    while answered < n:
        msg = kc.get_shell_msg(timeout=60)
        if msg["parent_header"].get("msg_id") in ids:
            assert msg["content"]["status"] == "complete"
            answered += 1
    elapsed = time.time() - t0
    print("10000 requests answered in %.1f s" % elapsed)
    # 20000 status messages went to IOPub; read them before the next cell (a PUB socket drops
    # what a slow subscriber has not read past its high-water mark, by design).
    while True:
        try:
            kc.get_iopub_msg(timeout=1)
        except Empty:
            break
    assert kernel.value("1 + 1") == "2"


def test_interrupt_stops_busy_loop_within_a_second(kernel):
    kernel.run("int survivor = 41;")
    kc = kernel.kc
    msg_id = kc.execute("while (true) { }")
    time.sleep(1.0)  # let it spin
    t0 = time.time()
    kernel.km.interrupt_kernel()
    while True:
        reply = kc.get_shell_msg(timeout=10)
        if reply["parent_header"].get("msg_id") == msg_id:
            break
    elapsed = time.time() - t0
    assert reply["content"]["status"] == "error"
    assert reply["content"]["ename"] == "Interrupted"
    assert elapsed < 1.0, elapsed
    # The session is intact.
    assert kernel.value("survivor + 1") == "42"


def test_interrupt_stops_sleep(kernel):
    kc = kernel.kc
    msg_id = kc.execute("Thread.sleep(60_000);")
    time.sleep(0.5)
    t0 = time.time()
    kernel.km.interrupt_kernel()
    while True:
        reply = kc.get_shell_msg(timeout=10)
        if reply["parent_header"].get("msg_id") == msg_id:
            break
    assert reply["content"]["status"] == "error"
    assert time.time() - t0 < 1.0
    assert kernel.value("1") == "1"


def test_system_exit_restarts_engine_and_reports_losses(kernel):
    kernel.run("int lost = 7;\nint twice(int x) { return 2 * x; }")
    reply, outs = kernel.run("System.exit(3);")
    assert reply["status"] == "error"
    assert reply["ename"] == "ExecutionEngineTerminated"
    assert "exit code 3" in reply["evalue"]
    assert "lost" in reply["evalue"] and "twice" in reply["evalue"]
    # Methods came back, variables did not, and the kernel process is the same.
    assert kernel.km.is_alive()
    assert kernel.value("twice(21)") == "42"
    reply, _ = kernel.run("lost")
    assert reply["status"] == "error" and "cannot find symbol" in reply["evalue"]


def test_out_of_memory_ends_cell_not_kernel(kernel):
    reply, outs = kernel.run(
        "List<long[]> hog = new ArrayList<>();\nwhile (true) { hog.add(new long[1_000_000]); }")
    assert reply["status"] == "error"
    assert "OutOfMemoryError" in reply["ename"] or reply["ename"] == "ExecutionEngineTerminated"
    assert kernel.km.is_alive()
    assert kernel.value("2 + 2") == "4"


def test_stdin_input_request(kernel):
    kc = kernel.kc
    prompts = []

    def answer(msg):
        prompts.append(msg["content"])
        kc.input("kale")

    out = []
    reply = kc.execute_interactive(
        'var sc = new Scanner(System.in);\nSystem.out.print("name? ");\nString name = sc.nextLine();\n'
        'System.out.println("hello " + name);',
        allow_stdin=True, stdin_hook=answer, timeout=60,
        output_hook=lambda m: out.append(m))
    assert reply["content"]["status"] == "ok", reply["content"]
    assert len(prompts) == 1
    text = "".join(m["content"]["text"] for m in out if m["msg_type"] == "stream")
    assert "hello kale" in text


def test_stdin_not_allowed_gives_end_of_input(kernel):
    reply, outs = kernel.run("new Scanner(System.in).hasNextLine()", allow_stdin=False)
    assert reply["status"] == "ok"
    assert [c["data"]["text/plain"] for t, c in outs if t == "execute_result"] == ["false"]


def test_comms(kernel):
    kc = kernel.kc
    comm_id = str(uuid.uuid4())
    kc.session.send(kc.shell_channel.socket, "comm_open", {"comm_id": comm_id, "target_name": "kale4j", "data": {}})
    kc.comm_info(target_name="kale4j")
    reply = None
    while reply is None or reply["msg_type"] != "comm_info_reply":
        reply = kc.get_shell_msg(timeout=10)
    assert reply["content"]["comms"][comm_id]["target_name"] == "kale4j"
    kc.session.send(kc.shell_channel.socket, "comm_msg",
                    {"comm_id": comm_id, "data": {"action": "ping", "request_id": "r1"}})
    got = None
    end = time.time() + 10
    while time.time() < end and got is None:
        msg = kc.get_iopub_msg(timeout=10)
        if msg["msg_type"] == "comm_msg" and msg["content"]["comm_id"] == comm_id:
            got = msg["content"]["data"]
    assert got == {"action": "ping", "request_id": "r1", "ok": True}
    # Unknown targets are closed right away.
    other = str(uuid.uuid4())
    kc.session.send(kc.shell_channel.socket, "comm_open", {"comm_id": other, "target_name": "nope", "data": {}})
    closed = False
    end = time.time() + 10
    while time.time() < end and not closed:
        msg = kc.get_iopub_msg(timeout=10)
        closed = msg["msg_type"] == "comm_close" and msg["content"]["comm_id"] == other
    assert closed
    kc.session.send(kc.shell_channel.socket, "comm_close", {"comm_id": comm_id, "data": {}})
    kc.comm_info()
    reply = None
    while reply is None or reply["msg_type"] != "comm_info_reply":
        reply = kc.get_shell_msg(timeout=10)
    assert comm_id not in reply["content"]["comms"]


def test_shutdown_request_with_restart(kernel):
    kernel.run("int beforeRestart = 1;")
    old_pid = kernel.km.provisioner.pid if kernel.km.provisioner else None
    kernel.km.restart_kernel(now=False)  # sends shutdown_request(restart=True), then starts a new kernel
    kernel.kc.wait_for_ready(timeout=60)
    if old_pid is not None:
        assert kernel.km.provisioner.pid != old_pid
    assert kernel.value("1 + 1") == "2"
    reply, _ = kernel.run("beforeRestart")
    assert reply["status"] == "error"
