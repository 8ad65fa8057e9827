"""What each lever buys (``tuopin levers``): levers.csv, the per-replicate totals, the figure,
report.md and the manifest; and the lever section the forecast's report shows (``tuopin run
--levers``)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from ..analysis.levers import OUTCOMES, PRECISION, LeverRuns
from . import plots, results
from .tables import FLOAT_FORMAT, for_people

# the readable table's columns: outcome, heading, scale, format
SHOWN = (("exits_true_added", "true exits", 1.0, "{:+,.0f}"),
         ("exits_sustained_true_added", "truly sustained exits", 1.0, "{:+,.0f}"),
         ("exits_sustained_added", "sustained exits (detected)", 1.0, "{:+,.0f}"),
         ("relapses_added", "relapses", 1.0, "{:+,.0f}"),
         ("spend_yuan_added", "spend, million yuan", 1e6, "{:+,.1f}"),
         ("yuan_per_sustained_exit", "yuan per additional sustained exit", 1.0, "{:,.0f}"))


def _span(r, col: str, scale: float, fmt: str) -> str:
    """``median [p5, p95]``, or ``–`` where the value does not exist."""
    mid, lo, hi = (r[f"{col}_{q}"] for q in ("p50", "p5", "p95"))
    if pd.isna(mid):
        return "–"
    show = lambda v: fmt.format(v / scale) if round(v / scale, 1) else "0"  # noqa: E731 - not "+0" or "-0.0"
    return f"{show(mid)} [{show(lo)}, {show(hi)}]"


def readable(table: pd.DataFrame) -> pd.DataFrame:
    """The lever table as people read it: one row per lever, what it adds over the run (the scenario
    minus the scenario without it), median [5-95 %] over paired replicates, and the note."""
    rows = {}
    for _, r in table.iterrows():
        name = "因户施策 (targeting.by_cause)" if r["lever"] == PRECISION else r["lever"]
        rows[name] = {head: _span(r, col, scale, fmt) for col, head, scale, fmt in SHOWN} | {"note": r["note"] or ""}
    out = pd.DataFrame.from_dict(rows, orient="index")
    out.index.name = "lever (what it adds)"
    return out


def markdown(table: pd.DataFrame, replicates: int, skipped: dict[str, str] | None = None) -> list[str]:
    """The lever section of a report: how to read it, the table and the precision line."""
    t = readable(table)
    lines = ["Each row is the scenario minus the same scenario with one lever switched off (`<lever>.enabled = false`), "
             f"over the run, paired by replicate on common random numbers ({replicates} replicate"
             f"{'s' * (replicates > 1)}): median [5-95 %]. Positive exits and spend are what the lever adds. "
             "Yuan per additional sustained exit is the spend it adds over the truly sustained exits it adds (true "
             "status at the end of the run), per replicate; it is left empty (–) when some replicate gains no "
             "sustained exit, where the ratio has no meaning (the note says why). The 因户施策 row switches "
             f"`{PRECISION}` off: the same measures and money, at random among the eligible.", "",
             "| " + " | ".join([t.index.name, *t.columns]) + " |", "|---" * (len(t.columns) + 1) + "|"]
    lines += ["| " + " | ".join([str(i), *map(str, r)]) + " |" for i, r in t.iterrows()]
    if skipped:
        lines += ["", "Not switched off: " + "; ".join(f"{k} ({v})" for k, v in skipped.items()) + "."]
    prec = table[table["lever"] == PRECISION]
    if len(prec):
        r = prec.iloc[0]
        lines += ["", f"因户施策: with targeting by cause, true exits differ by {_span(r, 'exits_true_added', 1.0, '{:+,.0f}')} "
                  f"people and spend by {_span(r, 'spend_yuan_added', 1e6, '{:+,.1f}')} million yuan against the same "
                  "measures at random."]
    return lines + ["", "![what each lever buys](levers.png)", ""]


def baseline_line(totals: pd.DataFrame) -> str:
    """The scenario's own totals (medians over replicates), the levels the differences are taken from."""
    s = totals[totals["variant"] == "scenario"].median(numeric_only=True)
    return (f"The scenario over the run (medians): {s['exits_true']:,.0f} true exits, {s['exits_sustained_true']:,.0f} "
            f"truly sustained, {s['relapses']:,.0f} relapses, spend {s['spend_yuan'] / 1e6:,.1f} million yuan.")


def report(lr: LeverRuns) -> str:
    spec = lr.scenario.spec
    return "\n".join([f"# What each lever buys: {spec.region} {spec.first_year}-{spec.last_year}", "",
                      f"Scenario *{spec.name}* (file `{lr.scenario.path.name}`) · random seed {spec.seed}"
                      + (f" · sampled mode, 1 household in {spec.population.sample}" if spec.population.sample > 1 else ""),
                      "", baseline_line(lr.totals), "", *markdown(lr.table, lr.replicates, lr.skipped),
                      "Columns, units and meaning: `docs/outputs.md` of the tuopin source (levers.csv).", ""])


def write_folder(out: Path, lr: LeverRuns, workers: int, options: dict | None = None) -> None:
    """The results folder of ``tuopin levers``, atomically."""
    spec = lr.scenario.spec
    with results.results_folder(out, "levers", [lr.scenario], seed=spec.seed, replicates=lr.replicates, workers=workers,
                                options={**(options or {}), "switched_off": list(lr.variants), "skipped": lr.skipped},
                                timings={"wall_seconds": round(lr.seconds, 4)}) as f:
        f.table("levers.csv", for_people(lr.table), float_format=FLOAT_FORMAT)
        f.table("levers_replicates.csv", for_people(lr.totals[["variant", "replicate", *OUTCOMES, "spend_observed_yuan"]]),
                float_format=FLOAT_FORMAT)
        f.figure(plots.lever_effects(lr.table, f"{spec.region} {spec.first_year}-{spec.last_year}"), "levers")
        f.text("report.md", report(lr))
