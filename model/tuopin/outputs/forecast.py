"""The forecast's results folder: tables, figures, the report (Markdown and HTML) and the manifest.

:func:`run_to_folder` is ``tuopin run``: it checks the destination and the memory first, runs the
forecast with a checkpoint beside the destination (so an interrupted run can resume with the same
numbers) and writes the folder in one rename.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from ..analysis.forecast import forecast
from . import plots, results


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
    """Run a forecast and write its results folder atomically; return the manifest's timings.

    Finished points are checkpointed in a hidden ``.<out>.partial`` folder beside ``out``; with
    ``resume`` an interrupted run continues from them (same numbers), otherwise it starts afresh.
    The checkpoint is removed once the results folder is in place."""
    out = Path(out)
    results.check_destination(out)
    results.check_memory(loaded, workers)
    checkpoint = results.checkpoint_folder(out, loaded, replicates, resume)
    fc = forecast(loaded, replicates, workers=workers, executor=executor, progress=progress, checkpoint=checkpoint)
    spec = loaded.spec
    with results.results_folder(out, "run", [loaded], seed=spec.seed, replicates=replicates, workers=workers,
                                options={"resumed": resume}, timings=fc.timings, remove_after=checkpoint) as f:
        f.table("annual.csv", fc.annual)
        f.table("spend.csv", fc.spend)
        f.table("relapse_survival.csv", fc.survival)
        f.table("money.csv", fc.money)
        for name, table in (("budget_utilisation.csv", fc.utilisation), ("shards.csv", fc.shards),
                            ("at_risk.csv", fc.at_risk)):
            if len(table):
                f.table(name, table)
        title = f"{spec.region} {spec.first_year}-{spec.last_year}"
        f.figure(plots.exits_vs_targets(fc.annual, title), "exits_vs_targets")
        f.figure(plots.relapse_survival(fc.survival, title), "relapse_survival")
        f.figure(plots.money(fc.spend, fc.money, title), "spend")
        report = report_markdown(loaded, fc.annual, replicates, fc.spend, fc.survival, fc.money, fc.at_risk, fc.shards)
        f.text("report.md", report)
        f.text("report.html", report_html(report, title))
    return fc.timings


def rerun(run: Path, out: Path | None = None, progress: bool = True) -> tuple[Path, list[str], list[str]]:
    """Run again what a results folder's manifest records into ``out`` (default: RUN-rerun); the
    folder written, the tables compared and those that differ."""
    run = Path(run)
    loaded, replicates, workers, files = results.scenario_from_manifest(run)
    out = Path(out) if out else run.with_name(run.name + "-rerun")
    results.check_not_input(out, [run])
    run_to_folder(loaded, out, replicates=replicates, workers=workers, progress=progress)
    # every table the manifest lists (a table deleted from the run folder, or not made again, differs)
    tables = sorted(f for f in files if f.endswith(".csv"))
    differ = [t for t in tables if not (run / t).is_file() or not (out / t).is_file()
              or (out / t).read_bytes() != (run / t).read_bytes()]
    return out, tables, differ
