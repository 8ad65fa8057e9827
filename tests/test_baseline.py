"""The stored baseline: a small forecast's numbers must not drift unnoticed (see tests/baseline/README.md)."""

import importlib.util
from pathlib import Path

import pytest

TOOL = Path(__file__).resolve().parents[1] / "tools" / "update_baseline.py"


@pytest.fixture(scope="module")
def baseline():
    spec = importlib.util.spec_from_file_location("update_baseline", TOOL)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


@pytest.fixture(scope="module")
def fresh(baseline):
    return baseline.fresh()


@pytest.mark.parametrize("name", ["annual.csv", "spend.csv"])
def test_numbers_match_the_stored_baseline(name, baseline, fresh):
    changes = "\n".join(baseline.differences(baseline.stored()[name], fresh[name]))
    if changes:
        pytest.fail(f"tests/baseline/{name} differs from a fresh run:\n{changes}\n"
                    "If the change is meant, run `make baseline` (tools/update_baseline.py) and commit "
                    "tests/baseline/ with the reason; otherwise a change moved the numbers by accident.",
                    pytrace=False)


def test_baseline_runs_are_deterministic(baseline, fresh):
    assert baseline.fresh() == fresh
