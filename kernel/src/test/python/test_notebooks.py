"""Every sample notebook runs top to bottom with nbclient on the kale4j kernel."""
import pathlib

import nbformat
import pytest
from nbclient import NotebookClient

from conftest import KERNEL_NAME

ROOT = pathlib.Path(__file__).resolve().parents[4]
# The kernel's own notebooks and the project's sample pipelines.
NOTEBOOKS = sorted(ROOT.glob("kernel/src/test/notebooks/*.ipynb")) + sorted(ROOT.glob("samples/*.ipynb"))


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_executes(path, tmp_path):
    nb = nbformat.read(path, as_version=4)
    # Run in a scratch directory: sample notebooks write data and model files next to themselves.
    client = NotebookClient(nb, kernel_name=KERNEL_NAME, timeout=180,
                            resources={"metadata": {"path": str(tmp_path)}})
    client.execute()
    code_cells = [c for c in nb.cells if c.cell_type == "code"]
    assert code_cells
    for cell in code_cells:
        assert not [o for o in cell.outputs if o.output_type == "error"], cell.outputs
    # Notebooks state what they expect in a cell tagged "expect": its text output must match.
    for cell in code_cells:
        expected = cell.metadata.get("expect")
        if expected is not None:
            text = "".join(o.get("text", "") if o.output_type == "stream" else o.get("data", {}).get("text/plain", "")
                           for o in cell.outputs)
            assert text.strip() == expected, (cell.source, cell.outputs)
