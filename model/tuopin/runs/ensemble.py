"""Ensembles: replicates of a scenario on independent seeds, as points for the runner.

Replicate i always gets child seed i of ``SeedSequence(seed).spawn(n)``; a sharded scenario's
replicate i is one point per shard (seeds in :mod:`.shards`), added up into one replicate of the
whole as the shards arrive. Summaries come back in replicate order, so the numbers are the same
whatever runs them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from ..inputs.posterior import choose
from ..inputs.scenario import LoadedScenario
from .replicate import Replicate
from .runner import Point, Runner, batches
from .shards import combine, shard_scenarios, shard_seed

if TYPE_CHECKING:
    from concurrent.futures import Executor


def seeds(seed: int, replicates: int) -> list[np.random.SeedSequence]:
    return np.random.SeedSequence(seed).spawn(replicates)


def draws(scenario: LoadedScenario, replicates: int) -> list[LoadedScenario]:
    """The scenario each replicate runs: itself, or with a scenario posterior, itself with the
    parameter draw that replicate takes (:func:`~tuopin.inputs.posterior.choose`)."""
    if not scenario.posterior:
        return [scenario] * replicates
    rows = choose(scenario.posterior, scenario.spec.seed, replicates)
    return [scenario.with_values(scenario.posterior[k]) for k in rows]


def points(scenario: LoadedScenario, replicates: int, origin: bool = True) -> list[Point]:
    """The points of an ensemble: one per replicate, or one per replicate and shard (in that order).
    With a posterior, every shard of replicate i runs replicate i's parameter draw."""
    each = draws(scenario, replicates)
    if not scenario.spec.shards:
        return [Point(each[i], i, s, origin) for i, s in enumerate(seeds(scenario.spec.seed, replicates))]
    shared = None if scenario.posterior else shard_scenarios(scenario)  # the same parts for every replicate
    return [Point(part, i, shard_seed(scenario.spec.seed, i, s), False)
            for i in range(replicates) for s, part in enumerate(shared or shard_scenarios(each[i]))]


def assemble(scenario: LoadedScenario, results: Iterable[Replicate]) -> Iterator[Replicate]:
    """Replicates of the whole from the results of :func:`points`, in order (shards added up)."""
    spec = scenario.spec
    if not spec.shards:
        yield from results
        return
    names, it = list(spec.shards), iter(results)
    while group := [r for _, r in zip(names, it)]:
        yield combine(group[0].index, group, names, spec)


def ensembles(scenarios: list[LoadedScenario], replicates: int, runner: Runner, origin: bool = True,
              progress: bool = False, desc: str = "runs") -> list[list[Replicate]]:
    """Ensembles of several scenarios (calibration draws, compared policies) as one batch of points."""
    parts = [points(s, replicates, origin) for s in scenarios]
    flat = runner.run([p for ps in parts for p in ps], progress=progress, desc=desc, unit="run")
    return [list(assemble(s, group)) for s, group in zip(scenarios, batches(flat, map(len, parts)))]


def run_ensemble(scenario: LoadedScenario, replicates: int, *, workers: int = 1, executor: Executor | None = None,
                 progress: bool = True, fold: Callable[[Replicate], None] | None = None,
                 checkpoint: Path | None = None) -> list[Replicate]:
    """Run ``replicates`` replicates of ``scenario``; in a pool of ``workers`` processes when > 1,
    or on ``executor`` when given (e.g. a Dask client's executor).

    With ``fold``, each replicate is handed to it in replicate order as it arrives and then kept
    without its per-household arrays, so memory stays flat in the number of replicates. With
    ``checkpoint`` (a folder), each finished point is saved there, and points already saved are
    loaded instead of run: an interrupted ensemble resumes with the same numbers."""
    pts = points(scenario, replicates)
    out = []
    with Runner(workers, executor) as runner:
        results = runner.run(pts, progress=progress, desc=scenario.stem, checkpoint=checkpoint,
                             unit="shard" if scenario.spec.shards else "replicate")
        for r in assemble(scenario, results):
            if fold is not None:
                fold(r)
                r = replace(r, origin={}, households={})
            out.append(r)
    return out
