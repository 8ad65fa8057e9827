"""The runner: the one place where model runs are handed to processes.

Every command (forecast, compare, calibrate and backtest, sensitivity, optimize) turns its work
into *points* — a loaded scenario (with its parameter values and budget caps already set), a
replicate index and that replicate's seed — and gives them to :class:`Runner`, which runs them in
this process, in a forkserver process pool or on a Dask cluster and hands the results back in
point order, whatever finishes first. A point's result depends only on the point, so 1, 2 or W
workers, or a cluster, give the same numbers. With a checkpoint folder each finished point is
saved as it arrives, and points already saved are loaded instead of run: an interrupted run
resumes with the same numbers.

This is the only module that creates process pools or Dask clients.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Executor, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from tqdm.auto import tqdm

from ..inputs.scenario import LoadedScenario
from .replicate import Replicate, load_replicate, run_replicate, save_replicate


class WorkerLost(Exception):
    """A worker process died; the points it held are lost (the checkpointed ones are kept)."""


@dataclass(frozen=True)
class Point:
    """One model run: ``scenario`` on replicate ``index`` with generator seed ``seed``. ``origin``:
    keep the per-household relapse drivers (only the forecast's at-risk list needs them)."""

    scenario: LoadedScenario
    index: int
    seed: np.random.SeedSequence
    origin: bool = True


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


def evaluate(point: Point, reduce: Callable[[Replicate], object] | None = None):
    """Run one point; its replicate summary, or ``reduce`` of it (computed where the point ran, so
    only what the caller needs travels back)."""
    _fault_injection()
    r = run_replicate(point.scenario, point.index, point.seed, origin=point.origin)
    return r if reduce is None else reduce(r)


class Runner:
    """Runs points, in a pool of ``workers`` processes when > 1, or on ``executor`` when given
    (e.g. from :class:`dask_executor`). A context manager: it owns the pool it starts, so one
    pool serves every batch of a command (the optimiser sends one batch per generation)."""

    def __init__(self, workers: int = 1, executor: Executor | None = None):
        self.workers, self.executor, self.own = workers, executor, False

    def __enter__(self) -> Runner:
        if self.executor is None and self.workers > 1:
            # forkserver: workers start from a clean process, not a fork of this (maybe threaded) one
            self.executor = ProcessPoolExecutor(max_workers=self.workers,
                                                mp_context=multiprocessing.get_context("forkserver"))
            self.own = True
        return self

    def __exit__(self, *exc) -> None:
        if self.own:
            self.executor.shutdown(cancel_futures=True)
            self.executor, self.own = None, False

    def run(self, points: list[Point], reduce: Callable[[Replicate], object] | None = None, *,
            progress: bool = False, desc: str = "", unit: str = "run", checkpoint: Path | None = None) -> Iterator:
        """Results of ``points`` in point order, as they become available. With ``checkpoint`` (a
        folder; ``reduce`` must then be None) each result is saved there as it arrives, and points
        saved by an earlier, interrupted call are loaded instead of run."""
        done = {}
        if checkpoint is not None:
            found = {int(p.stem.split("-")[1]): p for p in sorted(checkpoint.glob("point-*.npz"))}
            done = {k: p for k, p in found.items() if k < len(points)}
        bar = tqdm(total=len(points), desc=desc, unit=unit, disable=not progress)
        futures = {}
        if self.executor is not None:
            futures = {k: self.executor.submit(evaluate, p, reduce) for k, p in enumerate(points) if k not in done}

        def result(k: int):
            if self.executor is None:
                return evaluate(points[k], reduce)
            return futures.pop(k).result()  # a finished future holds its result: let it go

        try:
            for k in range(len(points)):
                if k in done:
                    r = load_replicate(done[k])
                else:
                    r = result(k)
                    if checkpoint is not None:
                        save_replicate(r, checkpoint / f"point-{k:05d}.npz")
                bar.update()
                yield r
        except BrokenProcessPool:
            raise WorkerLost("a worker process died") from None
        finally:
            for f in futures.values():
                f.cancel()
            bar.close()


def batches(results: Iterable, sizes: Iterable[int]) -> Iterator[list]:
    """Consecutive groups of ``results`` of the given sizes (the points of one ensemble, one split…)."""
    it = iter(results)
    for n in sizes:
        yield [next(it) for _ in range(n)]


class dask_executor:
    """A ``concurrent.futures`` executor on a Dask cluster, as a context manager: ``address`` is a
    scheduler address (``tcp://host:8786``), or ``"local"`` for a LocalCluster of ``workers``
    processes started here and listening on loopback only."""

    def __init__(self, address: str, workers: int = 2):
        self.address, self.workers = address, workers

    def __enter__(self) -> Executor:
        from dask.distributed import Client, LocalCluster

        if self.address == "local":
            self.cluster = LocalCluster(n_workers=self.workers, threads_per_worker=1, processes=True,
                                        host="127.0.0.1", dashboard_address=None)
            self.client = Client(self.cluster)
        else:
            self.cluster, self.client = None, Client(self.address)
        return self.client.get_executor()

    def __exit__(self, *exc) -> None:
        self.client.close()
        if self.cluster is not None:
            self.cluster.close()
