"""Evaluating splits: each split on the same replicate seeds (common random numbers), as points
for the runner; one replicate's compact outcome (every objective, spend and shortfall by lever)."""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from ...inputs.scenario import LoadedScenario
from ...runs.replicate import Replicate
from ...runs.runner import Point, Runner
from .constraints import DOUDI

OBJECTIVES = {  # name: (sign that makes "larger is better", what it counts)
    "sustained_exits": (1, "people exited (cohorts observed 24 months) who did not relapse"),
    "shortfall": (-1, "people short of the yearly exit targets (declared exits), summed over years"),
    "relapse": (-1, "relapses (people), summed over years"),
}


@dataclass(frozen=True)
class Outcome:
    """One replicate under one split: every objective, and yearly mean spend and shortfall by lever."""

    values: dict[str, float]
    spend: dict[str, float]
    shortfall: dict[str, float]
    need_max: dict[str, float]  # the largest yearly request by lever (spend + shortfall)


def objectives(annual: list[dict], sustained: int) -> dict[str, float]:
    short = sum(max(0.0, r["target_exits"] - r["exits_declared"]) for r in annual
                if r.get("target_exits") is not None and not pd.isna(r["target_exits"]))
    return {"sustained_exits": float(sustained), "shortfall": float(short),
            "relapse": float(sum(r["relapses"] for r in annual))}


def with_caps(loaded: LoadedScenario, caps: dict[str, float] | None) -> LoadedScenario:
    """``loaded`` with its ``[budget.cap]`` table replaced by ``caps`` (None: no caps at all). The
    caps are checked by :func:`bounds_for`, so the schema is not run again for every candidate."""
    budget = loaded.spec.budget.model_copy(update={"cap": dict(caps or {})})
    return replace(loaded, spec=loaded.spec.model_copy(update={"budget": budget}))


def outcome(r: Replicate) -> Outcome:
    """The compact outcome of one replicate under a split (computed where the replicate ran)."""
    s = pd.DataFrame(r.spend)
    years = s["year"].nunique() if len(s) else 1
    by = s.groupby(["lever", "year"])[["spend_yuan", "shortfall_yuan"]].sum() if len(s) else None
    spend = by["spend_yuan"].groupby("lever").sum() / years if by is not None else pd.Series(dtype=float)
    short = by["shortfall_yuan"].groupby("lever").sum() / years if by is not None else pd.Series(dtype=float)
    need = by.sum(axis=1).groupby("lever").max() if by is not None else pd.Series(dtype=float)
    return Outcome(objectives(r.annual, r.sustained_people), spend.to_dict(), short.to_dict(), need.to_dict())


class Evaluator:
    """Runs splits on fixed replicate seeds on the runner. Each batch goes out as (split,
    replicate) points and comes back in order, so results do not depend on the number of
    workers. Use as a context manager (its runner keeps one pool for every batch)."""

    def __init__(self, loaded: LoadedScenario, seeds: list[np.random.SeedSequence], workers: int = 1):
        self.loaded, self.seeds = loaded, list(seeds)
        self.runner = Runner(workers)

    def __enter__(self):
        self.runner.__enter__()
        return self

    def __exit__(self, *exc):
        self.runner.__exit__(*exc)

    def run(self, splits: list[dict[str, float] | None], seeds: list[np.random.SeedSequence] | None = None,
            first: int = 0) -> list[list[Outcome]]:
        """Outcomes of each split on each seed (replicate indices ``first``, ``first`` + 1, …)."""
        seeds = self.seeds if seeds is None else seeds
        points = [Point(with_caps(self.loaded, c), first + i, s, origin=False) for c in splits for i, s in enumerate(seeds)]
        flat = list(self.runner.run(points, outcome))
        n = len(seeds)
        return [flat[k * n:(k + 1) * n] for k in range(len(splits))]


def summarise(outcomes: list[Outcome], objective: str) -> dict[str, float]:
    v = np.array([o.values[objective] for o in outcomes], float)
    return {"mean": float(v.mean()), "p50": float(np.percentile(v, 50)), "p5": float(np.percentile(v, 5)),
            "p95": float(np.percentile(v, 95))}


def doudi_paid(outs: list[Outcome]) -> float:
    """The smallest share of its requests the 兜底 lever was paid over the replicates (1: no request)."""
    shares = [o.spend.get(DOUDI, 0.0) / (o.spend.get(DOUDI, 0.0) + o.shortfall.get(DOUDI, 0.0))
              for o in outs if o.spend.get(DOUDI, 0.0) + o.shortfall.get(DOUDI, 0.0) > 0]
    return float(min(shares, default=1.0))
