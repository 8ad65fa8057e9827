"""From replicate summaries to the annual forecast table: medians and 5-95 % bounds per year."""

from __future__ import annotations

import numpy as np
import pandas as pd

from . import relapse
from ..runs.ensemble import Replicate
from ..sim.population import synthesize

METRICS = ("exits_declared", "exits_true", "exits_paper", "relapses", "new_poor", "poor_end", "exited_end", "truly_poor", "hidden_poor")
QUANTILES = {"p5": 5, "p50": 50, "p95": 95}


def annual_table(replicates: list[Replicate]) -> pd.DataFrame:
    """One row per year: the target, then for each outcome (people, and households) p50, p5, p95.

    ``p_meet_target`` is the share of replicates whose declared exits reach the year's target.
    """
    long = pd.DataFrame([dict(row, replicate=r.index) for r in replicates for row in r.annual])
    long = long.sort_values(["replicate", "year"])
    long["exits_declared_cum"] = long.groupby("replicate")["exits_declared"].cumsum()
    long["exits_true_cum"] = long.groupby("replicate")["exits_true"].cumsum()
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
        for m in ("exits_declared_cum", "exits_true_cum"):
            for q, pct in QUANTILES.items():
                row[f"{m}_{q}"] = float(np.percentile(g[m], pct))
        row["villages_exited_p50"] = float(np.percentile(g["villages_exited"], 50))
        row["poor_villages_remaining_p50"] = float(np.percentile(g["poor_villages_remaining"], 50))
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
    exit not relapsed within 24 months, counted over the cohorts observed that long): medians and
    5-95 % over replicates. Per-lever costs divide each lever's spend by all exits: levers act
    together, so this is a share of the cost, not a lever's own effect (compare runs for that)."""
    rows = []
    for r in replicates:
        true_exits = sum(row["exits_true"] for row in r.annual)
        sustained = r.sustained_people
        spend = pd.DataFrame(r.spend)
        by_lever = spend.groupby("lever")["spend_yuan"].sum() if len(spend) else pd.Series(dtype=float)
        spend_observed = spend[spend["year"] <= last_year - 2]["spend_yuan"].sum() if len(spend) else 0.0
        by_lever = by_lever[by_lever > 0]
        for lever, total in [("all", by_lever.sum()), *by_lever.items()]:
            share = total / by_lever.sum() if by_lever.sum() else 0.0
            rows.append({"lever": lever, "replicate": r.index, "spend_yuan": total,
                         "per_true_exit_yuan": total / true_exits if true_exits else np.nan,
                         "per_sustained_exit_yuan": share * spend_observed / sustained if sustained else np.nan})
    df = pd.DataFrame(rows)
    g = df.groupby("lever", sort=False)
    out = pd.DataFrame({f"{c}_{q}": g[c].quantile(pct / 100) for c in ("spend_yuan", "per_true_exit_yuan",
                                                                      "per_sustained_exit_yuan")
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


def report_html(markdown_text: str, title: str) -> str:
    """The report as a standalone HTML page (figures referenced beside it)."""
    import markdown

    body = markdown.markdown(markdown_text, extensions=["tables"])
    return (f"<!doctype html><html lang=\"zh-CN\"><head><meta charset=\"utf-8\"><title>{title}</title>"
            "<style>body{font-family:sans-serif;max-width:60em;margin:2em auto;line-height:1.4}"
            "table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:.2em .5em;text-align:right}"
            "img{max-width:100%}</style></head><body>" + body + "</body></html>\n")


def report_markdown(loaded, annual: pd.DataFrame, replicates: int, spend: pd.DataFrame | None = None,
                    survival: pd.DataFrame | None = None, money: pd.DataFrame | None = None,
                    at_risk: pd.DataFrame | None = None, shards: pd.DataFrame | None = None) -> str:
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
    if spec.population.sample > 1:
        lines += [f"Sampled mode: 1 household (and village) in {spec.population.sample} was simulated, each standing for "
                  f"{spec.population.sample}; every replicate draws its own sample, so the bounds include the sampling "
                  "error. There is no per-household at-risk list in this mode.", ""]
    if shards is not None and len(shards):
        end = shards[shards["year"] == spec.last_year]
        lines += [f"## By shard ({len(end)}; `shards.csv` has every year)", "",
                  "| shard | declared exits " + f"{spec.last_year} | relapses {spec.last_year} | poor at end of {spec.last_year} |",
                  "|---|---|---|---|"]
        lines += [f"| {r['region']} | {r['exits_declared_p50']:,.0f} | {r['relapses_p50']:,.0f} | "
                  f"{r['poor_end_p50']:,.0f} [{r['poor_end_p5']:,.0f}, {r['poor_end_p95']:,.0f}] |" for _, r in end.iterrows()]
        lines += [""]
    if spend is not None and len(spend):
        by_lever = spend.groupby(["year", "lever"])["spend_yuan_p50"].sum().unstack(fill_value=0) / 1e4
        lines += ["## Spend by lever (万 yuan, medians)", "",
                  "| year | " + " | ".join(by_lever.columns) + " | total |",
                  "|---|" + "---|" * (len(by_lever.columns) + 1)]
        for year, r in by_lever.iterrows():
            lines.append(f"| {year} | " + " | ".join(f"{v:,.0f}" for v in r) + f" | {r.sum():,.0f} |")
        lines += ["", "![spend by lever](spend.png)", ""]
    if money is not None and len(money):
        a = money.set_index("lever").loc["all"]
        lines += ["## Money", "",
                  f"- Spend over the run: {a['spend_yuan_p50'] / 1e8:,.2f} 亿 yuan "
                  f"[{a['spend_yuan_p5'] / 1e8:,.2f}, {a['spend_yuan_p95'] / 1e8:,.2f}]",
                  f"- Per true exit: {a['per_true_exit_yuan_p50']:,.0f} yuan; per sustained exit (no relapse within "
                  f"24 months, cohorts up to {loaded.spec.last_year - 2}): {a['per_sustained_exit_yuan_p50']:,.0f} yuan", ""]
    if survival is not None and len(survival):
        lines += ["## Relapse risk", "", "Share of exited households still out of poverty after 12/24/36 months "
                  "(Kaplan-Meier at the annual assessments; median over replicates):", "",
                  "| group | 12 months | 24 months | 36 months |", "|---|---|---|---|"]
        piv = survival.pivot_table(index=["group_kind", "group"], columns="months", values="survival_p50", sort=False)
        for (kind, group), r in piv.iterrows():
            cells = " | ".join("–" if pd.isna(r.get(m)) else f"{r.get(m):.1%}" for m in (12, 24, 36))
            lines.append(f"| {kind}: {group} | {cells} |")
        lines += ["", "![relapse survival](relapse_survival.png)", ""]
    if at_risk is not None and len(at_risk):
        top = at_risk.head(max(1, len(at_risk) // 10))
        lines += [f"The at-risk list (`at_risk.csv`) ranks {len(at_risk):,} households exited at the end of "
                  f"{int(at_risk['origin_year'].iloc[0])} by their chance of relapsing within 12 months; the top decile's "
                  f"mean chance is {top['p_relapse_12m'].mean():.1%} against {at_risk['p_relapse_12m'].mean():.1%} overall.", ""]
    lines += ["## Assumptions that matter most", "",
              "Behavioural parameters are assumptions until calibrated (issue: calibration): income growth and volatility, "
              "the illness rates and costs, relapse detection and new-poor identification, take-up of each lever. "
              "Every value and its source is in `manifest.json` and `tuopin params`.", ""]
    return "\n".join(lines)


def run_to_folder(loaded, out, replicates: int = 1, workers: int = 1, progress: bool = True, executor=None,
                  resume: bool = False) -> dict:
    """Run an ensemble and write the results folder atomically; return the manifest's timings.

    Finished replicates are checkpointed in a hidden ``.<out>.partial`` folder beside ``out``;
    with ``resume`` an interrupted run continues from them (same numbers), otherwise it starts
    afresh. The checkpoint is removed once the results folder is in place."""
    import time
    from pathlib import Path

    from ..outputs import plots
    from ..outputs import results
    from ..runs.ensemble import run_ensemble

    out = Path(out)
    results.check_destination(out)
    results.check_memory(loaded, workers)
    checkpoint = results.checkpoint_folder(out, loaded, replicates, resume)
    t0 = time.perf_counter()
    spec = loaded.spec
    risk = None
    if spec.population.sample == 1:  # sampled mode has no fixed households to list
        households = synthesize(spec, loaded.params, np.random.default_rng(spec.seed))[0]
        risk = relapse.AtRisk(households, spec.last_year - 1)
    reps = run_ensemble(loaded, replicates, workers=workers, executor=executor, progress=progress,
                        fold=risk.add if risk else None, checkpoint=checkpoint)
    annual = annual_table(reps)
    for q in QUANTILES:  # cumulative progress toward "all exit by the final year"
        annual[f"progress_share_{q}"] = annual[f"exits_declared_cum_{q}"] / spec.population.people
    spend = spend_table(reps)
    survival = relapse.survival_table(reps)
    money = money_table(reps, spec.last_year)
    at_risk = risk.table() if risk else pd.DataFrame()
    shards = shard_table(reps)
    timings = {"simulate_seconds": round(sum(r.seconds for r in reps), 4),
               "household_steps": int(sum(r.household_steps for r in reps)),
               "wall_seconds": round(time.perf_counter() - t0, 4)}
    timings["household_steps_per_second"] = round(timings["household_steps"] / max(timings["simulate_seconds"], 1e-9))
    with results.atomic_folder(out, remove_after=checkpoint) as tmp:
        annual.to_csv(tmp / "annual.csv", index=False, float_format="%.6g")
        spend.to_csv(tmp / "spend.csv", index=False, float_format="%.6g")
        survival.to_csv(tmp / "relapse_survival.csv", index=False, float_format="%.6g")
        money.to_csv(tmp / "money.csv", index=False, float_format="%.6g")
        tables = ["annual.csv", "spend.csv", "relapse_survival.csv", "money.csv"]
        if spec.budget.cap:
            utilisation_table(spend, spec.budget.cap).to_csv(tmp / "budget_utilisation.csv", index=False,
                                                             float_format="%.6g")
            tables.append("budget_utilisation.csv")
        if len(shards):
            shards.to_csv(tmp / "shards.csv", index=False, float_format="%.6g")
            tables.append("shards.csv")
        if len(at_risk):
            at_risk.to_csv(tmp / "at_risk.csv", index=False, float_format="%.6g")
            tables.append("at_risk.csv")
        title = f"{spec.region} {spec.first_year}-{spec.last_year}"
        figures = plots.save(plots.exits_vs_targets(annual, title), tmp, "exits_vs_targets")
        figures += plots.save(plots.relapse_survival(survival, title), tmp, "relapse_survival")
        figures += plots.save(plots.money(spend, money, title), tmp, "spend")
        report = report_markdown(loaded, annual, replicates, spend, survival, money, at_risk, shards)
        (tmp / "report.md").write_text(report, encoding="utf-8")
        (tmp / "report.html").write_text(report_html(report, title), encoding="utf-8")
        results.write_manifest(
            tmp,
            scenario={"file": str(loaded.path), "extends_chain": [str(f) for f in loaded.files], "sha256": loaded.sha256,
                      "name": loaded.spec.name, "spec": loaded.spec.model_dump(mode="json")},
            seed=loaded.spec.seed, replicates=replicates, workers=workers, resumed=resume,
            parameters=loaded.params, timings=timings,
            files=[*tables, "report.md", "report.html", *figures],
        )
    return timings


COMPARE_COLUMNS = ("exits_declared", "exits_true", "exits_paper", "relapses", "new_poor", "poor_end")
DIFF_COLUMNS = ("exits_true", "relapses", "poor_end", "spend_10k_yuan")


def _per_replicate(reps: list[Replicate]) -> pd.DataFrame:
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
    per = {name: _per_replicate(reps) for name, reps in runs.items()}
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
    """Per scenario after the first: its difference from the first over the whole run (true
    exits, relapses, spend), median and 5-95 % over paired replicates."""
    per = {name: _per_replicate(reps).groupby("replicate")[list(DIFF_COLUMNS)].sum() for name, reps in runs.items()}
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


def compare_summary(runs: dict[str, list[Replicate]]) -> list[str]:
    """One line per scenario after the first: its total difference over the run, with interval."""
    lines = []
    for _, r in compare_totals(runs).iterrows():
        parts = [f"{c.removesuffix('_10k_yuan')} {r[c + '_diff_p50']:+,.0f} [{r[c + '_diff_p5']:+,.0f}, "
                 f"{r[c + '_diff_p95']:+,.0f}]" + (" 万 yuan" if c == "spend_10k_yuan" else "")
                 for c in DIFF_COLUMNS if c != "poor_end"]
        lines.append(f"{r['scenario']} vs {r['baseline']}, totals over the run: " + "; ".join(parts))
    return lines
