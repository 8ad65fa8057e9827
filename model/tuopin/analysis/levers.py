"""What each lever buys: paired runs on common random numbers with one lever switched off at a time.

The spend table shares joint costs out per lever, which says nothing about the margin: levers act
together (低保 tops up what the others leave, relapse depends on every income), so a lever's
*own* effect is the difference between the scenario as given and the same scenario with that
lever switched off (``<lever>.enabled = false``), replicate by replicate. Every variant runs on the
scenario's seed, and each lever draws from a random stream of its own, so replicate i of a variant
shares its households, shocks and the other levers' draws with replicate i of the scenario: the
paired difference is the lever's, not seed noise. One more variant, ``targeting.by_cause =
false`` (因户施策 off: the same measures and money, at random among the eligible), measures what
precise targeting buys.

Per variant, over the run and paired by replicate (scenario minus variant: what the lever *adds*):
true and declared exits, truly sustained exits (true status to the final year), detected sustained
exits (no relapse found within 24 months, cohorts observed that long), relapses and spend; and
yuan per additional sustained exit, ``Δspend / Δsustained`` per replicate, given only when every
replicate gains sustained exits (a denominator at or below 0 has no meaningful ratio: the row's
``note`` says why it is empty).
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..inputs.scenario import LoadedScenario
from ..runs.ensemble import ensembles
from ..runs.replicate import SUSTAINED_YEARS, Replicate
from ..runs.runner import Runner
from ..sim.policies import ORDER

PRECISION = "targeting.by_cause"  # the variant that switches 因户施策 off
# per-replicate totals over the run: name -> what it is (docs/outputs.md has the columns)
OUTCOMES = {"exits_true": "true exits", "exits_declared": "declared exits",
            "exits_sustained_true": "truly sustained exits", "exits_sustained": "sustained exits (detected)",
            "relapses": "relapses", "spend_yuan": "spend"}
QUANTILES = {"p50": 0.5, "p5": 0.05, "p95": 0.95}


@dataclass
class LeverRuns:
    """The scenario, its variants and their paired table (:func:`lever_table`)."""

    scenario: LoadedScenario
    replicates: int
    variants: dict[str, LoadedScenario]   # lever (or PRECISION) -> the scenario with it switched off
    skipped: dict[str, str]               # lever -> why it has no row (already off in the scenario)
    totals: pd.DataFrame                  # per variant ("scenario" first) and replicate: the OUTCOMES
    table: pd.DataFrame                   # lever_table
    seconds: float


def variants(loaded: LoadedScenario) -> tuple[dict[str, LoadedScenario], dict[str, str]]:
    """The scenario with each lever it runs switched off in turn, and with 因户施策 off; and the
    levers left out with the reason (a lever the scenario already switches off buys nothing here)."""
    out, skipped = {}, {}
    for lever in ORDER:
        if loaded.params.get(f"{lever}.enabled", True):
            out[lever] = loaded.with_values({f"{lever}.enabled": False})
        else:
            skipped[lever] = "switched off in the scenario"
    if loaded.params.get(PRECISION, False):
        out[PRECISION] = loaded.with_values({PRECISION: False})
    else:
        skipped[PRECISION] = "因户施策 is already off in the scenario"
    return out, skipped


def totals(reps: list[Replicate], last_year: int) -> pd.DataFrame:
    """One row per replicate: the OUTCOMES over the run (people; spend in yuan). Truly sustained
    exits are counted to the final year; detected ones over the cohorts observed 24 months."""
    rows = []
    for r in reps:
        spend = sum(row["spend_yuan"] for row in r.spend)
        rows.append({"replicate": r.index, "exits_true": sum(a["exits_true"] for a in r.annual),
                     "exits_declared": sum(a["exits_declared"] for a in r.annual),
                     "exits_sustained_true": r.annual[-1].get("exits_sustained_true", 0) if r.annual else 0,
                     "exits_sustained": r.sustained_people, "relapses": sum(a["relapses"] for a in r.annual),
                     "spend_yuan": spend,
                     "spend_observed_yuan": sum(row["spend_yuan"] for row in r.spend
                                                if row["year"] <= last_year - SUSTAINED_YEARS)})
    return pd.DataFrame(rows).set_index("replicate").astype(float)


def _ratio(spend: pd.Series, exits: pd.Series) -> tuple[dict[str, float], str]:
    """Yuan per additional exit, per replicate, and its quantiles; empty with the reason when some
    replicate gains no exit (the ratio of a denominator at or below 0 means nothing)."""
    empty = {q: np.nan for q in QUANTILES}
    if not len(exits):
        return empty, "no replicates"
    if (exits == 0).all() and (spend == 0).all():
        return empty, "no effect and no spend in this scenario (the lever serves no one)"
    if (exits <= 0).all():
        return empty, "buys no sustained exit (none lost without it)"
    if (exits <= 0).any():
        return empty, (f"gains no sustained exit in {int((exits <= 0).sum())} of {len(exits)} replicates: "
                       "the gain is not distinct from 0, cost per exit unbounded")
    r = spend / exits
    note = "gains exits at no extra spend" if (spend <= 0).all() else ""
    return {q: float(r.quantile(p)) for q, p in QUANTILES.items()}, note


def lever_table(per: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """Per variant after the first ("scenario"): what the lever adds, the scenario minus the
    variant paired by replicate, median and 5-95 % (``<outcome>_added_p50``…), and yuan per
    additional sustained exit (true status: spend over the run; detected: spend in the years of the
    cohorts observed 24 months), with a ``note`` when it is empty."""
    names = list(per)
    base = per[names[0]]
    rows = []
    for name in names[1:]:
        d = base - per[name].reindex(base.index)
        row = {"lever": name, "switched_off": f"{name} = false" if name == PRECISION else f"{name}.enabled = false"}
        for c in OUTCOMES:
            row.update({f"{c}_added_{q}": float(d[c].quantile(p)) for q, p in QUANTILES.items()})
        true, note_true = _ratio(d["spend_yuan"], d["exits_sustained_true"])
        detected, note_detected = _ratio(d["spend_observed_yuan"], d["exits_sustained"])
        if name == PRECISION:  # the same money either way: a cost ratio would divide noise
            true, detected = ({q: np.nan for q in QUANTILES},) * 2
            none = (d[list(OUTCOMES)] == 0).all().all()
            note_true = ("no measure in this scenario is assigned by cause: 因户施策 changes nothing" if none
                         else "the same measures and money, at random: the gain is precision's")
            note_detected = ""
        row.update({f"yuan_per_sustained_exit_{q}": v for q, v in true.items()})
        row.update({f"yuan_per_detected_sustained_exit_{q}": v for q, v in detected.items()})
        row["note"] = note_true or (f"detected: {note_detected}" if note_detected else "")
        rows.append(row)
    return pd.DataFrame(rows)


def run_levers(loaded: LoadedScenario, replicates: int, workers: int = 1, progress: bool = False,
               executor=None, base: list[Replicate] | None = None) -> LeverRuns:
    """Run the scenario and every variant of :func:`variants` on the scenario's replicate seeds (one
    batch for the runner) and tabulate what each lever adds. ``base``: the scenario's replicates
    already run on those seeds (a forecast's), so only the variants run."""
    t0 = time.perf_counter()
    off, skipped = variants(loaded)
    scenarios = ([] if base is not None else [loaded]) + list(off.values())
    with Runner(workers, executor) as runner:
        runs = ensembles(scenarios, replicates, runner, origin=False, progress=progress, desc="levers")
    if base is not None:
        runs = [base, *runs]
    last = loaded.spec.last_year
    per = {name: totals(reps, last) for name, reps in zip(["scenario", *off], runs)}
    long = pd.concat(per, names=["variant"]).reset_index()
    return LeverRuns(loaded, replicates, off, skipped, long, lever_table(per), time.perf_counter() - t0)
