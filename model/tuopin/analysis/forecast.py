"""The forecast: an ensemble of a scenario and its tables (medians and 5-95 % bounds over replicates).

:func:`forecast` runs the ensemble on the runner (checkpointed when asked), folds each replicate
into the at-risk list as it arrives and returns every table; writing them is :mod:`tuopin.outputs.forecast`'s job.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from ..runs.ensemble import run_ensemble
from ..runs.replicate import Replicate
from . import relapse

if TYPE_CHECKING:
    from concurrent.futures import Executor

METRICS = ("exits_declared", "exits_true", "exits_paper", "relapses", "new_poor", "poor_end", "exited_end", "truly_poor", "hidden_poor")
# people only: the exited stock at the assessment, truly sustained exits to date (true status), 兜底
# cover and the registered; villages; the campaign's money, its intensity and the monitored (sim/campaign.py);
# the registered's per-capita net income
EXTRA = ("exited_start", "exits_sustained_true", "doudi_people", "registered_people", "villages_exited",
         "poor_villages_remaining", "poor_villages_deep", "credit_loans_issued", "credit_issued_yuan", "credit_outstanding_yuan",
         "employment_trained", "employment_placed", "employment_jobs_held", "employment_posts_held", "funds_yuan",
         "intensity", "monitored_people", "monitored_exited_people", "exited_at_risk_people", "registered_income_pc")
QUANTILES = {"p5": 5, "p50": 50, "p95": 95}


def annual_table(replicates: list[Replicate]) -> pd.DataFrame:
    """One row per year: the target, then for each outcome (people, and households) p50, p5, p95.

    ``p_meet_target`` is the share of replicates whose declared exits reach the year's target;
    ``p_meet_plan`` the share whose cumulative declared exits have reached the cumulative targets at
    every year end so far (being ahead one year may make up for a later one; NaN before the first
    target), so its last value is P(meeting the plan).
    """
    long = pd.DataFrame([dict(row, replicate=r.index) for r in replicates for row in r.annual])
    long = long.sort_values(["replicate", "year"])
    long["exits_declared_cum"] = long.groupby("replicate")["exits_declared"].cumsum()
    long["exits_true_cum"] = long.groupby("replicate")["exits_true"].cumsum()
    on_plan = (long["exits_declared_cum"] >= long.groupby("replicate")["target_exits"].cumsum()) | long["target_exits"].isna()
    long["on_plan"] = on_plan.astype(int).groupby(long["replicate"]).cummin()
    long["planned"] = long["target_exits"].notna().astype(int).groupby(long["replicate"]).cummax()
    rows = []
    for year, g in long.groupby("year", sort=True):
        row = {"year": int(year), "poverty_line": g["poverty_line"].iloc[0],
               "target_exits": g["target_exits"].iloc[0], "target_exits_households": g["target_exits_households"].iloc[0]}
        for unit in ("", "_households"):
            for m in METRICS:
                values = g[m + unit].to_numpy(float)
                for q, pct in QUANTILES.items():
                    row[f"{m}{unit}_{q}"] = float(np.percentile(values, pct))
        target = row["target_exits"]
        row["p_meet_target"] = float(np.mean(g["exits_declared"] >= target)) if pd.notna(target) else np.nan
        row["p_meet_plan"] = float(np.mean(g["on_plan"])) if g["planned"].any() else np.nan
        for m in ("exits_declared_cum", "exits_true_cum"):
            for q, pct in QUANTILES.items():
                row[f"{m}_{q}"] = float(np.percentile(g[m], pct))
        for m in EXTRA:
            for q, pct in QUANTILES.items():
                row[f"{m}_{q}"] = float(np.percentile(g[m], pct)) if m in g else np.nan
        # detected relapse as a share of the exited stock at the assessment (the national series' terms)
        rate = g["relapses"] / g["exited_start"].where(g["exited_start"] > 0) if "exited_start" in g else pd.Series([np.nan])
        for q, pct in QUANTILES.items():
            row[f"relapse_rate_{q}"] = float(np.nanpercentile(rate, pct)) if rate.notna().any() else np.nan
        rows.append(row)
    df = pd.DataFrame(rows)
    lead = ["year", "target_exits", "exits_declared_p50", "exits_true_p50", "relapses_p50", "new_poor_p50", "poor_end_p50"]
    return df[lead + [c for c in df.columns if c not in lead]]


def shard_table(replicates: list[Replicate]) -> pd.DataFrame:
    """A sharded run's breakdown (e.g. by province): per shard and year, the target and the
    median and 5-95 % of declared exits, relapses and poor at year end (people)."""
    long = pd.DataFrame([dict(row, replicate=r.index) for r in replicates for row in r.shards])
    if long.empty:
        return pd.DataFrame()
    g = long.groupby(["shard", "region", "year"], sort=False)
    out = g[["target_exits"]].first()
    for m in ("exits_declared", "exits_true", "relapses", "poor_end"):
        for q, pct in QUANTILES.items():
            out[f"{m}_{q}"] = g[m].quantile(pct / 100)
    return out.reset_index()


def spend_table(replicates: list[Replicate]) -> pd.DataFrame:
    """Spend (and shortfall under caps) by year, lever and source: median and 5-95 % over replicates."""
    long = pd.DataFrame([dict(row, replicate=r.index) for r in replicates for row in r.spend])
    if long.empty:
        return pd.DataFrame(columns=["year", "lever", "source", "spend_yuan_p50"])
    g = long.groupby(["year", "lever", "source"], sort=True)
    out = pd.DataFrame({f"{col}_{q}": g[col].quantile(pct / 100) for col in ("spend_yuan", "shortfall_yuan")
                        for q, pct in QUANTILES.items()}).reset_index()
    lead = ["year", "lever", "source", "spend_yuan_p50", "spend_yuan_p5", "spend_yuan_p95"]
    return out[lead + [c for c in out.columns if c not in lead]]


def money_table(replicates: list[Replicate], last_year: int) -> pd.DataFrame:
    """Spend over the run by lever (and all levers), and per true exit and per sustained exit (an
    exit not relapsed within 24 months, counted over the cohorts observed that long; *detected*: no
    relapse found) and per truly sustained exit (*true status*: spend over the run over the people
    of every exit that was truly out of poverty at its exit and at every assessment since, to the
    final year): medians and 5-95 % over replicates. Lever rows have their spend only: levers act
    together, so a lever's share of the spend over all exits says nothing about what it buys
    (:mod:`tuopin.analysis.levers` measures that with paired runs)."""
    rows = []
    for r in replicates:
        true_exits = sum(row["exits_true"] for row in r.annual)
        sustained = r.sustained_people
        sustained_true = r.annual[-1].get("exits_sustained_true", 0) if r.annual else 0
        spend = pd.DataFrame(r.spend)
        by_lever = spend.groupby("lever")["spend_yuan"].sum() if len(spend) else pd.Series(dtype=float)
        spend_observed = spend[spend["year"] <= last_year - 2]["spend_yuan"].sum() if len(spend) else 0.0
        by_lever = by_lever[by_lever > 0]
        total = by_lever.sum()
        rows.append({"lever": "all", "replicate": r.index, "spend_yuan": total,
                     "per_true_exit_yuan": total / true_exits if true_exits else np.nan,
                     "per_sustained_exit_yuan": spend_observed / sustained if sustained else np.nan,
                     "per_true_sustained_exit_yuan": total / sustained_true if sustained_true else np.nan})
        rows += [{"lever": lever, "replicate": r.index, "spend_yuan": v} for lever, v in by_lever.items()]
    df = pd.DataFrame(rows)
    g = df.groupby("lever", sort=False)
    out = pd.DataFrame({f"{c}_{q}": g[c].quantile(pct / 100) for c in ("spend_yuan", "per_true_exit_yuan",
                                                                      "per_sustained_exit_yuan",
                                                                      "per_true_sustained_exit_yuan")
                        for q, pct in QUANTILES.items()})
    return out.reset_index()


def utilisation_table(spend: pd.DataFrame, caps: dict[str, float]) -> pd.DataFrame:
    """Spend against each capped lever's (and the total's) yearly cap, with the shortfall: medians."""
    per = spend.groupby(["year", "lever"])[["spend_yuan_p50", "shortfall_yuan_p50"]].sum().reset_index()
    total = per.groupby("year")[["spend_yuan_p50", "shortfall_yuan_p50"]].sum().reset_index().assign(lever="total")
    per = pd.concat([per, total], ignore_index=True)
    per = per[per["lever"].isin(caps)].copy()
    per["cap_yuan"] = per["lever"].map(caps)
    per["utilisation"] = per["spend_yuan_p50"] / per["cap_yuan"]
    return per[["year", "lever", "cap_yuan", "spend_yuan_p50", "utilisation", "shortfall_yuan_p50"]]


@dataclass
class Forecast:
    """Every table of a forecast (empty frames where a table does not apply) and its timings."""

    replicates: int
    annual: pd.DataFrame
    spend: pd.DataFrame
    survival: pd.DataFrame
    money: pd.DataFrame
    utilisation: pd.DataFrame
    shards: pd.DataFrame
    at_risk: pd.DataFrame
    timings: dict
    # the replicates' summaries (without per-household arrays), for paired comparisons in tuopin.api
    replicate_runs: list[Replicate] = field(default_factory=list, repr=False)
    # what each lever buys (tuopin.analysis.levers.lever_table), when the paired runs were made
    levers: pd.DataFrame = field(default_factory=pd.DataFrame)


def forecast(loaded, replicates: int = 1, *, workers: int = 1, executor: Executor | None = None,
             progress: bool = True, checkpoint: Path | None = None) -> Forecast:
    """Run ``replicates`` replicates of ``loaded`` and tabulate them. The at-risk list (full runs
    only: a sampled run has no fixed households) takes its households from replicate 0."""
    t0 = time.perf_counter()
    spec = loaded.spec
    risk = relapse.AtRisk(None, spec.last_year - 1) if spec.population.sample == 1 else None
    reps = run_ensemble(loaded, replicates, workers=workers, executor=executor, progress=progress,
                        fold=risk.add if risk else None, checkpoint=checkpoint)
    annual = annual_table(reps)
    for q in QUANTILES:  # cumulative progress toward "all exit by the final year"
        annual[f"progress_share_{q}"] = annual[f"exits_declared_cum_{q}"] / spec.population.people
    spend = spend_table(reps)
    timings = {"simulate_seconds": round(sum(r.seconds for r in reps), 4),
               "household_steps": int(sum(r.household_steps for r in reps))}
    tables = dict(annual=annual, spend=spend, survival=relapse.survival_table(reps),
                  money=money_table(reps, spec.last_year),
                  utilisation=utilisation_table(spend, spec.budget.cap) if spec.budget.cap else pd.DataFrame(),
                  shards=shard_table(reps), at_risk=risk.table() if risk else pd.DataFrame())
    timings["wall_seconds"] = round(time.perf_counter() - t0, 4)
    timings["household_steps_per_second"] = round(timings["household_steps"] / max(timings["simulate_seconds"], 1e-9))
    return Forecast(replicates, timings=timings, replicate_runs=reps, **tables)
