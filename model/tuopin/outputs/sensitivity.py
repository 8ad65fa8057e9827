"""The sensitivity analysis's results folder: the ranking and design tables, the tornado and
index figures, sensitivity.md and the manifest."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from ..analysis.sensitivity import NOISE_TO_MU_STAR, OUTPUTS, Analysis
from . import results
from .plots import label, plain, style


def tornado_figure(tornado: pd.DataFrame, title: str, top: int = 15):
    """Classic tornado, one panel per output: the output with each parameter at its low (light) and
    high (dark) end minus the output at defaults, the largest swings on top."""
    from matplotlib.figure import Figure
    from matplotlib.ticker import MaxNLocator

    with style():
        fig = Figure(figsize=(13, 0.32 * top + 1.6), layout="constrained")
        axes = fig.subplots(1, len(OUTPUTS))
        for ax, (out, (en, zh)) in zip(axes, OUTPUTS.items()):
            t = tornado.nlargest(top, f"{out}_swing").iloc[::-1]
            base = t[f"{out}_baseline"].iloc[0] if len(t) else 0.0
            y = np.arange(len(t))
            lo, hi = t[f"{out}_at_low"] - base, t[f"{out}_at_high"] - base
            # low and high side by side (half bars), so neither hides the other when both go the same way
            ax.barh(y + 0.2, lo, height=0.4, color="#9ecae1", label=label("parameter at its low end", "取低值"))
            ax.barh(y - 0.2, hi, height=0.4, color="#1f5fa8", label=label("at its high end", "取高值"))
            ax.set_yticks(y, t["parameter"], fontsize=8)
            ax.axvline(0, color="black", lw=0.8)
            ax.set_title(label(en, zh) + f"\n{label('baseline (scenario as given)', '基准')}: {base:,.0f}", fontsize=10)
            ax.set_xlabel(label("difference from baseline, people", "与基准之差 人"))
            ax.xaxis.set_major_formatter(lambda v, _: f"{v:+,.0f}")
            ax.xaxis.set_major_locator(MaxNLocator(5))
            ax.spines[["top", "right"]].set_visible(False)
            ax.grid(axis="x", alpha=0.3)
        fig.legend(*axes[0].get_legend_handles_labels(), loc="outside lower center", ncols=2, fontsize=9, frameon=False)
        fig.suptitle(plain(title) + " — " + label("one parameter at a time over its plausible range", "单参数敏感性"),
                     fontsize=12)
    return fig


def indices_figure(table: pd.DataFrame, method: str, title: str, top: int = 15):
    """Bars of the main indices with their 95 % intervals, one panel per output: Sobol S1 and ST,
    or Morris mu* (with sigma as a second bar: large sigma = interactions or non-linearity)."""
    from matplotlib.figure import Figure
    from matplotlib.ticker import MaxNLocator

    if method == "sobol":
        bars = (("S1", "S1_conf", "#9ecae1", ("first order S1", "一阶")), ("ST", "ST_conf", "#1f5fa8", ("total ST", "总效应")))
    else:
        bars = (("mu_star", "mu_star_conf", "#1f5fa8", ("mu*", "平均绝对效应")), ("sigma", None, "#9ecae1", ("sigma", "标准差")))
    with style():
        fig = Figure(figsize=(13, 0.32 * top + 1.6), layout="constrained")
        axes = fig.subplots(1, len(OUTPUTS))
        for ax, (out, (en, zh)) in zip(axes, OUTPUTS.items()):
            t = table.nlargest(top, f"{out}_{bars[1][0] if method == 'sobol' else 'mu_star'}").iloc[::-1]
            y = np.arange(len(t))
            h = 0.4
            for k, (col, conf, color, (ben, bzh)) in enumerate(bars):
                err = t[f"{out}_{conf}"].to_numpy() if conf else None
                ax.barh(y + (k - 0.5) * h, t[f"{out}_{col}"], height=h, xerr=err, color=color, capsize=2,
                        error_kw={"lw": 0.8}, label=label(ben, bzh))
            ax.set_yticks(y, t["parameter"], fontsize=8)
            ax.set_title(label(en, zh), fontsize=10)
            ax.set_xlabel(label("share of output variance", "方差占比") if method == "sobol"
                          else label("people per plausible range", "人 每个合理区间"))
            if method == "sobol":
                ax.set_xlim(left=min(0.0, float((t[f"{out}_S1"] - t[f"{out}_S1_conf"]).min())))
            ax.xaxis.set_major_locator(MaxNLocator(5))
            if method != "sobol":
                ax.xaxis.set_major_formatter(lambda v, _: f"{v:,.0f}")
            ax.axvline(0, color="black", lw=0.8)
            ax.spines[["top", "right"]].set_visible(False)
            ax.grid(axis="x", alpha=0.3)
        fig.legend(*axes[0].get_legend_handles_labels(), loc="outside lower center", ncols=2, fontsize=9, frameon=False)
        what = label("Sobol indices, 95 % intervals", "Sobol 指数") if method == "sobol" else \
            label("Morris elementary effects, 95 % intervals", "Morris 基本效应")
        fig.suptitle(plain(title) + " — " + what, fontsize=12)
    return fig


def report(a: Analysis, title: str, options: dict, top: int = 5) -> str:
    """sensitivity.md: what was run and the top sensitivities in words."""
    key = "mu_star" if a.method == "morris" else "ST"
    lines = [f"# Sensitivity: {title}", "",
             f"{a.method.capitalize()} over {len(a.names)} uncertain parameters, {a.evaluations} model evaluations "
             f"({len(a.design)} design points and {2 * len(a.names) + 1} one-at-a-time points), "
             f"{options['replicates']} common replicate seed(s) each, sampled mode 1 in {options['sample']}, "
             f"{a.seconds:,.0f} s.", "",
             "Ranges: each parameter's plausible range from the catalog (`plausible`), or default × (1 ± 0.5) within "
             "its validation range where the catalog gives none (column `range_source` of sensitivity.csv).", ""]
    for out, (en, _) in OUTPUTS.items():
        t = a.table.sort_values(f"rank_{out}").head(top)
        base = a.tornado[f"{out}_baseline"].iloc[0]
        lines += [f"## {en.capitalize()} (baseline, the scenario as given: {base:,.0f} people)", ""]
        for _, r in t.iterrows():
            idx = (f"mu* {r[f'{out}_mu_star']:,.0f} ± {r[f'{out}_mu_star_conf']:,.0f} people, sigma {r[f'{out}_sigma']:,.0f}"
                   if a.method == "morris" else
                   f"ST {r[f'{out}_ST']:.2f} ± {r[f'{out}_ST_conf']:.2f}, S1 {r[f'{out}_S1']:.2f} ± {r[f'{out}_S1_conf']:.2f}")
            lo, hi = r[f"{out}_at_low"] - base, r[f"{out}_at_high"] - base
            lines.append(f"{int(r[f'rank_{out}'])}. **{r['parameter']}** ({idx}): from {r['plausible_low']:g} to "
                         f"{r['plausible_high']:g}, the others as given, {en} move by {lo:+,.0f} / {hi:+,.0f} people.")
        lines.append("")
    if all(np.isfinite(v) for v in a.noise.values()):
        floor = {o: NOISE_TO_MU_STAR * v for o, v in a.noise.items()}
        lines += ["Monte Carlo noise: one point's output has a standard error of about "
                  + " and ".join(f"{v:,.0f} {o}" for o, v in a.noise.items())
                  + (f" (between its {options['replicates']} common seeds); pure noise would "
                     "show as mu* of about " + " and ".join(f"{v:,.0f}" for v in floor.values())
                     + " — parameters below that are not distinguishable from no effect (an upper bound: common "
                     "seeds cancel most of it for parameters that do not change the population's draws)."
                     if a.method == "morris" else "."), ""]
    inert = a.table.loc[(a.table[[f"{o}_swing" for o in OUTPUTS]].sum(axis=1) == 0) &
                        (a.table[[f"{o}_{key}" for o in OUTPUTS]].abs().sum(axis=1) == 0), "parameter"].tolist()
    if inert:
        lines += [f"No effect at all ({len(inert)}): {', '.join(inert)} — typically parameters of a lever switched "
                  "off in this scenario (e.g. pressure.* without pressure.enabled) or outside its years.", ""]
    if a.method == "morris":
        lines += ["mu* is the mean absolute change of the output when the parameter moves across its plausible range; "
                  "sigma large against mu* means the effect depends on the other parameters (interactions or "
                  "non-linearity). Monte Carlo noise left after common random numbers also shows up in sigma.", ""]
    else:
        lines += ["S1: share of the output's variance due to the parameter alone; ST: including its interactions. "
                  "Negative or > 1 values within their intervals are sampling error: raise --samples.", ""]
    lines += [f"Ranked by {key} on exits in sensitivity.csv; the design and outputs are in samples.csv.", ""]
    return "\n".join(lines)


def write_folder(out: Path, a: Analysis, loaded, options: dict) -> list[str]:
    """Write the results folder atomically: tables, figures, report and manifest."""
    opts = {"method": a.method, "samples": options["samples"], "sample": options["sample"], "parameters": a.names,
            "evaluations": a.evaluations}
    with results.results_folder(out, "sensitivity", [loaded], seed=options["seed"], replicates=options["replicates"],
                                workers=options["workers"], options=opts,
                                timings={"wall_seconds": round(a.seconds, 4)}) as f:
        f.table("sensitivity.csv", a.table)
        f.table("samples.csv", a.design, float_format="%.8g")
        figures = f.figure(tornado_figure(a.tornado, loaded.spec.region), "tornado")
        figures += f.figure(indices_figure(a.table, a.method, loaded.spec.region), a.method)
        f.text("sensitivity.md", report(a, loaded.spec.region, options) + "\n"
               + "".join(f"![{name}]({name})\n" for name in figures if name.endswith(".png")))
    return f.files
