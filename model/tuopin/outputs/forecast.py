"""The forecast's results folder: tables, figures, the report (Markdown and HTML) and the manifest.

:func:`run_to_folder` is ``tuopin run``: it checks the destination and the memory first, runs the
forecast with a checkpoint beside the destination (so an interrupted run can resume with the same
numbers) and writes the folder in one rename.
"""

from __future__ import annotations

import base64
import html
import re
from pathlib import Path

import pandas as pd

from .. import parameters
from ..analysis.forecast import forecast
from ..analysis.levers import run_levers
from ..parameters.citations import DOCUMENTS
from . import levers as lever_section
from . import plots, results
from .tables import FLOAT_FORMAT, for_people

AT_RISK_TOP = 1000  # households in at_risk.csv unless --at-risk all
DICTIONARY = "docs/outputs.md"
GROUP_KINDS = {"all": "all exits", "cohort": "exited in", "cause": "main cause"}


def report_html(markdown_text: str, title: str, folder: Path | None = None) -> str:
    """The report as one standalone HTML page: each figure the Markdown names is embedded from
    ``folder`` as a base64 PNG, so the page shows them when sent alone."""
    import markdown

    body = markdown.markdown(markdown_text, extensions=["tables"])

    def embed(m: re.Match) -> str:
        path = (folder / html.unescape(m.group(2))) if folder else None
        if path is None or not path.is_file():
            return m.group(0)
        return f'{m.group(1)}data:image/png;base64,{base64.b64encode(path.read_bytes()).decode()}{m.group(3)}'

    body = re.sub(r'(<img[^>]*src=")([^":]+\.png)(")', embed, body)
    return (f"<!doctype html><html lang=\"zh-CN\"><head><meta charset=\"utf-8\"><title>{html.escape(title)}</title>"
            "<style>body{font-family:sans-serif;max-width:60em;margin:2em auto;line-height:1.4}"
            "table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:.2em .5em;text-align:right}"
            "td:first-child,th:first-child{text-align:left}"
            "img{max-width:100%}</style></head><body>" + body + "</body></html>\n")


def _range(r, col: str, unit: float = 1.0, fmt: str = ",.0f") -> str:
    """``median [p5, p95]`` of ``col`` in row ``r``."""
    return f"{r[col + '_p50'] / unit:{fmt}} [{r[col + '_p5'] / unit:{fmt}}, {r[col + '_p95'] / unit:{fmt}}]"


def _spend(a) -> str:
    """Spend over the run, median [5-95 %], in million or billion yuan."""
    unit, (name, _) = plots.yuan_unit(a["spend_yuan_p95"])
    return f"{_range(a, 'spend_yuan', unit, ',.1f')} {name}"


def headline(loaded, annual: pd.DataFrame, money: pd.DataFrame | None = None) -> list[str]:
    """The run's result in a few lines: exits against targets, the poor left, relapses and spend
    (medians with 5-95 % over replicates). The report's first section and what `tuopin run` prints.
    The village rule is quoted from the run's parameters, so an override shows as it was run."""
    spec, p = loaded.spec, loaded.params
    last = annual.iloc[-1]
    lines = []
    for _, r in annual.iterrows():
        if pd.notna(r["target_exits"]):
            lines.append(f"{int(r['year'])}: declared exits {_range(r, 'exits_declared')} against a target of "
                         f"{r['target_exits']:,.0f} people; P(meet target) = {r['p_meet_target']:.2f}")
    planned = annual[annual["target_exits"].notna()]
    if len(planned) and pd.notna(last.get("p_meet_plan")):
        lines.append(f"P(meeting the plan {int(planned['year'].min())}-{int(planned['year'].max())}: cumulative declared "
                     f"exits at or above the cumulative targets at every year end) = {last['p_meet_plan']:.2f}")
    lines.append(f"Registered poor left at the end of {int(last['year'])}: {_range(last, 'poor_end')} people "
                 f"(registered at the start: {spec.population.people:,})")
    if spec.population.poor_villages and pd.notna(last.get("poor_villages_remaining_p50")):
        lines.append(f"Poor villages out at the end of {int(last['year'])}: "
                     f"{spec.population.poor_villages - last['poor_villages_remaining_p50']:,.0f} of "
                     f"{spec.population.poor_villages:,} (still poor: {_range(last, 'poor_villages_remaining')}"
                     + (f", of which in deep poverty, incidence {_pct(p['village.deep_incidence'])} or more: "
                        f"{_range(last, 'poor_villages_deep')}" if pd.notna(last.get("poor_villages_deep_p50")) else "")
                     + "); a poor village exits by the rule: incidence under "
                     + _pct(p["assessment.village_incidence_west" if spec.west else "assessment.village_incidence"])
                     + f" and collective income of at least {p['village.collective_income_min']:,.0f} yuan a year")
    lines.append(f"True exits over the run: {_range(last, 'exits_true_cum')} people; relapses: "
                 f"{annual['relapses_p50'].sum():,.0f} people (yearly medians summed)")
    if money is not None and len(money) and "all" in set(money["lever"]):
        a = money.set_index("lever").loc["all"]
        lines.append(f"Spend over the run: {_spend(a)}")
    return lines


def _pct(share: float) -> str:
    """A share as the report writes it: 0.02 → "2 %", 0.025 → "2.5 %"."""
    return f"{100 * share:g} %"


def _survival_label(kind: str, group: str) -> str:
    if kind == "all":
        return "all exits"
    if kind == "cause":
        return f"main cause: {plots.CAUSE_LABELS.get(group, (group,))[0]}"
    return f"{GROUP_KINDS.get(kind, kind)} {group}"


def _documents(loaded) -> list[str]:
    """The policy documents the run's parameters cite, by title."""
    keys = {c.ref for p in parameters.catalog().values() for c in p.sources if c.kind == "document"}
    return [f"- 《{DOCUMENTS[k].title}》 ({DOCUMENTS[k].issuer}, {DOCUMENTS[k].date}), cited as {DOCUMENTS[k].short}"
            for k in DOCUMENTS if k in keys]


def uncertainty(loaded) -> str:
    """Which uncertainty the bounds hold, in words, for the report."""
    held = ["the model's own randomness (shocks, targeting, detection)"]
    if loaded.spec.population.sample > 1:
        held.append(f"sampling error (1 household in {loaded.spec.population.sample} simulated)")
    if loaded.posterior:
        held.append(f"parameter uncertainty ({len(loaded.posterior)} posterior draws from "
                    f"{Path(loaded.spec.posterior).name}, one per replicate"
                    + (f"; fitted on another region: {transferred(loaded)}" if loaded.spec.posterior_transfer else "") + ")")
        return "they hold " + ", ".join(held[:-1]) + " and " + held[-1]
    return ("they hold " + " and ".join(held) + ", not the uncertainty about the parameters "
            "(`--posterior FILE` adds it)")


def transferred(loaded) -> str:
    """Which parameters a posterior fitted elsewhere gives this scenario, and which it withholds, why."""
    from ..inputs.posterior import scenario_draws

    withheld = scenario_draws(loaded.spec)[1]
    kept = ", ".join(loaded.posterior[0]) if loaded.posterior else "none"
    return (f"transferred {kept}" + ("; withheld " + "; ".join(f"{k}: {why}" for k, why in withheld.items())
                                     if withheld else ""))


def report_markdown(loaded, annual: pd.DataFrame, replicates: int, spend: pd.DataFrame | None = None,
                    survival: pd.DataFrame | None = None, money: pd.DataFrame | None = None,
                    at_risk: pd.DataFrame | None = None, shards: pd.DataFrame | None = None,
                    escape=lambda s: s, at_risk_written: int | None = None, levers: pd.DataFrame | None = None) -> str:
    """The report: the scenario, the headline, the annual table and a section per table. The
    scenario's own text (region, name, description) goes through ``escape`` (``html.escape`` for
    the HTML page)."""
    spec = loaded.spec
    lines = [f"# Forecast: {escape(spec.region)} {spec.first_year}-{spec.last_year}", "",
             f"Scenario *{escape(spec.name)}* (file `{loaded.path.name}`) · {replicates} replicate"
             f"{'s' * (replicates > 1)} · random seed {spec.seed}", "",
             escape(spec.description), "", "## Headline", ""]
    lines += [f"- {line}" for line in headline(loaded, annual, money)]
    lines += ["", f"Bounds in brackets are the 5th and 95th percentiles over replicates; {escape(uncertainty(loaded))}. "
              "Declared exits are what the assessment declared; true exits are those that truly met the standard. "
              "Every column of every table "
              f"in this folder, its unit and meaning, is described in `{DICTIONARY}` of the tuopin source.", "",
              "## Annual table (people, medians)", "",
              "| year | target | declared exits | true exits | relapses | relapses, % of the exited | new poor | "
              "poor at year end | poor villages exited [5-95 %] |",
              "|---|---|---|---|---|---|---|---|---|"]
    for _, r in annual.iterrows():
        tgt = f"{r['target_exits']:,.0f}" if pd.notna(r["target_exits"]) else "–"
        rate = f"{100 * r['relapse_rate_p50']:.1f}" if pd.notna(r.get("relapse_rate_p50")) else "–"
        lines.append(f"| {int(r['year'])} | {tgt} | {r['exits_declared_p50']:,.0f} | {r['exits_true_p50']:,.0f} | "
                     f"{r['relapses_p50']:,.0f} | {rate} | {r['new_poor_p50']:,.0f} | {r['poor_end_p50']:,.0f} | "
                     f"{r['villages_exited_p50']:,.0f} [{r['villages_exited_p5']:,.0f}, {r['villages_exited_p95']:,.0f}] |")
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
        lines += [f"| {escape(str(r['region']))} | {r['exits_declared_p50']:,.0f} | {r['relapses_p50']:,.0f} | "
                  f"{_range(r, 'poor_end')} |" for _, r in end.iterrows()]
        lines += [""]
    if spend is not None and len(spend):
        by_lever = spend.groupby(["year", "lever"])["spend_yuan_p50"].sum().unstack(fill_value=0)
        unit, (unit_name, _) = plots.yuan_unit(by_lever.sum(axis=1).max())
        by_lever = by_lever.reindex(columns=sorted(set(by_lever.columns) | parameters.levers()), fill_value=0) / unit
        lines += [f"## Spend by lever ({unit_name}, medians)", "",
                  "| year | " + " | ".join(by_lever.columns) + " | total |",
                  "|---|" + "---|" * (len(by_lever.columns) + 1)]
        for year, r in by_lever.iterrows():
            lines.append(f"| {year} | " + " | ".join(f"{v:,.1f}" for v in r) + f" | {r.sum():,.1f} |")
        lines += ["", "![spend by lever](spend.png)", ""]
    if money is not None and len(money) and "all" in set(money["lever"]):
        a = money.set_index("lever").loc["all"]
        sustained = (f"{a['per_sustained_exit_yuan_p50']:,.0f} yuan" if pd.notna(a["per_sustained_exit_yuan_p50"])
                     else "not available (no exit cohort is followed 24 months within the run)")
        per_true = f"{a['per_true_exit_yuan_p50']:,.0f} yuan" if pd.notna(a["per_true_exit_yuan_p50"]) else "not available"
        truly = (f"{a['per_true_sustained_exit_yuan_p50']:,.0f} yuan" if pd.notna(a["per_true_sustained_exit_yuan_p50"])
                 else "not available")
        lines += ["## Money", "",
                  f"- Spend over the run: {_spend(a)}",
                  f"- Per true exit: {per_true}; per sustained exit (no relapse within 24 months, cohorts up to "
                  f"{spec.last_year - 2}; detected): {sustained}",
                  f"- Per truly sustained exit (true status: truly out of poverty at exit and at every assessment "
                  f"since): {truly}", ""]
    if levers is not None and len(levers):
        lines += ["## What each lever buys", "", *lever_section.markdown(levers, replicates)]
    if survival is not None and len(survival):
        lines += ["## Relapse risk", "", "Share of exited households still out of poverty after 12/24/36 months "
                  "(Kaplan-Meier at the annual assessments; median over replicates). *Recorded*: not relapsed in the "
                  "registry (detected relapse). *True status*: of the exits truly out of poverty when declared (paper "
                  "exits left out), the share truly out at every assessment since (the model's true incomes, 三保障 and "
                  "支出型贫困; no registry sees it):", "",
                  "| group | exited households | recorded: 12 months | 24 months | 36 months | true exits | true status: "
                  "12 months | 24 months | 36 months |", "|---|---|---|---|---|---|---|---|---|"]
        keys = ["group_kind", "group"]
        piv = survival.pivot_table(index=keys, columns="months", values="survival_p50", sort=False)
        true = survival.pivot_table(index=keys, columns="months", values="true_survival_p50", sort=False, dropna=False)
        n = survival.groupby(keys, sort=False)["exits_p50"].first()
        n_true = survival.groupby(keys, sort=False)["true_exits_p50"].first()

        def cells(r) -> str:
            return " | ".join("–" if pd.isna(r.get(m)) else f"{r.get(m):.1%}" for m in (12, 24, 36))

        for (kind, group), r in piv.iterrows():  # ``true`` keeps every group (dropna=False)
            lines.append(f"| {_survival_label(kind, group)} | {n.get((kind, group), float('nan')):,.0f} | {cells(r)} | "
                         f"{n_true.get((kind, group), float('nan')):,.0f} | {cells(true.loc[(kind, group)])} |")
        lines += ["", "![relapse survival](relapse_survival.png)", ""]
    if at_risk is not None and len(at_risk):
        top = at_risk.head(max(1, len(at_risk) // 10))
        kept = at_risk_written if at_risk_written is not None else len(at_risk)
        which = "all of them" if kept >= len(at_risk) else f"the {kept:,} most at risk (`--at-risk all` for every one)"
        lines += [f"The at-risk ranking covers {len(at_risk):,} households exited at the end of "
                  f"{int(at_risk['origin_year'].iloc[0])}, by their chance of relapsing within 12 months; the top decile's "
                  f"mean chance is {top['p_relapse_12m'].mean():.1%} against {at_risk['p_relapse_12m'].mean():.1%} overall. "
                  f"`at_risk.csv` lists {which}.", ""]
    lines += ["## Assumptions that matter most", "",
              "Behavioural parameters are assumptions until calibrated against observed series (`tuopin calibrate`): "
              "income growth and volatility, the illness rates and costs, relapse detection and new-poor identification, "
              "take-up of each lever. Every value and its source is in `manifest.json` and `tuopin params`.", ""]
    docs = _documents(loaded)
    if docs:
        lines += ["## Policy documents the parameter catalog cites", "", *docs, ""]
    return "\n".join(lines)


def run_to_folder(loaded, out, replicates: int = 1, workers: int = 1, progress: bool = True, executor=None,
                  resume: bool = False, at_risk_top: int | None = AT_RISK_TOP, levers: bool = False) -> dict:
    """Run a forecast and write its results folder atomically; return the manifest's timings.

    Finished points are checkpointed in a hidden ``.<out>.partial`` folder beside ``out``; with
    ``resume`` an interrupted run continues from them (same numbers), otherwise it starts afresh.
    The checkpoint is removed once the results folder is in place. ``at_risk.csv`` keeps the
    ``at_risk_top`` households most at risk (None: all). With ``levers``, the scenario also runs with
    each lever switched off on the same seeds (:func:`~tuopin.analysis.levers.run_levers`, reusing
    the forecast's replicates): levers.csv, the report's lever section and the spend figure's
    cost per additional sustained exit."""
    out = Path(out)
    results.check_destination(out)
    results.check_memory(loaded, workers)
    checkpoint = results.checkpoint_folder(out, loaded, replicates, resume)
    fc = forecast(loaded, replicates, workers=workers, executor=executor, progress=progress, checkpoint=checkpoint)
    if levers:
        lr = run_levers(loaded, replicates, workers=workers, progress=progress, executor=executor, base=fc.replicate_runs)
        fc.levers = lr.table
        fc.timings["levers_wall_seconds"] = round(lr.seconds, 4)
    write_forecast(loaded, out, fc, replicates, workers, resume=resume, at_risk_top=at_risk_top, remove_after=checkpoint)
    return fc.timings


def write_forecast(loaded, out, fc, replicates: int, workers: int, resume: bool = False,
                   at_risk_top: int | None = AT_RISK_TOP, remove_after: Path | None = None) -> None:
    """Write the results folder of a forecast already run (``fc``), atomically: tables, figures,
    the report and the manifest (``remove_after``: a checkpoint folder to remove once it is in place)."""
    spec = loaded.spec
    at_risk = fc.at_risk if at_risk_top is None else fc.at_risk.head(at_risk_top)
    with results.results_folder(out, "run", [loaded], seed=spec.seed, replicates=replicates, workers=workers,
                                options={"resumed": resume, "at_risk_top": at_risk_top, "levers": bool(len(fc.levers))},
                                timings=fc.timings,
                                remove_after=remove_after) as f:
        for name, table in (("annual.csv", fc.annual), ("spend.csv", fc.spend), ("relapse_survival.csv", fc.survival),
                            ("money.csv", fc.money), ("budget_utilisation.csv", fc.utilisation),
                            ("shards.csv", fc.shards), ("at_risk.csv", at_risk), ("levers.csv", fc.levers)):
            if len(table) or name in ("annual.csv", "spend.csv", "relapse_survival.csv", "money.csv"):
                f.table(name, for_people(table), float_format=FLOAT_FORMAT)
        title = f"{spec.region} {spec.first_year}-{spec.last_year}"
        f.figure(plots.exits_vs_targets(fc.annual, title, start=spec.population.people), "exits_vs_targets")
        f.figure(plots.relapse_survival(fc.survival, title), "relapse_survival")
        f.figure(plots.money(fc.spend, fc.money, title, levers=sorted(parameters.levers()),
                             lever_table=fc.levers if len(fc.levers) else None), "spend")
        if len(fc.levers):
            f.figure(plots.lever_effects(fc.levers, title), "levers")
        parts = (loaded, fc.annual, replicates, fc.spend, fc.survival, fc.money, fc.at_risk, fc.shards)
        extra = dict(at_risk_written=len(at_risk), levers=fc.levers)
        f.text("report.md", report_markdown(*parts, **extra))
        f.text("report.html", report_html(report_markdown(*parts, escape=html.escape, **extra), title, folder=f.path))


def report_headline(folder: Path) -> list[str]:
    """The headline lines of a results folder's report.md (what `tuopin run` prints)."""
    text = (Path(folder) / "report.md").read_text(encoding="utf-8")
    section = text.split("## Headline", 1)[-1].split("\n## ", 1)[0]
    return [line[2:] for line in section.splitlines() if line.startswith("- ")]
def rerun(run: Path, out: Path | None = None, progress: bool = True) -> tuple[Path, list[str], list[str]]:
    """Run again what a results folder's manifest records into ``out`` (default: RUN-rerun); the
    folder written, the tables compared and those that differ."""
    run = Path(run)
    loaded, replicates, workers, files = results.scenario_from_manifest(run)
    out = Path(out) if out else run.with_name(run.name + "-rerun")
    results.check_not_input(out, [run])
    run_to_folder(loaded, out, replicates=replicates, workers=workers, progress=progress, levers="levers.csv" in files)
    # every table the manifest lists (a table deleted from the run folder, or not made again, differs)
    tables = sorted(f for f in files if f.endswith(".csv"))
    differ = [t for t in tables if not (run / t).is_file() or not (out / t).is_file()
              or (out / t).read_bytes() != (run / t).read_bytes()]
    return out, tables, differ
