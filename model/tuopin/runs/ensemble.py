"""Replicates: independent seeds from one SeedSequence, run in order or in a process pool.

Each replicate returns a compact summary (the annual rows and timings), never the population,
so memory stays flat in the number of replicates. Replicate i always gets child seed i of
``SeedSequence(seed).spawn(n)``, and summaries are put back in replicate order, so the numbers
are the same whatever runs them.
"""

from __future__ import annotations

import json
import multiprocessing
import os
import time
from concurrent.futures import Executor, ProcessPoolExecutor
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np
from tqdm.auto import tqdm

from ..sim.model import PovertyModel
from ..inputs.scenario import LoadedScenario


@dataclass(frozen=True)
class Replicate:
    index: int
    annual: list[dict]
    seconds: float        # building the population and stepping the model
    household_steps: int  # households x months simulated
    spend: list[dict]     # the ledger: year, lever, source, spend_yuan, shortfall_yuan
    survival: list[dict]  # Kaplan-Meier counts of exits: group, years after exit, at risk, relapsed
    sustained_people: int  # people exited by the cohorts observed 24 months who did not relapse within them
    origin: dict          # exited households' risk drivers at the next-to-last assessment, and who relapsed
                          # (compact arrays; folded into the at-risk list and dropped as results arrive)
    shards: list = field(default_factory=list)  # a sharded scenario's annual rows by shard (with "shard", "region")


def _fault_injection() -> None:
    """Test hook for lost workers: with TUOPIN_FAULT_ONCE=<path>, the first task to get here in any
    process creates <path> and kills its own process; every later task runs normally."""
    path = os.environ.get("TUOPIN_FAULT_ONCE")
    if path:
        try:
            os.close(os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY))
        except FileExistsError:
            return
        os._exit(70)


def run_replicate(scenario: LoadedScenario, index: int, seed: np.random.SeedSequence, origin: bool = True) -> Replicate:
    """Build and run one replicate of an unsharded scenario (or of one shard); return its summary.
    ``origin=False`` leaves out the per-household at-risk drivers (shards do not build that list)."""
    from ..analysis.relapse import survival_counts, sustained_people

    _fault_injection()
    t0 = time.perf_counter()
    model = PovertyModel(scenario=scenario, rng=np.random.default_rng(seed)).run()
    seconds = time.perf_counter() - t0
    events, last, w = model.exit_events(), scenario.spec.last_year, model.weight
    survival = survival_counts(events, last)
    if w != 1:  # sampled mode: counts weighted back (hazards unchanged); households differ by
        # replicate, so there is no per-household at-risk list
        survival = [dict(r, at_risk=r["at_risk"] * w, relapsed=r["relapsed"] * w, exits=r["exits"] * w) for r in survival]
        origin = False
    drivers = {k: (v.astype(np.int32) if k == "household" else v) for k, v in model.origin.items()} if origin else {}
    return Replicate(index, model.annual, seconds, model.hh.n * model.t, model.ledger.frame().to_dict("records"),
                     survival, int(round(sustained_people(events, last) * w)), drivers)


def save_replicate(r: Replicate, folder: Path) -> None:
    """Write one replicate's summary into a checkpoint folder (atomically: temp file, rename).
    JSON keeps floats exactly (repr round-trips); arrays go in the same .npz; nothing is pickled."""
    meta = {"index": r.index, "annual": r.annual, "seconds": r.seconds, "household_steps": r.household_steps,
            "spend": r.spend, "survival": r.survival, "sustained_people": r.sustained_people, "shards": r.shards}
    arrays = {f"origin_{k}": v for k, v in r.origin.items()}
    tmp = folder / f".replicate-{r.index:05d}.tmp.npz"
    np.savez(tmp, meta=np.array(json.dumps(meta, default=lambda o: o.item())), **arrays)
    tmp.rename(folder / f"replicate-{r.index:05d}.npz")


def load_replicate(path: Path) -> Replicate:
    with np.load(path, allow_pickle=False) as z:
        meta = json.loads(str(z["meta"]))
        origin = {k.removeprefix("origin_"): z[k] for k in z.files if k.startswith("origin_")}
    return Replicate(meta["index"], meta["annual"], meta["seconds"], meta["household_steps"], meta["spend"],
                     meta["survival"], meta["sustained_people"], origin, meta.get("shards", []))


def seeds(seed: int, replicates: int) -> list[np.random.SeedSequence]:
    return np.random.SeedSequence(seed).spawn(replicates)


def run_ensemble(scenario: LoadedScenario, replicates: int, *, workers: int = 1, executor: Executor | None = None,
                 progress: bool = True, fold: Callable[[Replicate], None] | None = None,
                 checkpoint: Path | None = None) -> list[Replicate]:
    """Run ``replicates`` replicates of ``scenario``; in a pool of ``workers`` processes when > 1,
    or on ``executor`` when given (e.g. a Dask client's ``get_executor()``).

    With ``fold``, each replicate is handed to it in replicate order as it arrives and then kept
    without its per-household arrays, so memory stays flat in the number of replicates. With
    ``checkpoint`` (a folder), each finished replicate is saved there, and replicates already
    saved are loaded instead of run again: an interrupted ensemble resumes with the same numbers."""
    from .shards import combine, shard_scenarios, shard_seed

    # tasks: one per replicate, or one per replicate and shard (each a scenario of its own)
    parts = shard_scenarios(scenario) if scenario.spec.shards else [scenario]
    names, sharded = list(scenario.spec.shards), bool(scenario.spec.shards)
    children = seeds(scenario.spec.seed, replicates)

    def task_seed(i: int, s: int) -> np.random.SeedSequence:
        return shard_seed(scenario.spec.seed, i, s) if sharded else children[i]

    bar = tqdm(total=replicates * len(parts), desc=f"{scenario.stem}", unit="shard" if sharded else "replicate",
               disable=not progress)
    out: list[Replicate | None] = [None] * replicates
    done = {}
    if checkpoint is not None:
        done = {int(p.stem.split("-")[1]): p for p in sorted(checkpoint.glob("replicate-*.npz"))}
        done = {i: p for i, p in done.items() if i < replicates}

    def keep(r: Replicate, fresh: bool = True) -> None:
        if checkpoint is not None and fresh:
            save_replicate(r, checkpoint)
        if fold is not None:
            fold(r)
            r = replace(r, origin={})
        out[r.index] = r

    def collect(result: Callable[[int, int], Replicate]) -> None:
        for i in range(replicates):  # in replicate order, whatever finishes first
            if i in done:
                keep(load_replicate(done[i]), fresh=False)
                bar.update(len(parts))
                continue
            results = []
            for s in range(len(parts)):
                results.append(result(i, s))
                bar.update()
            keep(combine(i, results, names, scenario.spec) if sharded else results[0])

    if executor is None and workers <= 1:
        collect(lambda i, s: run_replicate(parts[s], i, task_seed(i, s), origin=not sharded))
    else:
        own = executor is None
        # forkserver: workers start from a clean process, not a fork of this (maybe threaded) one
        ex = executor or ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("forkserver"))
        try:
            futures = {(i, s): ex.submit(run_replicate, parts[s], i, task_seed(i, s), not sharded)
                       for i in range(replicates) if i not in done for s in range(len(parts))}
            collect(lambda i, s: futures.pop((i, s)).result())  # a finished future holds its result: let it go
        finally:
            if own:
                ex.shutdown(cancel_futures=True)
    bar.close()
    return out  # type: ignore[return-value]


class dask_executor:
    """A ``concurrent.futures`` executor on a Dask cluster, as a context manager: ``address`` is a
    scheduler address (``tcp://host:8786``), or ``"local"`` for a LocalCluster of ``workers``
    processes started here and listening on loopback only."""

    def __init__(self, address: str, workers: int = 2):
        self.address, self.workers = address, workers

    def __enter__(self):
        from dask.distributed import Client, LocalCluster

        if self.address == "local":
            self.cluster = LocalCluster(n_workers=self.workers, threads_per_worker=1, processes=True,
                                        host="127.0.0.1", dashboard_address=None)
            self.client = Client(self.cluster)
        else:
            self.cluster, self.client = None, Client(self.address)
        return self.client.get_executor()

    def __exit__(self, *exc):
        self.client.close()
        if self.cluster is not None:
            self.cluster.close()
