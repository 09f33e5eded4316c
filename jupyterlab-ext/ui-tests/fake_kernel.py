"""A stand-in for the kale4j kernel, for the browser test of the UI when the real kernel is not
installed: an IPython kernel that answers the "kale4j" comm target the way the extension's client
expects (actions compile, run, run_status, logs, restore, targets, ping) and runs the pipeline as
a simulation: every step goes Running, then Succeeded, in dependency order.

The real test uses the real kernel (./kale4j install); this file is only the fallback.
"""
import json
import os
import threading
import time

from ipykernel.ipkernel import IPythonKernel
from ipykernel.kernelapp import IPKernelApp


def read_steps(path):
    with open(path, encoding="utf-8") as f:
        nb = json.load(f)
    steps, order, current = {}, [], None
    for cell in nb["cells"]:
        if cell["cell_type"] != "code":
            continue
        tags = cell.get("metadata", {}).get("tags", [])
        for t in tags:
            if t.startswith(("step:", "block:")):
                current = t.split(":", 1)[1]
                if current not in steps:
                    steps[current] = []
                    order.append(current)
        if current is None or any(t in ("imports", "functions", "skip", "pipeline-parameters",
                                        "pipeline-metrics", "hparams", "metrics", "parameters") for t in tags):
            continue
        for t in tags:
            if t.startswith("prev:"):
                steps[current].append(t.split(":", 1)[1])
            if t.startswith("deps:"):
                steps[current].extend(x.strip() for x in t.split(":", 1)[1].split(","))
    return [{"name": s, "deps": steps[s]} for s in order]


class FakeKale4jKernel(IPythonKernel):
    implementation = "kale4j-fake"

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.runs = {}
        self.comm_manager.register_target("kale4j", self._opened)
        self.shell.register_magic_function(self._pipeline_magic, "line", "pipeline")

    def _pipeline_magic(self, line):
        words = [w for w in line.split() if w not in ("--after", "--before")]
        if len(words) == 3 and words[0] == "restore":
            print(f"Restored variables of step {words[2]} from run {words[1]}: tokens")
        else:
            print("usage: %pipeline restore RUN STEP")

    def _opened(self, comm, _msg):
        comm.on_msg(lambda msg: self._received(comm, msg["content"]["data"]))

    def _received(self, comm, data):
        action, rid = data.get("action"), data.get("request_id")
        reply = {"action": action, "request_id": rid, "ok": True}
        try:
            if action == "ping":
                pass
            elif action == "targets":
                reply["available"] = ["local"]
            elif action == "compile":
                steps = read_steps(data["path"])
                reply.update(pipeline=os.path.basename(data["path"]), steps=steps)
            elif action == "run":
                steps = read_steps(data["path"])
                run_id = f"run-{len(self.runs) + 1}"
                run = {"run_id": run_id, "pipeline": "word-stats", "target": data.get("target", "local"),
                       "status": "Running",
                       "steps": [dict(s, status="Pending") for s in steps]}
                self.runs[run_id] = run
                threading.Thread(target=self._simulate, args=(run,), daemon=True).start()
                reply["run"] = run
            elif action == "run_status":
                reply["run"] = self.runs[data["run_id"]]
            elif action == "list_runs":
                reply["runs"] = [dict(r, steps=r["steps"]) for r in reversed(list(self.runs.values()))]
            elif action == "logs":
                reply["logs"] = f"[{data['step']}] started\n[{data['step']}] done\n"
            elif action == "restore":
                folder = data["folder"]
                os.makedirs(folder, exist_ok=True)
                with open(os.path.join(folder, "RESTORED"), "w") as f:
                    f.write(data["step"])
                reply.update(folder=folder, message=f"Files restored into {folder}.")
            else:
                reply.update(ok=False, error=f"unknown action '{action}'")
        except Exception as e:  # noqa: BLE001 - the error goes back to the UI
            reply.update(ok=False, error=str(e))
        comm.send(reply)

    def _simulate(self, run):
        done = set()
        while len(done) < len(run["steps"]):
            ready = [s for s in run["steps"] if s["name"] not in done and all(d in done for d in s["deps"])]
            for s in ready:
                s["status"] = "Running"
            time.sleep(0.6)
            for s in ready:
                s["status"] = "Succeeded"
                s["duration_ms"] = 600
                if not [o for o in run["steps"] if s["name"] in o["deps"]]:
                    s["metrics"] = {"distinct": 9}
                done.add(s["name"])
        run["metrics"] = {"meanLength": 3.67, "distinct": 9}
        run["status"] = "Succeeded"


if __name__ == "__main__":
    IPKernelApp.launch_instance(kernel_class=FakeKale4jKernel)
