#!/usr/bin/env bash
# kale4j kernel with real Jupyter clients: installs the kernel into a virtualenv, then runs the
# reference suite (jupyter_kernel_test), sturdiness/feature tests (jupyter_client) and the sample
# notebooks (nbclient) with pytest.
set -euo pipefail
root="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/../.." && pwd)"
cd "$root"
venv="$root/.venv/kernel-tests"
if [ ! -x "$venv/bin/pytest" ] || [ ! -f "$venv/.kale4j-deps-1" ]; then
  echo "kernel.sh: creating virtualenv $venv"
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q --disable-pip-version-check \
    'jupyter_kernel_test>=0.7' 'jupyter_client>=8' 'nbclient>=0.10' nbformat pytest
  touch "$venv/.kale4j-deps-1"
fi
# The packaged CLI (./kale4j builds it if sources changed) installs the kernel into the venv.
./kale4j install --prefix "$venv" >/dev/null
test -f "$venv/share/jupyter/kernels/kale4j/kernel.json"
# Small heap so the out-of-memory test is quick; no spare JVM so tests leave fewer processes.
export KALE4J_AGENT_OPTS="-Xmx192m"
export KALE4J_MAVEN_OFFLINE=true
export JUPYTER_PATH="$venv/share/jupyter"
export JUPYTER_PLATFORM_DIRS=1
cd "$root/kernel/src/test/python"
exec "$venv/bin/pytest" -q -p no:cacheprovider -rs "$@" .
