#!/usr/bin/env bash
# The JupyterLab extension: Jest unit tests of the tag logic, the prebuilt extension build, its
# install (`jupyter labextension list` must show it enabled), and a browser test (Chromium driven by
# playwright-core) against a real JupyterLab server with the kale4j kernel and the extension.
# Installs what it needs: node packages (npm ci), a venv with jupyterlab, Debian's chromium.
# Screenshots and logs: test-output/extension/.
set -euo pipefail
root="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/../.." && pwd)"
ext="$root/jupyterlab-ext"
out="$root/test-output/extension"
venv="${KALE4J_JUPYTER_VENV:-$ext/.venv}"
rm -rf "$out"
mkdir -p "$out"

echo "-- extension: tools"
if [ ! -x /usr/bin/chromium ]; then
  if [ "$(id -u)" = 0 ]; then
    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium) >"$out/apt.log" 2>&1 \
      || { tail -20 "$out/apt.log"; echo "extension: could not install chromium"; exit 1; }
  else
    echo "extension: /usr/bin/chromium is missing (apt-get install chromium)"; exit 1
  fi
fi
if [ ! -x "$venv/bin/jupyter-lab" ]; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q --disable-pip-version-check jupyterlab >"$out/pip.log" 2>&1 \
    || { tail -20 "$out/pip.log"; echo "extension: could not install jupyterlab"; exit 1; }
fi
cd "$ext"
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  # Not `npm ci`: the registry here lacks other platforms' optional binaries (@rspack/binding-*), so the
  # lock cannot list them and `npm ci` refuses it; `npm install` installs exactly what the lock pins.
  npm install --no-audit --no-fund --loglevel=error
fi

echo "-- extension: jest (tag logic)"
npx jest --ci 2>&1 | tail -n 25

echo "-- extension: build"
KALE4J_JUPYTER_VENV="$venv" bash "$ext/build.sh"

echo "-- extension: install"
tmp="$(mktemp -d /tmp/kale4j-ext-test.XXXXXX)"
server_pid=""
cleanup() { rm -rf "$tmp"; }
trap cleanup EXIT
prefix="$tmp/prefix"
export JUPYTER_CONFIG_DIR="$tmp/home/config" JUPYTER_DATA_DIR="$tmp/home/data" JUPYTER_RUNTIME_DIR="$tmp/home/runtime"
export JUPYTER_PATH="$prefix/share/jupyter" JUPYTER_PLATFORM_DIRS=1 IPYTHONDIR="$tmp/home/ipython"
mkdir -p "$JUPYTER_CONFIG_DIR/labconfig"
# No "news" question in the screenshots.
echo '{"disabledExtensions": {"@jupyterlab/apputils-extension:announcements": true}}' >"$JUPYTER_CONFIG_DIR/labconfig/page_config.json"

# The real kale4j kernel (./kale4j install copies the prebuilt extension, built above, beside it).
"$root/kale4j" install --prefix "$prefix" >"$out/kale4j-install.log" 2>&1 \
  && [ -f "$prefix/share/jupyter/kernels/kale4j/kernel.json" ] \
  || { cat "$out/kale4j-install.log"; echo "extension: ./kale4j install --prefix failed"; exit 1; }
cat "$out/kale4j-install.log"
labext="$prefix/share/jupyter/labextensions/kale4j-jupyterlab"
[ -f "$labext/package.json" ] || { echo "extension: ./kale4j install --prefix did not install the extension"; exit 1; }
"$venv/bin/jupyter" labextension list >"$out/labextension-list.txt" 2>&1
cat "$out/labextension-list.txt"
grep -E "kale4j-jupyterlab v[0-9.]+ .*enabled.*OK" "$out/labextension-list.txt" >/dev/null \
  || { echo "extension: jupyter labextension list does not show kale4j-jupyterlab enabled"; exit 1; }

echo "-- extension: browser test"
mkdir -p "$tmp/root"
cp "$ext/test/fixtures/word-stats.ipynb" "$ext/test/fixtures/broken.ipynb" "$tmp/root/"
JUPYTER_BIN="$venv/bin/jupyter" TEST_ROOT="$tmp/root" TEST_HOME="$tmp/home" OUT="$out" PATH="$venv/bin:$PATH" \
  timeout 600 node "$ext/ui-tests/browser.test.mjs"
echo "extension: all passed (screenshots in $out)"
