"""Shared fixtures: a kale4j kernel started by jupyter_client from the installed kernelspec."""
import os
import tempfile
import time

import jupyter_client
import pytest

KERNEL_NAME = os.environ.get("KALE4J_KERNEL_NAME", "kale4j")
TIMEOUT = 60


class Kernel:
    """A running kernel, its client and its log (the kernel's stderr)."""

    def __init__(self, **start_options):
        self.log_file = tempfile.NamedTemporaryFile(prefix="kale4j-kernel-", suffix=".log", delete=False)
        self.km = jupyter_client.KernelManager(kernel_name=KERNEL_NAME)
        self.km.start_kernel(stdout=self.log_file, stderr=self.log_file, **start_options)
        self.kc = self.km.client()
        self.kc.start_channels()
        self.kc.wait_for_ready(timeout=TIMEOUT)

    def log(self):
        with open(self.log_file.name, encoding="utf-8", errors="replace") as f:
            return f.read()

    def run(self, code, timeout=TIMEOUT, **kw):
        """Executes code; returns (reply content, list of (msg_type, content) outputs)."""
        outputs = []
        reply = self.kc.execute_interactive(
            code, timeout=timeout, output_hook=lambda m: outputs.append((m["msg_type"], m["content"])), **kw
        )
        return reply["content"], [o for o in outputs if o[0] not in ("status", "execute_input")]

    def value(self, code):
        reply, outs = self.run(code)
        assert reply["status"] == "ok", reply
        results = [c for t, c in outs if t == "execute_result"]
        assert results, outs
        return results[-1]["data"]["text/plain"]

    def stdout(self, code):
        reply, outs = self.run(code)
        assert reply["status"] == "ok", reply
        return "".join(c["text"] for t, c in outs if t == "stream" and c["name"] == "stdout")

    def shutdown(self):
        self.kc.stop_channels()
        self.km.shutdown_kernel(now=False)
        self.log_file.close()
        os.unlink(self.log_file.name)


@pytest.fixture(scope="module")
def kernel():
    k = Kernel()
    yield k
    k.shutdown()


def wait_for(predicate, timeout=10.0):
    end = time.time() + timeout
    while time.time() < end:
        if predicate():
            return True
        time.sleep(0.05)
    return predicate()
