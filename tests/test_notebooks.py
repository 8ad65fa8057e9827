"""The notebooks run top to bottom (smaller, through their parameters cell); a failing cell fails."""

import time
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

NOTEBOOKS = Path(__file__).resolve().parents[1] / "notebooks"
SMALL = {
    "01_quickstart.ipynb": 'SCENARIO = "../tests/data/small.toml"\nREPLICATES = 3\nSEED = 1',
    "02_policy_mixes.ipynb": None,  # the real variants, one replicate each
    "03_budget_planning.ipynb": 'SCENARIO = "../tests/data/small.toml"\nREPLICATES = 3\nSAMPLE = 1\nBUDGET = 1.2e7\n'
                                'OBJECTIVE = "sustained_exits"\nSEARCH_REPLICATES = 2\nCONFIRM = 3\nEVALUATIONS = 12\n'
                                'FRONTIER = (0.5, 1.0, 1.5)\nCONSTRAINTS = None\nWORKERS = 1',
    "04_relapse_risk.ipynb": 'SCENARIO = "../tests/data/medium.toml"\nCLIFF = "../tests/data/medium.toml"\nREPLICATES = 4\nWORKERS = 2',
    "05_calibration_backtest.ipynb": 'SCENARIO = "../tests/data/small.toml"\nDATA = "../data/national_series.csv"\n'
                                     'SAMPLE = 1\nDRAWS = 16\nACCEPT = 0.5\nPREDICTIVE = 4\n'
                                     'CUTOFF = 2016\nWORKERS = 1',
    "06_what_levers_buy.ipynb": 'SCENARIO = "../tests/data/small.toml"\nREPLICATES = 2\nSAMPLE = 1\nWORKERS = 1',
}


def run_notebook(name: str, parameters: str | None, replicates: int | None = None) -> nbformat.NotebookNode:
    nb = nbformat.read(NOTEBOOKS / name, as_version=4)
    cell = next(c for c in nb.cells if "parameters" in c.metadata.get("tags", []))
    if parameters:
        cell.source = parameters
    if replicates is not None:
        cell.source += f"\nREPLICATES = {replicates}"
    NotebookClient(nb, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(NOTEBOOKS)}}).execute()
    return nb


@pytest.mark.parametrize("name", sorted(SMALL))
def test_notebook_runs(name):
    t0 = time.perf_counter()
    nb = run_notebook(name, SMALL[name], replicates=1 if SMALL[name] is None else None)
    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", [])]
    assert not [o for o in outputs if o.output_type == "error"]
    assert any("image/png" in o.get("data", {}) for o in outputs), "the notebook should end with a figure"
    print(f"{name}: {time.perf_counter() - t0:.1f} s")


def test_notebooks_are_committed_without_outputs():
    for path in NOTEBOOKS.glob("*.ipynb"):
        nb = nbformat.read(path, as_version=4)
        assert all(not c.get("outputs") for c in nb.cells if c.cell_type == "code"), path.name
