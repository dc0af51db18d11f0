"""The walkthrough notebook runs top to bottom on the bundled data and shows the shift."""

from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOK = ROOT / "notebooks" / "walkthrough.ipynb"


@pytest.mark.slow
def test_walkthrough_notebook_runs():
    nb = nbformat.read(NOTEBOOK, as_version=4)
    # Run from the repository root, where the notebook expects codebooks/ and corpus/.
    client = NotebookClient(nb, timeout=600, kernel_name="python3",
                            resources={"metadata": {"path": str(ROOT)}})
    client.execute()
    outputs = "\n".join(
        str(out.get("text", "")) + str(out.get("data", {}).get("text/plain", ""))
        for cell in nb.cells if cell.cell_type == "code" for out in cell.get("outputs", [])
    )
    assert "kcc@1.0.0" in outputs
    assert "Fisher" in outputs and "Newcombe" in outputs
    assert "mensen_helpen" in outputs
    images = [out for cell in nb.cells if cell.cell_type == "code" for out in cell.get("outputs", [])
              if "image/png" in out.get("data", {})]
    assert images, "the chart cell shows no image"
