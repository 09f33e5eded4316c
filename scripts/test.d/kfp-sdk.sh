#!/usr/bin/env bash
# The KFP target against the real Kubeflow Pipelines SDK from PyPI: every sample notebook (and the cluster
# test fixtures) is compiled with `kale4j compile --target kfp`, then each file is loaded with
# kfp.components.load_component_from_file, its inputs/outputs/platform spec are checked, and the SDK compiles it
# again as a pipeline (so its own serializer accepts our IR). Installs kfp into a venv under converter/target.
set -euo pipefail
root="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/../.." && pwd)"
venv="${KALE4J_KFP_VENV:-$root/converter/target/kfp-venv}"
out="$root/test-output/kfp-sdk"
rm -rf "$out"
mkdir -p "$out"

echo "-- kfp-sdk: venv with kfp from PyPI"
if [ ! -x "$venv/bin/python" ] || ! "$venv/bin/python" -c "import kfp" 2>/dev/null; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q --disable-pip-version-check "kfp==2.17.0" >"$out/pip.log" 2>&1 \
    || { tail -20 "$out/pip.log"; echo "kfp-sdk: could not install kfp"; exit 1; }
fi
"$venv/bin/python" -c "import kfp; print('kfp', kfp.__version__)"

echo "-- kfp-sdk: compile notebooks to KFP IR"
notebooks=()
for nb in "$root"/samples/*.ipynb "$root"/converter/src/test/resources/cluster/notebooks/*.ipynb; do
  [ -e "$nb" ] && notebooks+=("$nb")
done
[ ${#notebooks[@]} -gt 0 ] || { echo "kfp-sdk: no notebooks found"; exit 1; }
files=()
for nb in "${notebooks[@]}"; do
  name="$(basename "$(dirname "$nb")")-$(basename "$nb" .ipynb)"
  mkdir -p "$out/$name"
  # Compile errors fail the suite: every sample must compile for KFP.
  f="$("$root/kale4j" compile "$nb" --target kfp -o "$out/$name" 2>"$out/$name/compile.err")" \
    || { cat "$out/$name/compile.err"; echo "kfp-sdk: compile failed for $nb"; exit 1; }
  echo "   $nb -> $f"
  files+=("$f")
done

echo "-- kfp-sdk: load_component_from_file"
"$venv/bin/python" - "$out" "${files[@]}" <<'PY'
import sys, yaml
from kfp import components, compiler

out = sys.argv[1]
failures = 0
for path in sys.argv[2:]:
    try:
        comp = components.load_component_from_file(path)
        docs = list(yaml.safe_load_all(open(path)))
        ir = docs[0]
        assert ir["schemaVersion"] == "2.1.0", ir["schemaVersion"]
        assert comp.name == ir["pipelineInfo"]["name"], (comp.name, ir["pipelineInfo"]["name"])
        # Every root parameter is an input of the loaded component, with its default.
        for name, spec in ir["root"].get("inputDefinitions", {}).get("parameters", {}).items():
            assert name in comp.component_spec.inputs, name
            assert comp.component_spec.inputs[name].default is not None, name
        tasks = comp.pipeline_spec.root.dag.tasks
        assert set(tasks) == set(ir["root"]["dag"]["tasks"]), "tasks differ"
        for name, task in ir["root"]["dag"]["tasks"].items():
            assert list(tasks[name].dependent_tasks) == task.get("dependentTasks", []), name
        for out_name, o in comp.component_spec.outputs.items():
            assert o.type.startswith("system.Metrics"), (out_name, o.type)
        if len(docs) > 1:
            assert "kubernetes" in comp.platform_spec.platforms, "platform spec not loaded"
        # The SDK's own compiler re-serializes the loaded pipeline.
        again = path.replace(".yaml", ".sdk.yaml")
        compiler.Compiler().compile(comp, again)
        print(f"   ok {path}: {len(tasks)} tasks, inputs {sorted(comp.component_spec.inputs)}")
    except Exception as e:
        failures += 1
        print(f"   FAILED {path}: {type(e).__name__}: {e}")
sys.exit(1 if failures else 0)
PY
echo "kfp-sdk: all KFP files load with the kfp SDK"
