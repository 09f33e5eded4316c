"""The notebook image's layout without Docker (kernel/docker/Dockerfile): the kernel is installed into
JupyterLab's prefix by root, and runs as jovyan (UID 1000, GID 100) with a home directory of its own,
so nothing it needs may be writable by the user or live in the home volume."""
import json
import os
import shutil
import subprocess
import sys
import tempfile

import jupyter_client
import pytest

NB_UID, NB_GID = 1000, 100


def files_under(root):
    out = {}
    for d, _, names in os.walk(root):
        for n in names:
            p = os.path.join(d, n)
            st = os.lstat(p)
            out[p] = (st.st_size, st.st_mtime_ns)
    return out


@pytest.mark.skipif(os.geteuid() != 0, reason="switching to UID 1000 as the image does needs root")
def test_kernel_runs_as_jovyan_from_a_system_prefix_it_cannot_write():
    prefix = sys.prefix  # kernel.sh ran `kale4j install --prefix` on this venv, as the Dockerfile does
    spec_dir = os.path.join(prefix, "share", "jupyter", "kernels", "kale4j")
    with open(os.path.join(spec_dir, "kernel.json"), encoding="utf-8") as f:
        spec = json.load(f)
    st = os.stat(spec_dir)
    assert st.st_uid != NB_UID and not st.st_mode & 0o002, "the kernelspec must not be writable by jovyan"
    installed = files_under(os.path.join(prefix, "share"))

    work = tempfile.mkdtemp(prefix="kale4j-jovyan-")
    os.chmod(work, 0o755)
    home = os.path.join(work, "home", "jovyan")
    os.makedirs(home)
    os.chown(home, NB_UID, NB_GID)
    conn = os.path.join(work, "kernel.json")
    jupyter_client.write_connection_file(conn, ip="127.0.0.1", key=os.urandom(16).hex().encode())
    os.chmod(conn, 0o644)  # written by root here, by the (jovyan) Jupyter server in the image
    argv = ["setpriv", f"--reuid={NB_UID}", f"--regid={NB_GID}", "--clear-groups", "--"]
    argv += [a.replace("{connection_file}", conn) for a in spec["argv"]]
    env = {"PATH": os.environ["PATH"], "HOME": home, "NB_PREFIX": "/notebook/kubeflow-user/kale4j"}
    env.update(spec.get("env", {}))
    log = open(os.path.join(work, "kernel.log"), "w+")
    proc = subprocess.Popen(argv, env=env, cwd=home, stdout=log, stderr=subprocess.STDOUT)
    kc = jupyter_client.BlockingKernelClient()
    kc.load_connection_file(conn)
    kc.start_channels()
    try:
        kc.wait_for_ready(timeout=60)
        results = []
        reply = kc.execute_interactive(
            'Files.getAttribute(Path.of("/proc/self"), "unix:uid") + " " + System.getenv("HOME") + " "'
            ' + Files.isWritable(Path.of(System.getenv("HOME")))',
            timeout=60,
            output_hook=lambda m: results.append(m["content"]) if m["msg_type"] == "execute_result" else None,
        )
        log.seek(0)
        assert reply["content"]["status"] == "ok", (reply["content"], log.read())
        # The user's code runs as jovyan, with the home volume as its home.
        assert results[-1]["data"]["text/plain"] == f'"{NB_UID} {home} true"'
        with open(f"/proc/{proc.pid}/status", encoding="utf-8") as f:
            uid_line = next(line for line in f if line.startswith("Uid:"))
        assert uid_line.split()[1] == str(NB_UID)  # setpriv execs the kernel JVM in its place
        kc.shutdown()
        assert proc.wait(timeout=30) == 0
    finally:
        kc.stop_channels()
        if proc.poll() is None:
            proc.kill()
        log.close()
    # The kernel wrote nothing into the system-wide installation (it could not have; it must not need to).
    assert files_under(os.path.join(prefix, "share")) == installed
    shutil.rmtree(work)
