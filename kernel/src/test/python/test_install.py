"""`kale4j install --user | --sys-prefix` put the kernelspec where Jupyter itself looks for it."""
import json
import os
import pathlib
import subprocess
import sys

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[4]


def install(flag, env):
    subprocess.run([str(ROOT / "kale4j"), "install", flag, "--no-cds"], check=True, capture_output=True,
                   env={**env, "KALE4J_SKIP_EXTENSION": "1"}, cwd=ROOT, timeout=300)


def kernelspecs(env):
    """What `jupyter kernelspec list` finds, from this test's Python environment, with only `env`."""
    out = subprocess.run([sys.executable, "-m", "jupyter_client.kernelspecapp", "list", "--json"], check=True,
                         capture_output=True, text=True, env=env, timeout=60).stdout
    return json.loads(out)["kernelspecs"]


@pytest.mark.parametrize("where", ["home", "xdg", "jupyter_data_dir"])
def test_user_install_is_found_by_jupyter(tmp_path, where):
    # This test's Python environment has its own kale4j kernel (kernel.sh), which Jupyter prefers in a
    # virtualenv; without the preference the user's directory comes first, as outside any environment.
    env = {"PATH": os.environ["PATH"], "HOME": str(tmp_path / "home"), "JUPYTER_PREFER_ENV_PATH": "0"}
    expected = tmp_path / "home" / ".local" / "share" / "jupyter" / "kernels" / "kale4j"
    if where == "xdg":
        env["XDG_DATA_HOME"] = str(tmp_path / "xdg")
        expected = tmp_path / "xdg" / "jupyter" / "kernels" / "kale4j"
    elif where == "jupyter_data_dir":
        env["JUPYTER_DATA_DIR"] = str(tmp_path / "jd")
        expected = tmp_path / "jd" / "kernels" / "kale4j"
    install("--user", env)
    found = kernelspecs(env)
    assert "kale4j" in found, found
    assert pathlib.Path(found["kale4j"]["resource_dir"]) == expected
    spec = found["kale4j"]["spec"]
    assert spec["display_name"] == "Java (kale4j)" and spec["language"] == "java"
    lib = pathlib.Path(spec["argv"][spec["argv"].index("-cp") + 1].rstrip("*"))
    assert any(lib.glob("kale4j-kernel-*.jar")), lib


def test_sys_prefix_install_goes_into_the_active_environment(tmp_path):
    venv = tmp_path / "venv"
    env = {"PATH": os.environ["PATH"], "HOME": str(tmp_path / "home"), "VIRTUAL_ENV": str(venv)}
    install("--sys-prefix", env)
    spec = json.loads((venv / "share" / "jupyter" / "kernels" / "kale4j" / "kernel.json").read_text())
    assert spec["display_name"] == "Java (kale4j)"
    assert any((venv / "share" / "kale4j" / "lib").glob("kale4j-kernel-*.jar"))
    assert not (tmp_path / "home" / ".local").exists()
