"""Rewrite the stored baseline (tests/baseline/) from the current code and print what changed.

The baseline is a small forecast: Jingzhou in sampled mode (1 household in 20), 3 replicates, its
annual medians and its spend by year and lever (median over replicates). tests/test_baseline.py
compares a fresh run with it, each cell to ``REL`` (1e-9) of its value, so any change in the numbers is
noticed; when a change is meant, run ``make baseline`` and commit the new files with the reason.
"""

from __future__ import annotations

import io
import sys
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
FOLDER = ROOT / "tests" / "baseline"
SCENARIO = ROOT / "scenarios" / "jingzhou_2015_2018.toml"
SAMPLE, REPLICATES = 20, 3


def fresh() -> dict[str, str]:
    """The baseline files as the current code makes them: {file name: CSV text}."""
    from tuopin import load_scenario
    from tuopin.analysis.forecast import annual_table
    from tuopin.runs.ensemble import run_ensemble

    reps = run_ensemble(load_scenario(SCENARIO, {"population": {"sample": SAMPLE}}), REPLICATES, progress=False)
    annual = annual_table(reps)
    annual = annual[["year"] + [c for c in annual.columns if c.endswith("_p50")]]
    long = pd.DataFrame([dict(row, replicate=r.index) for r in reps for row in r.spend])
    by_lever = long.groupby(["replicate", "year", "lever"], sort=True)["spend_yuan"].sum()
    spend = by_lever.groupby(["year", "lever"], sort=True).median().rename("spend_yuan_p50").reset_index()
    return {"annual.csv": annual.to_csv(index=False), "spend.csv": spend.to_csv(index=False)}


def stored() -> dict[str, str]:
    return {name: (FOLDER / name).read_text(encoding="utf-8") if (FOLDER / name).exists() else ""
            for name in ("annual.csv", "spend.csv")}


REL = 1e-9  # a cell moved if it differs by more than this share: the last bits of a float differ between CPUs


def differences(old: str, new: str, limit: int = 20) -> list[str]:
    """The cells that differ between two versions of a baseline file by more than ``REL`` of their value,
    as readable lines. (numpy's vectorised loops take other paths on other CPUs, e.g. AVX2 and AVX-512, and
    can differ in a float's last bit: 3078.59098703458 against 3078.5909870345795; a change to the model
    moves far more.)"""
    if not old:
        return ["(no stored file)"]
    a, b = pd.read_csv(io.StringIO(old)), pd.read_csv(io.StringIO(new))
    if list(a.columns) != list(b.columns) or len(a) != len(b):
        return [f"columns or rows changed: {list(a.columns)} x {len(a)} -> {list(b.columns)} x {len(b)}"]
    keys = [c for c in ("year", "lever") if c in a.columns]
    out = []
    for col in a.columns:
        if pd.api.types.is_numeric_dtype(a[col]) and pd.api.types.is_numeric_dtype(b[col]):
            moved = ~np.isclose(a[col], b[col], rtol=REL, atol=0.0, equal_nan=True)
        else:
            moved = (a[col] != b[col]) & ~(a[col].isna() & b[col].isna())
        for i in a.index[moved]:
            where = " ".join(f"{k}={a.at[i, k]}" for k in keys)
            old_v, new_v = a.at[i, col], b.at[i, col]
            rel = f" ({(new_v - old_v) / old_v:+.3%})" if isinstance(old_v, float) and old_v else ""
            out.append(f"{where} {col}: {old_v} -> {new_v}{rel}")
    return out[:limit] + ([f"... and {len(out) - limit} more"] if len(out) > limit else [])


def main() -> int:
    old, new = stored(), fresh()
    FOLDER.mkdir(parents=True, exist_ok=True)
    changed = False
    for name, text in new.items():
        if not differences(old[name], text):
            print(f"{name}: unchanged" + ("" if old[name] == text else f" (within {REL:g} of each value)"))
            continue
        changed = True
        print(f"{name}: rewritten")
        for line in differences(old[name], text):
            print("  " + line)
        (FOLDER / name).write_text(text, encoding="utf-8")
    if changed:
        print("commit tests/baseline/ with the reason the numbers moved")
    return 0


if __name__ == "__main__":
    sys.exit(main())
