#!/usr/bin/env bash
# Builds the prebuilt JupyterLab extension into jupyterlab-ext/kale4j_labextension/.
# Needs Node.js >= 20 and npm (packages from the npm registry) and Python 3 (jupyterlab from PyPI,
# installed into jupyterlab-ext/.venv unless KALE4J_JUPYTER_VENV names a venv that has it).
set -euo pipefail
here="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")" && pwd)"
cd "$here"
venv="${KALE4J_JUPYTER_VENV:-$here/.venv}"
if [ ! -x "$venv/bin/jupyter-builder" ]; then
  echo "kale4j-jupyterlab: creating $venv with jupyterlab (for jupyter-builder)..." >&2
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q --disable-pip-version-check jupyterlab
fi
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  # npm install, not npm ci: the registry here lacks some of @rspack/binding's optional platform
  # packages, so the lock file cannot list them and npm ci refuses it; npm install follows the lock.
  npm install --no-audit --no-fund --loglevel=error
fi
rm -rf lib kale4j_labextension tsconfig.tsbuildinfo
npx tsc -p tsconfig.json
PATH="$venv/bin:$PATH" jupyter-builder build . >build.log 2>&1 || { cat build.log >&2; exit 1; }
test -f kale4j_labextension/package.json
echo "kale4j-jupyterlab: built $here/kale4j_labextension" >&2
