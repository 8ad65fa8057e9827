"""From replicate summaries to the annual forecast table: medians and 5-95 % bounds per year."""

from __future__ import annotations

import numpy as np
import pandas as pd

from .ensemble import Replicate

METRICS = ("exits_declared", "exits_true", "exits_paper", "relapses", "new_poor", "poor_end", "exited_end", "truly_poor", "hidden_poor")
QUANTILES = {"p5": 5, "p50": 50, "p95": 95}


def annual_table(replicates: list[Replicate]) -> pd.DataFrame:
    """One row per year: the target, then for each outcome (people, and households) p50, p5, p95.

    ``p_meet_target`` is the share of replicates whose declared exits reach the year's target.
    """
    long = pd.DataFrame([dict(row, replicate=r.index) for r in replicates for row in r.annual])
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
        row["villages_exited_p50"] = float(np.percentile(g["villages_exited"], 50))
        row["poor_villages_remaining_p50"] = float(np.percentile(g["poor_villages_remaining"], 50))
        rows.append(row)
    df = pd.DataFrame(rows)
    lead = ["year", "target_exits", "exits_declared_p50", "exits_true_p50", "relapses_p50", "new_poor_p50", "poor_end_p50"]
    return df[lead + [c for c in df.columns if c not in lead]]


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


def report_markdown(loaded, annual: pd.DataFrame, replicates: int, spend: pd.DataFrame | None = None) -> str:
    """A short report: the scenario, the headline and the annual table."""
    spec = loaded.spec
    last = annual.iloc[-1]
    lines = [f"# Forecast: {spec.region} {spec.first_year}-{spec.last_year}", "",
             f"Scenario `{loaded.path.name}` · {replicates} replicates · seed {spec.seed}", "",
             spec.description, "", "## Headline", ""]
    for _, r in annual.iterrows():
        if pd.notna(r["target_exits"]):
            lines.append(f"- {int(r['year'])}: declared exits {r['exits_declared_p50']:,.0f} "
                         f"[{r['exits_declared_p5']:,.0f}, {r['exits_declared_p95']:,.0f}] against a target of "
                         f"{r['target_exits']:,.0f} people; P(meet target) = {r['p_meet_target']:.2f}")
    lines += [f"- Registered poor left at the end of {int(last['year'])}: {last['poor_end_p50']:,.0f} people "
              f"[{last['poor_end_p5']:,.0f}, {last['poor_end_p95']:,.0f}]", "",
              "Bounds are the 5th and 95th percentiles over replicates. Declared exits are what the assessment "
              "declared; true exits are those that truly met the standard.", "",
              "## Annual table (people, medians)", "",
              "| year | target | declared exits | true exits | relapses | new poor | poor at year end |",
              "|---|---|---|---|---|---|---|"]
    for _, r in annual.iterrows():
        tgt = f"{r['target_exits']:,.0f}" if pd.notna(r["target_exits"]) else "–"
        lines.append(f"| {int(r['year'])} | {tgt} | {r['exits_declared_p50']:,.0f} | {r['exits_true_p50']:,.0f} | "
                     f"{r['relapses_p50']:,.0f} | {r['new_poor_p50']:,.0f} | {r['poor_end_p50']:,.0f} |")
    lines += ["", "![exits against targets](exits_vs_targets.png)", ""]
    if spend is not None and len(spend):
        by_lever = spend.groupby(["year", "lever"])["spend_yuan_p50"].sum().unstack(fill_value=0) / 1e4
        lines += ["## Spend by lever (万 yuan, medians)", "",
                  "| year | " + " | ".join(by_lever.columns) + " | total |",
                  "|---|" + "---|" * (len(by_lever.columns) + 1)]
        for year, r in by_lever.iterrows():
            lines.append(f"| {year} | " + " | ".join(f"{v:,.0f}" for v in r) + f" | {r.sum():,.0f} |")
        lines.append("")
    return "\n".join(lines)


def run_to_folder(loaded, out, replicates: int = 1, workers: int = 1, progress: bool = True, executor=None) -> dict:
    """Run an ensemble and write the results folder atomically; return the manifest's timings."""
    import time
    from pathlib import Path

    from . import plots, results
    from .ensemble import run_ensemble

    out = Path(out)
    results.check_destination(out)
    t0 = time.perf_counter()
    reps = run_ensemble(loaded, replicates, workers=workers, executor=executor, progress=progress)
    annual = annual_table(reps)
    spend = spend_table(reps)
    timings = {"simulate_seconds": round(sum(r.seconds for r in reps), 4),
               "household_steps": int(sum(r.household_steps for r in reps)),
               "wall_seconds": round(time.perf_counter() - t0, 4)}
    timings["household_steps_per_second"] = round(timings["household_steps"] / max(timings["simulate_seconds"], 1e-9))
    with results.atomic_folder(out) as tmp:
        annual.to_csv(tmp / "annual.csv", index=False, float_format="%.6g")
        spend.to_csv(tmp / "spend.csv", index=False, float_format="%.6g")
        figures = plots.save(plots.exits_vs_targets(annual, f"{loaded.spec.region} {loaded.spec.first_year}-{loaded.spec.last_year}"),
                             tmp, "exits_vs_targets")
        (tmp / "report.md").write_text(report_markdown(loaded, annual, replicates, spend), encoding="utf-8")
        results.write_manifest(
            tmp,
            scenario={"file": str(loaded.path), "extends_chain": [str(f) for f in loaded.files], "sha256": loaded.sha256,
                      "name": loaded.spec.name, "spec": loaded.spec.model_dump(mode="json")},
            seed=loaded.spec.seed, replicates=replicates, workers=workers,
            parameters=loaded.params, timings=timings,
            files=["annual.csv", "spend.csv", "report.md", *figures],
        )
    return timings


COMPARE_COLUMNS = ("exits_declared", "exits_true", "exits_paper", "relapses", "new_poor", "poor_end")


def compare_table(runs: dict[str, list[Replicate]]) -> pd.DataFrame:
    """Scenarios side by side: per scenario and year, medians of the main outcomes (people) and
    total spend (万 yuan). Runs share their seeds, so differences are not seed noise."""
    rows = []
    for name, reps in runs.items():
        annual = annual_table(reps)
        spend = pd.DataFrame([dict(row, replicate=r.index) for r in reps for row in r.spend])
        per_year = (spend.groupby(["replicate", "year"])["spend_yuan"].sum().groupby("year").median() / 1e4
                    if len(spend) else pd.Series(dtype=float))
        for _, r in annual.iterrows():
            row = {"scenario": name, "year": int(r["year"]), "target_exits": r["target_exits"]}
            row.update({c: r[f"{c}_p50"] for c in COMPARE_COLUMNS})
            row["spend_10k_yuan"] = float(per_year.get(int(r["year"]), 0.0))
            rows.append(row)
    return pd.DataFrame(rows)
