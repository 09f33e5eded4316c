#!/usr/bin/env bash
# Installs the prebuilt kale4j JupyterLab extension into PREFIX/share/jupyter/labextensions/kale4j-jupyterlab
# (PREFIX is a venv, sys.prefix, ~/.local, ...: the prefix whose share/jupyter JupyterLab reads).
# Builds it first (build.sh) when jupyterlab-ext/kale4j_labextension does not exist yet.
# Usage: jupyterlab-ext/install.sh PREFIX     (exit 3: not built and cannot build here; other non-zero: failed)
set -euo pipefail
here="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")" && pwd)"
prefix="${1:?usage: install.sh PREFIX}"
name=kale4j-jupyterlab
if [ ! -f "$here/kale4j_labextension/package.json" ]; then
  if ! command -v node >/dev/null || ! command -v npm >/dev/null || ! command -v python3 >/dev/null; then
    echo "kale4j-jupyterlab: not built, and building needs node, npm and python3; the extension is not installed" >&2
    exit 3
  fi
  bash "$here/build.sh"
fi
dest="$prefix/share/jupyter/labextensions/$name"
mkdir -p "$(dirname "$dest")"
rm -rf "$dest.tmp"
cp -r "$here/kale4j_labextension" "$dest.tmp"
# install.json tells `jupyter labextension list` how the extension was installed.
cat >"$dest.tmp/install.json" <<JSON
{"packageManager": "kale4j", "packageName": "$name", "uninstallInstructions": "Remove $dest"}
JSON
rm -rf "$dest"
mv "$dest.tmp" "$dest"
echo "kale4j-jupyterlab: installed into $dest" >&2
