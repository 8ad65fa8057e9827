"""The whole planning run: the uncapped reference, a search at the budget and at each frontier
level, and the confirmation of each best split against the seed allocation and the uniform split
on fresh common seeds."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ...inputs.scenario import LoadedScenario, ScenarioError
from ...runs.ensemble import seeds as spawn
from .constraints import DOUDI, Constraints, ConstraintsError, bounds_for
from .evaluate import OBJECTIVES, Evaluator, Outcome, summarise
from .search import Search, search

FRONTIER = (0.5, 0.75, 1.0, 1.25, 1.5)


@dataclass
class Plan:
    objective: str
    budget: float
    split: pd.DataFrame
    frontier: pd.DataFrame
    candidates: pd.DataFrame
    comparison: pd.DataFrame
    need: dict[str, float]
    notes: list[str]


def _mean(outs: list[Outcome], key: str) -> dict[str, float]:
    levers = sorted({k for o in outs for k in getattr(o, key)})
    return {k: float(np.median([getattr(o, key).get(k, 0.0) for o in outs])) for k in levers}


def plan(loaded: LoadedScenario, budget: float, objective: str = "sustained_exits", constraints: Constraints | None = None,
         replicates: int = 3, confirm: int = 20, evaluations: int = 100, workers: int = 1, seed: int | None = None,
         fractions: tuple[float, ...] = FRONTIER, constraints_file: str = "constraints", progress=None) -> Plan:
    """Optimise the split at ``budget`` and at each frontier fraction of it; confirm each best split
    against the seed allocation and the uniform split on ``confirm`` fresh common seeds."""
    if loaded.spec.shards:  # the evaluator runs whole replicates of one scenario
        raise ScenarioError(loaded.path, "shards", "tuopin optimize needs an unsharded scenario; optimise one shard's "
                                                   "region as a scenario of its own")
    constraints = constraints or Constraints()
    fractions = tuple(sorted(set(fractions) | {1.0}))
    seed = loaded.spec.seed if seed is None else seed
    children = spawn(seed, replicates + confirm)
    search_seeds, confirm_seeds = children[:replicates], children[replicates:]
    say = progress or (lambda msg: None)
    notes = []
    with Evaluator(loaded, search_seeds, workers) as ev:
        say("uncapped run (the seed allocation)")
        base = ev.run([None])[0]
        spend, need = _mean(base, "spend"), {k: max(o.need_max.get(k, 0.0) for o in base) for k in _mean(base, "need_max")}
        active = [k for k, v in spend.items() if v > 0]
        total_spend = sum(spend.values())
        seed_shares = {k: spend[k] / total_spend for k in active}
        uncapped = summarise(base, objective)["mean"]
        notes.append(f"uncapped, the scenario spends {total_spend:,.0f} yuan a year (median over {replicates} "
                     f"replicates) on {len(active)} levers, for {objective} {uncapped:,.0f} (mean on the search seeds); "
                     "levers with no spend get no money")
        bounds = {f: None for f in fractions}
        for f in fractions:
            try:
                bounds[f] = bounds_for(constraints, budget * f, active, need, constraints_file)
            except ConstraintsError as e:
                if f == 1.0:
                    raise
                notes.append(f"{f:.0%} of the budget: no split fits the constraints ({e.message})")
        searches, tried = {}, []
        for f in fractions:
            if bounds[f] is None:
                continue
            say(f"optimising at {f:.0%} of the budget ({budget * f:,.0f} yuan a year)")
            s = search(ev, bounds[f], objective, evaluations, seed, seed_shares, f, constraints.doudi_coverage)
            tried.append(s)
            if s.best is None:
                msg = (f"no split tried pays {DOUDI} {constraints.doudi_coverage:.0%} of what it asks on every replicate "
                       f"at {budget * f:,.0f} yuan a year; raise the budget or lower doudi_coverage")
                if f == 1.0:
                    raise ConstraintsError(constraints_file, "doudi_coverage", msg)
                notes.append(f"{f:.0%} of the budget: {msg}")
                continue
            searches[f] = s
        say(f"confirming on {confirm} fresh replicates")
        order = [(f, role) for f in searches for role in ("optimised", "seed_allocation", "uniform")]
        splits = [_reference(searches[f], role) for f, role in order]
        order, splits = order + [(None, "uncapped")], splits + [None]  # no caps: the reference point
        conf = ev.run(splits, confirm_seeds, first=replicates) if confirm else [[] for _ in splits]
    results = dict(zip(order, conf))
    sign = OBJECTIVES[objective][0]
    frontier, comparison = [], []
    for f, s in searches.items():
        row = {"budget_fraction": f, "budget_yuan": s.bounds.budget, "evaluations": len(s.candidates),
               "search_mean": sign * s.best_score,
               "optimised_spend_p50_yuan": float(np.median([sum(o.spend.values()) for o in results[(f, "optimised")]]))}
        for role in ("optimised", "seed_allocation", "uniform"):
            outs = results[(f, role)] or []
            st = summarise(outs, objective) if outs else {}
            row.update({f"{role}_{q}": st.get(q, np.nan) for q in ("p50", "p5", "p95")})
            if role != "optimised" and outs:
                d = np.array([sign * (a.values[objective] - b.values[objective]) for a, b in zip(results[(f, "optimised")], outs)])
                row[f"gain_vs_{role}_p50"] = float(np.percentile(d, 50))
                row[f"gain_vs_{role}_p5"] = float(np.percentile(d, 5))
                row[f"gain_vs_{role}_p95"] = float(np.percentile(d, 95))
                row[f"share_better_than_{role}"] = float(np.mean(d > 0))
                row[f"beats_{role}"] = bool(np.mean(d) > 0)
        frontier.append(row)
        if f == 1.0:
            for role in ("optimised", "seed_allocation", "uniform"):
                outs = results[(f, role)]
                cand = next((c for c in s.candidates if c["role"] == role), None)
                comparison.append({"split": role, **{f"{objective}_{q}": v for q, v in summarise(outs, objective).items()},
                                   "search_mean": cand[f"{objective}_mean"] if cand else sign * s.best_score,
                                   **{f"{k}_p50": float(np.median([o.values[k] for o in outs])) for k in OBJECTIVES},
                                   "spend_yuan_p50": float(np.median([sum(o.spend.values()) for o in outs]))})
            outs = results[(None, "uncapped")]
            comparison.append({"split": "uncapped", **{f"{objective}_{q}": v for q, v in summarise(outs, objective).items()},
                               "search_mean": uncapped,
                               **{f"{k}_p50": float(np.median([o.values[k] for o in outs])) for k in OBJECTIVES},
                               "spend_yuan_p50": float(np.median([sum(o.spend.values()) for o in outs]))})
    main = searches[1.0]
    ref = {role: _reference(main, role) for role in ("seed_allocation", "uniform")}
    outs = results[(1.0, "optimised")]
    spend_best, short_best = _mean(outs, "spend"), _mean(outs, "shortfall")
    levers = sorted(set(main.best) | set(spend))
    split = pd.DataFrame([{"lever": k, "cap_yuan": main.best.get(k, 0.0), "share": main.best.get(k, 0.0) / budget,
                           "seed_allocation_yuan": ref["seed_allocation"].get(k, 0.0),
                           "uniform_yuan": ref["uniform"].get(k, 0.0), "uncapped_spend_yuan": spend.get(k, 0.0),
                           "uncapped_need_max_yuan": need.get(k, 0.0), "spend_p50_yuan": spend_best.get(k, 0.0),
                           "shortfall_p50_yuan": short_best.get(k, 0.0)} for k in levers])
    split = split.sort_values("cap_yuan", ascending=False, kind="stable").reset_index(drop=True)
    unspent = budget - sum(spend_best.values())
    if unspent > 0.01 * budget:
        notes.append(f"the best split leaves {unspent:,.0f} yuan a year ({unspent / budget:.0%}) unspent (median): some caps "
                     "are above what their lever asks for in some years; the same cap holds every year")
    peak = sum(need.get(k, 0.0) for k in active)
    if sign * main.best_score < sign * uncapped and budget < peak:
        notes.append(f"no caps at all does better ({objective} {uncapped:,.0f} on the search seeds): each lever then "
                     f"spends what it asks each year, and the levers' largest years add up to {peak:,.0f} yuan a year "
                     f"({yi(peak)}). Needs are not level from year to year, so one cap for every year cuts some lever "
                     "in its peak year (a per-year split would do better; the scenarios carry no per-year budgets)")
    if main.best_score > sign * uncapped and sum(short_best.values()) > 0:
        notes.append(f"the best split does better than no caps at all ({objective} {sign * main.best_score:,.0f} against "
                     f"{uncapped:,.0f} on the search seeds) while some caps bind: past a cap the ledger pays the poorest "
                     "households first, so a binding cap re-targets a lever's money as well as cutting it")
    if short_best.get(DOUDI, 0) > 0:
        notes.append(f"兜底: the best split pays {DOUDI} {short_best[DOUDI]:,.0f} yuan a year less than it asks for "
                     "(median); put `doudi_coverage = 1` in a --constraints file to guarantee it")
    if objective == "relapse":
        notes.append("fewer exits also mean fewer relapses: read the relapse objective with the exits it costs "
                     "(comparison.csv has every objective)")
    cands = pd.DataFrame([c for s in tried for c in s.candidates]).fillna(0.0)
    return Plan(objective, budget, split, pd.DataFrame(frontier), cands, pd.DataFrame(comparison), need, notes)


def _reference(s: Search, role: str) -> dict[str, float]:
    """The best split, or the seed allocation / uniform split as evaluated in the search."""
    if role == "optimised":
        return s.best
    c = next((c for c in s.candidates if c["role"] == role), None)
    if c is None:
        return s.best
    return {k.removeprefix("cap_"): v for k, v in c.items() if k.startswith("cap_")}


def yi(v: float) -> str:
    """Yuan as 亿 (1e8) with 万 for small amounts: how budgets are spoken of."""
    return f"{v / 1e8:,.2f}亿" if abs(v) >= 1e7 else f"{v / 1e4:,.0f}万"
