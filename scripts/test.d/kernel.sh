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
# Inspection shows JDK Javadoc only with the JDK's sources (src.zip), which JDK packages often leave
# out (Debian/Ubuntu ship it as openjdk-N-source). Installing that package would also upgrade the
# JDK itself, so the .deb is fetched with apt and only its src.zip is unpacked into the venv; the
# kernel finds it through KALE4J_JDK_SOURCES. No sources and no way to get them is an error, not a skip.
java_home="$(dirname "$(dirname "$(readlink -f "$(command -v java)")")")"
if [ -z "${KALE4J_JDK_SOURCES:-}" ] && [ ! -r "$java_home/lib/src.zip" ]; then
  feature="$(java -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = //p')"
  src="$venv/jdk-sources/openjdk-$feature/src.zip"
  if [ ! -s "$src" ]; then
    echo "kernel.sh: $java_home/lib/src.zip is missing; fetching openjdk-$feature-source for the inspection tests"
    command -v apt-get >/dev/null || { echo "kernel.sh: no JDK src.zip and no apt-get: set KALE4J_JDK_SOURCES to a src.zip"; exit 1; }
    tmp="$(mktemp -d)"
    if ! (cd "$tmp" && apt-get download "openjdk-$feature-source") >"$tmp/apt.log" 2>&1; then
      (apt-get update -qq && cd "$tmp" && apt-get download "openjdk-$feature-source") >>"$tmp/apt.log" 2>&1 \
        || { tail -5 "$tmp/apt.log"; echo "kernel.sh: cannot download openjdk-$feature-source"; rm -rf "$tmp"; exit 1; }
    fi
    dpkg-deb -x "$tmp"/openjdk-"$feature"-source_*.deb "$tmp/x"
    found="$(find "$tmp/x" -name src.zip | head -1)"
    [ -n "$found" ] || { echo "kernel.sh: no src.zip in openjdk-$feature-source"; rm -rf "$tmp"; exit 1; }
    mkdir -p "$(dirname "$src")"
    mv "$found" "$src"
    rm -rf "$tmp"
  fi
  export KALE4J_JDK_SOURCES="$src"
fi
# The packaged CLI (./kale4j builds it if sources changed) installs the kernel into the venv.
# The kernel tests do not need the JupyterLab extension (extension.sh builds and tests it).
KALE4J_SKIP_EXTENSION=1 ./kale4j install --prefix "$venv" >/dev/null
test -f "$venv/share/jupyter/kernels/kale4j/kernel.json"
# Small heap so the out-of-memory test is quick; no spare JVM so tests leave fewer processes.
export KALE4J_AGENT_OPTS="-Xmx192m"
export KALE4J_MAVEN_OFFLINE=true
export JUPYTER_PATH="$venv/share/jupyter"
export JUPYTER_PLATFORM_DIRS=1
cd "$root/kernel/src/test/python"
exec "$venv/bin/pytest" -q -p no:cacheprovider -rs "$@" .
