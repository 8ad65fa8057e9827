"""The runner: the one place where model runs are handed to processes.

Every command (forecast, compare, calibrate and backtest, sensitivity, optimize) turns its work
into *points* — a loaded scenario (with its parameter values and budget caps already set), a
replicate index and that replicate's seed — and gives them to :class:`Runner`, which runs them in
this process, in a forkserver process pool or on a Dask cluster and hands the results back in
point order, whatever finishes first. A point's result depends only on the point, so 1, 2 or W
workers, or a cluster, give the same numbers. With a checkpoint folder each finished point is
saved as it arrives, and points already saved are loaded instead of run: an interrupted run
resumes with the same numbers.

The pools' forkserver preloads the model (:func:`pool_context`), so workers fork with it in memory.
This is the only module that creates process pools or Dask clients.
"""

from __future__ import annotations

import ctypes
import multiprocessing
import os
import signal
import sys
import threading
import time
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


def _started(pid: int) -> str | None:
    """The process's start time (Linux /proc), or None when it is gone or a zombie; elsewhere "" while
    a signal can reach it. With the start time a reused pid is not mistaken for the process."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return None if fields[0] in "ZX" else fields[19]
    except FileNotFoundError:
        return None
    except OSError:
        pass
    try:
        os.kill(pid, 0)
        return ""
    except ProcessLookupError:
        return None
    except PermissionError:
        return ""


def _watch(main: int, started: str | None) -> None:
    """Exit as soon as the command's main process is gone, however it ended (SIGKILL included)."""
    while True:
        time.sleep(0.5)
        if _started(main) != started:
            os._exit(1)


def _worker_init(main: int) -> None:
    """A pool worker's set-up, so that no worker outlives the command however it ends: a thread polls
    the main process ``main`` and exits when it is gone (the forkserver and the resource tracker then
    end too: they stop when the last worker holding their pipes is gone); on Linux the kernel also
    kills the worker if the forkserver dies (PR_SET_PDEATHSIG). Ctrl-C is the main process's to
    handle: it stops the pool."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if sys.platform.startswith("linux"):
        try:
            ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL, 0, 0, 0)  # PR_SET_PDEATHSIG = 1
        except (OSError, AttributeError):
            pass
    started = _started(main)
    if started is None:  # the command died before this worker started
        os._exit(1)
    threading.Thread(target=_watch, args=(main, started), daemon=True, name="tuopin-main-watch").start()


def evaluate(point: Point, reduce: Callable[[Replicate], object] | None = None):
    """Run one point; its replicate summary, or ``reduce`` of it (computed where the point ran, so
    only what the caller needs travels back)."""
    _fault_injection()
    r = run_replicate(point.scenario, point.index, point.seed, origin=point.origin)
    return r if reduce is None else reduce(r)


# what a pool worker runs: imported once by the forkserver, so every worker forks with it in memory
WORKER_MODULES = ("tuopin.runs.runner", "tuopin.sim.model")


def pool_context() -> multiprocessing.context.ForkServerContext:
    """The forkserver context of the pools, its server preloading what a worker needs: the main
    script (as multiprocessing does by default), the main module when run by name (``python -m
    tuopin.cli``: each worker runs it again as ``__mp_main__``, so its imports are then in memory)
    and the model. Each worker then forks with them imported instead of importing them itself
    (2-3 s of CPU per worker, serial before its first replicate). The server starts once per
    process; :func:`start_pool_server` starts it early."""
    ctx = multiprocessing.get_context("forkserver")
    spec = getattr(sys.modules.get("__main__"), "__spec__", None)
    main = [spec.name] if spec is not None and spec.name and not spec.name.endswith("__main__") else []
    ctx.set_forkserver_preload(["__main__", *main, *WORKER_MODULES])
    return ctx


def start_pool_server() -> None:
    """Start the pools' forkserver now, so that it imports the model while this process goes on
    with its own work (imports, reading the scenario) and the first workers fork ready."""
    from multiprocessing import forkserver

    pool_context()
    forkserver.ensure_running()


class Runner:
    """Runs points, in a pool of ``workers`` processes when > 1, or on ``executor`` when given
    (e.g. from :class:`dask_executor`). A context manager: it owns the pool it starts, so one
    pool serves every batch of a command (the optimiser sends one batch per generation)."""

    def __init__(self, workers: int = 1, executor: Executor | None = None):
        self.workers, self.executor, self.own = workers, executor, False

    def __enter__(self) -> Runner:
        if self.executor is None and self.workers > 1:
            # forkserver: workers start from a clean process, not a fork of this (maybe threaded) one
            self.executor = ProcessPoolExecutor(max_workers=self.workers, initializer=_worker_init, initargs=(os.getpid(),),
                                                mp_context=pool_context())
            self.own = True
        return self

    def __exit__(self, kind, *exc) -> None:
        if self.own:
            if kind is None:
                self.executor.shutdown(cancel_futures=True)
            else:  # interrupted or failed: stop the workers now rather than wait for their points
                processes = list((getattr(self.executor, "_processes", None) or {}).values())
                self.executor.shutdown(wait=False, cancel_futures=True)
                for p in processes:
                    p.kill()
                for p in processes:
                    p.join(5)
            self.executor, self.own = None, False

    def run(self, points: list[Point], reduce: Callable[[Replicate], object] | None = None, *,
            progress: bool = False, desc: str = "", unit: str = "run", checkpoint: Path | None = None) -> Iterator:
        """Results of ``points`` in point order, as they become available. With ``checkpoint`` (a
        folder; ``reduce`` must then be None) each result is saved there as it arrives, and points
        saved by an earlier, interrupted call are loaded instead of run."""
        done = {}
        if checkpoint is not None:
            found = {int(p.stem[6:]): p for p in sorted(checkpoint.glob("point-*.npz")) if p.stem[6:].isdigit()}
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
                r = _load(done[k]) if k in done else None
                if r is None and k in done:  # a damaged checkpoint file: run that point again here
                    r = evaluate(points[k], reduce)
                    save_replicate(r, checkpoint / f"point-{k:05d}.npz")
                elif r is None:
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


def _load(path: Path):
    """A checkpointed point, or None when its file is damaged (cut short by a kill, or altered)."""
    try:
        return load_replicate(path)
    except Exception:  # noqa: BLE001 - numpy, zipfile and json errors alike: the point is run again
        return None


def batches(results: Iterable, sizes: Iterable[int]) -> Iterator[list]:
    """Consecutive groups of ``results`` of the given sizes (the points of one ensemble, one split…)."""
    it = iter(results)
    for n in sizes:
        yield [next(it) for _ in range(n)]


class SchedulerError(Exception):
    """The Dask scheduler named by --scheduler cannot be used."""


def check_scheduler(address: str) -> None:
    """Refuse, before any work, a --scheduler that is neither 'local' nor a scheduler address."""
    import re

    if address != "local" and not re.fullmatch(r"(tcp|tls|inproc|ucx|ws|wss)://[A-Za-z0-9.\-\[\]:_]{1,253}:\d{1,5}",
                                                address):
        raise SchedulerError(f"--scheduler must be 'local' or a scheduler address such as tcp://host:8786, got {address!r}")


class dask_executor:
    """A ``concurrent.futures`` executor on a Dask cluster, as a context manager: ``address`` is a
    scheduler address (``tcp://host:8786``), or ``"local"`` for a LocalCluster of ``workers``
    processes started here and listening on loopback only. While it is open the workers do not sample
    their tasks' stacks (:class:`.dask_workers.QuietWorkers`), which slows a replicate down."""

    def __init__(self, address: str, workers: int = 2):
        self.address, self.workers = address, workers

    def __enter__(self) -> Executor:
        from dask.distributed import Client, LocalCluster

        from .dask_workers import QuietWorkers

        check_scheduler(self.address)
        if self.address == "local":
            self.cluster = LocalCluster(n_workers=self.workers, threads_per_worker=1, processes=True,
                                        host="127.0.0.1", dashboard_address=None)
            self.client = Client(self.cluster)
        else:
            self.cluster = None
            try:
                self.client = Client(self.address, timeout="20s")
            except (OSError, ValueError, TypeError) as e:  # refused, timed out, unknown protocol
                raise SchedulerError(f"--scheduler {self.address}: cannot reach the scheduler ({str(e)[:200]})") from None
        self.client.register_plugin(QuietWorkers())
        return self.client.get_executor()

    def __exit__(self, *exc) -> None:
        if self.client.status == "running":  # the workers sample again; a lost scheduler is waited on 5 s at most
            undo = threading.Thread(target=self._restore, daemon=True)
            undo.start()
            undo.join(5)
        self.client.close()
        if self.cluster is not None:
            self.cluster.close()

    def _restore(self) -> None:
        from .dask_workers import QuietWorkers

        try:
            self.client.unregister_worker_plugin(QuietWorkers.name)
        except OSError:  # the scheduler is gone (a closed comm, a timeout): no worker left to restore
            pass
