"""Scenarios side by side on common random numbers: per-year medians and paired differences.

Every scenario runs on the same seed, so replicate i of each is paired with replicate i of the
first and differences are the policies', not seed noise. All scenarios' replicates go to the
runner as one batch.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from ..inputs.scenario import LoadedScenario, load_scenario
from ..runs.ensemble import ensembles
from ..runs.replicate import Replicate
from ..runs.runner import Runner

COMPARE_COLUMNS = ("exits_declared", "exits_true", "exits_paper", "relapses", "new_poor", "poor_end")
DIFF_COLUMNS = ("exits_true", "relapses", "poor_end", "spend_10k_yuan")


@dataclass
class Comparison:
    scenarios: list[LoadedScenario]   # as run (with the shared seed)
    seed: int
    runs: dict[str, list[Replicate]]  # by name: the file's stem (#n when a stem repeats)
    table: pd.DataFrame               # compare_table
    totals: pd.DataFrame              # compare_totals
    summary: list[str]                # compare_summary
    seconds: float


def compare(paths: list[str | Path], replicates: int, seed: int | None = None, workers: int = 1,
            progress: bool = False) -> Comparison:
    """Run each scenario file ``replicates`` times on ``seed`` (default: the first scenario's)."""
    t0 = time.perf_counter()
    first = load_scenario(paths[0])
    seed = first.spec.seed if seed is None else seed
    scenarios = [load_scenario(p, {"seed": seed}) for p in paths]
    names: list[str] = []
    for s in scenarios:
        names.append(s.stem if s.stem not in names else f"{s.stem}#{len(names) + 1}")
    with Runner(workers) as runner:
        runs = dict(zip(names, ensembles(scenarios, replicates, runner, origin=False, progress=progress,
                                         desc="compare")))
    labels = {key: s.spec.name for key, s in zip(names, scenarios)}
    return Comparison(scenarios, seed, runs, compare_table(runs), compare_totals(runs), compare_summary(runs, labels),
                      time.perf_counter() - t0)


def per_replicate(reps: list[Replicate]) -> pd.DataFrame:
    """One row per replicate and year: the outcomes and the year's spend (万 yuan)."""
    df = pd.DataFrame([dict(row, replicate=r.index) for r in reps for row in r.annual])
    spend = pd.DataFrame([dict(row, replicate=r.index) for r in reps for row in r.spend])
    per = (spend.groupby(["replicate", "year"])["spend_yuan"].sum() / 1e4).rename("spend_10k_yuan") if len(spend) \
        else pd.Series(0.0, index=pd.MultiIndex.from_frame(df[["replicate", "year"]]), name="spend_10k_yuan")
    return df.join(per, on=["replicate", "year"]).fillna({"spend_10k_yuan": 0.0})


def compare_table(runs: dict[str, list[Replicate]]) -> pd.DataFrame:
    """Scenarios side by side, per year: medians of the outcomes (people) and spend (万 yuan), and
    for every scenario after the first, its difference from the first with a 5-95 % interval.
    Runs share their seeds (common random numbers), so replicate i of each is paired with
    replicate i of the first, and differences are the policies', not seed noise."""
    per = {name: per_replicate(reps) for name, reps in runs.items()}
    base = next(iter(per.values())).set_index(["replicate", "year"])
    rows = []
    for name, df in per.items():
        diff = df.set_index(["replicate", "year"])[list(DIFF_COLUMNS)] - base[list(DIFF_COLUMNS)]
        for year, g in df.groupby("year", sort=True):
            row = {"scenario": name, "year": int(year), "target_exits": g["target_exits"].iloc[0]}
            row.update({c: float(g[c].median()) for c in (*COMPARE_COLUMNS, "spend_10k_yuan")})
            d = diff.xs(year, level="year")
            for c in DIFF_COLUMNS:
                row[f"{c}_diff_p50"] = float(d[c].median())
                row[f"{c}_diff_p5"] = float(d[c].quantile(0.05))
                row[f"{c}_diff_p95"] = float(d[c].quantile(0.95))
            rows.append(row)
    return pd.DataFrame(rows)


def compare_totals(runs: dict[str, list[Replicate]]) -> pd.DataFrame:
    """Per scenario after the first: its difference from the first over the whole run (the poor
    remaining at the end; true exits, relapses and spend summed over the years), median and 5-95 %
    over paired replicates."""
    def totals(df: pd.DataFrame) -> pd.DataFrame:
        """Flows summed over the years; the poor remaining (a stock) at the end."""
        g = df.sort_values("year").groupby("replicate")
        return g[[c for c in DIFF_COLUMNS if c != "poor_end"]].sum().join(g["poor_end"].last())

    per = {name: totals(per_replicate(reps))[list(DIFF_COLUMNS)] for name, reps in runs.items()}
    names = list(per)
    rows = []
    for name in names[1:]:
        d = per[name] - per[names[0]]
        row = {"scenario": name, "baseline": names[0]}
        for c in DIFF_COLUMNS:
            row.update({f"{c}_diff_p50": d[c].median(), f"{c}_diff_p5": d[c].quantile(0.05),
                        f"{c}_diff_p95": d[c].quantile(0.95)})
        rows.append(row)
    return pd.DataFrame(rows)


def compare_summary(runs: dict[str, list[Replicate]], names: dict[str, str] | None = None) -> list[str]:
    """One line per scenario after the first: its difference over the run, led by the poor
    remaining at the end, then true exits, relapses and spend (median [5-95 %]); ``names`` maps run
    keys to the scenarios' names."""
    names = names or {}
    what = (("poor_end", "poor remaining at the end", 1.0, "people"), ("exits_true", "true exits", 1.0, "people"),
            ("relapses", "relapses", 1.0, "people"), ("spend_10k_yuan", "spend", 100.0, "million yuan"))
    lines = []
    for _, r in compare_totals(runs).iterrows():
        parts = [f"{label} {r[c + '_diff_p50'] / u:+,.0f} [{r[c + '_diff_p5'] / u:+,.0f}, {r[c + '_diff_p95'] / u:+,.0f}] "
                 f"{unit}" for c, label, u, unit in what]
        lines.append(f"{names.get(r['scenario'], r['scenario'])} vs {names.get(r['baseline'], r['baseline'])}, "
                     "over the run: " + "; ".join(parts))
    return lines
