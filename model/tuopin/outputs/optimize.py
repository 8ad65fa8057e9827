"""The budget plan's results folder: split, frontier, candidates and comparison tables, the
frontier and split figures, optimize.md and the manifest."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from ..analysis.optimize.evaluate import OBJECTIVES
from ..analysis.optimize.plan import Plan, yi
from ..inputs.scenario import LoadedScenario
from . import plots, results
from .tables import FLOAT_FORMAT, for_people


def markdown(p: Plan, loaded: LoadedScenario, options: dict, figures: list[str]) -> str:
    sign, what = OBJECTIVES[p.objective]
    direction = "higher" if sign > 0 else "lower"
    c = p.comparison.set_index("split")
    fr = p.frontier.set_index("budget_fraction").loc[1.0]
    obj = p.objective

    def interval(role):
        r = c.loc[role]
        return f"{r[f'{obj}_p50']:,.0f} ({r[f'{obj}_p5']:,.0f}–{r[f'{obj}_p95']:,.0f})"

    lines = [f"# Budget split — {loaded.spec.region}", "",
             (f"Scenario `{loaded.path.name}`, {loaded.spec.first_year}-{loaded.spec.last_year}; budget "
             f"**{p.budget:,.0f} yuan a year** ({yi(p.budget)}); objective **{obj}** ({what}; {direction} is better). "
             f"{options['evaluations']} evaluations per budget level, each on the same {options['replicates']} replicate "
             f"seeds (common random numbers); the comparison below is on {options['confirm']} further common seeds "
             f"(not those the search saw). Sampled mode: 1 household in {options['sample']}. "
             "One split holds every year (no per-year budgets)."), "",
             "## Best split", "", "| lever | yuan a year | share | seed allocation | uniform | spend (p50) | shortfall (p50) |",
             "|---|---:|---:|---:|---:|---:|---:|"]
    for _, r in p.split.iterrows():
        lines.append(f"| {r['lever']} | {r['cap_yuan']:,.0f} | {r['share']:.1%} | {r['seed_allocation_yuan']:,.0f} | "
                     f"{r['uniform_yuan']:,.0f} | {r['spend_p50_yuan']:,.0f} | {r['shortfall_p50_yuan']:,.0f} |")
    lines += ["", f"## Against the seed allocation and a uniform split ({obj}, median and 5–95 % over replicates)", "",
              f"- optimised: {interval('optimised')}",
              f"- seed allocation (the scenario's uncapped spend by lever, scaled to the budget): {interval('seed_allocation')}",
              f"- uniform split: {interval('uniform')}"]
    if "uncapped" in c.index:
        lines.append(f"- for reference, no caps at all (each lever spends what it asks, "
                     f"{c.loc['uncapped', 'spend_yuan_p50']:,.0f} yuan a year on average): {interval('uncapped')}")
    for role, name in (("seed_allocation", "the seed allocation"), ("uniform", "the uniform split")):
        if f"gain_vs_{role}_p50" in fr:
            verdict = "beats" if fr[f"beats_{role}"] else "does **not** beat"
            lines.append(f"- the optimised split {verdict} {name}: paired gain (positive = better) {fr[f'gain_vs_{role}_p50']:+,.0f} "
                         f"({fr[f'gain_vs_{role}_p5']:+,.0f} to {fr[f'gain_vs_{role}_p95']:+,.0f}), better in "
                         f"{fr[f'share_better_than_{role}']:.0%} of replicates")
    lines += ["", "## Budget–outcome frontier", "", f"| budget | yuan a year | optimised {obj} (5–95 %) | seed allocation | uniform |",
              "|---:|---:|---:|---:|---:|"]
    for _, r in p.frontier.iterrows():
        lines.append(f"| {r['budget_fraction']:.0%} | {r['budget_yuan']:,.0f} | {r['optimised_p50']:,.0f} "
                     f"({r['optimised_p5']:,.0f}–{r['optimised_p95']:,.0f}) | {r['seed_allocation_p50']:,.0f} | {r['uniform_p50']:,.0f} |")
    lines += ["", "## Notes", ""] + [f"- {n}" for n in p.notes] + [
        "- Caps replace the scenario's own `[budget.cap]` table; past a cap, whole households are paid poorest first.",
        "- Per-lever costs interact: a lever's cap changes who exits and so what the other levers are asked to pay.",
        ""] + [f"![{f}]({f})" for f in figures if f.endswith(".png")]
    return "\n".join(lines) + "\n"


def frontier_figure(p: Plan, title: str):
    sign, _ = OBJECTIVES[p.objective]
    names = {"sustained_exits": ("sustained exits", "稳定脱贫人数"), "shortfall": ("shortfall against targets", "未完成目标人数"),
             "relapse": ("relapses", "返贫人数")}[p.objective]
    with plots.style():
        fig = plots._figure()
        fig.set_figheight(4.8)  # room for the legend below
        ax = fig.subplots()
        f = p.frontier.sort_values("budget_yuan")
        unit = plots.MILLION
        x = f["budget_yuan"] / unit
        ax.fill_between(x, f["optimised_p5"], f["optimised_p95"], color="#1f5fa8", alpha=0.2, lw=0)
        ax.plot(x, f["optimised_p50"], "o-", color="#1f5fa8", label=plots.label("optimised split", "优化分配") + " (p50, 5-95 %)")
        ax.plot(x, f["seed_allocation_p50"], "s--", color="#d9730d", ms=4, label=plots.label("seed allocation, scaled", "现行结构"))
        ax.plot(x, f["uniform_p50"], "^:", color="#7f7f7f", ms=4, label=plots.label("uniform split", "平均分配"))
        if "uncapped" in set(p.comparison["split"]):
            u = p.comparison.set_index("split").loc["uncapped"]
            obj = p.objective
            ax.errorbar([u["spend_yuan_p50"] / unit], [u[f"{obj}_p50"]], yerr=[[u[f"{obj}_p50"] - u[f"{obj}_p5"]],
                        [u[f"{obj}_p95"] - u[f"{obj}_p50"]]], fmt="*", color="black", ms=10, capsize=3,
                        label=plots.label("no caps (each lever spends what it asks)", "不设上限"))
        ax.axvline(p.budget / unit, color="black", lw=0.8, ls=":")
        ax.set_xlabel(plots.label("budget, million yuan a year", "年度预算 百万元"))
        ax.xaxis.set_major_formatter(lambda v, _: f"{v:,.2f}".rstrip("0").rstrip("."))
        plots._style(ax, plots.label("Budget–outcome frontier", "预算—效果前沿"), plots.label(*names))
        fig.legend(*ax.get_legend_handles_labels(), frameon=False, fontsize=8, loc="outside lower center", ncols=2)
        fig.suptitle(plots.plain(title), fontsize=12)
    return fig


def split_figure(p: Plan, title: str):
    with plots.style():
        fig = plots._figure(width=8.4)
        ax = fig.subplots()
        s = p.split[(p.split[["cap_yuan", "seed_allocation_yuan", "uniform_yuan"]].sum(axis=1) > 0)].iloc[::-1]
        y = np.arange(len(s))
        h = 0.27
        for k, (col, color, en, zh) in enumerate((("cap_yuan", "#1f5fa8", "optimised", "优化分配"),
                                                  ("seed_allocation_yuan", "#d9730d", "seed allocation", "现行结构"),
                                                  ("uniform_yuan", "#bdbdbd", "uniform", "平均分配"))):
            ax.barh(y + (1 - k) * h, s[col] / plots.MILLION, height=h, color=color, label=plots.label(en, zh))
        ax.plot(s["uncapped_spend_yuan"] / plots.MILLION, y, "k|", ms=12, mew=1.5,
                label=plots.label("uncapped spend, yearly mean", "不设上限年均支出"))
        ax.plot(s["uncapped_need_max_yuan"] / plots.MILLION, y, "kd", ms=5, mfc="white",
                label=plots.label("uncapped spend, largest year", "不设上限最高年支出"))
        ax.set_yticks(y, s["lever"])
        ax.set_xlabel(plots.label("million yuan a year", "百万元/年"))
        ax.xaxis.set_major_formatter(lambda v, _: f"{v:,.0f}")
        ax.set_title(plots.label(f"Split of {p.budget / plots.MILLION:,.1f} million yuan a year", "预算分配"), fontsize=11)
        ax.spines[["top", "right"]].set_visible(False)
        ax.grid(axis="x", alpha=0.3)
        ax.legend(frameon=False, fontsize=8, loc="upper left", bbox_to_anchor=(1.0, 1.0))
        fig.suptitle(plots.plain(title), fontsize=12)
    return fig


def write_folder(out: Path, p: Plan, loaded: LoadedScenario, options: dict, seconds: float) -> list[str]:
    """Write split.csv, frontier.csv, candidates.csv, comparison.csv, the figures, optimize.md and
    the manifest into ``out`` in one atomic rename."""
    opts = {k: v for k, v in options.items() if k not in ("seed", "replicates", "workers")}
    with results.results_folder(out, "optimize", [loaded], seed=options["seed"], replicates=options["replicates"],
                                workers=options["workers"], options={**opts, "budget_yuan": p.budget},
                                timings={"wall_seconds": round(seconds, 4)}) as f:
        f.table("split.csv", p.split, float_format="%.10g")
        f.table("frontier.csv", for_people(p.frontier), float_format=FLOAT_FORMAT)
        f.table("candidates.csv", p.candidates, float_format="%.10g")
        f.table("comparison.csv", for_people(p.comparison), float_format=FLOAT_FORMAT)
        figures = f.figure(frontier_figure(p, loaded.spec.region), "frontier")
        figures += f.figure(split_figure(p, loaded.spec.region), "split")
        f.text("optimize.md", markdown(p, loaded, options, figures))
    return f.files
