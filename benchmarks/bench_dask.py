"""Replicates on a Dask cluster started the way users start one, against a plain process and a pool.

Starts ``dask scheduler`` and ``dask worker … --nthreads 1`` (default nanny settings, which set
MALLOC_TRIM_THRESHOLD_) on loopback as separate processes, then runs the same Jingzhou replicates
in this process, on a two-process pool, and on the cluster with one and with two workers. Prints the
median seconds per replicate as timed inside the task (``Replicate.seconds``), the wall-clock
throughput, and the ratios the engine is held to: a Dask replicate at most 1.15 x a plain one, two
Dask workers at least 1.8 x the throughput of one. The tables are checked identical on every path.

    python benchmarks/bench_dask.py [--replicates 12]
"""

from __future__ import annotations

import argparse
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path

from tuopin import load_scenario
from tuopin.analysis.forecast import annual_table
from tuopin.runs.ensemble import run_ensemble
from tuopin.runs.runner import dask_executor

ROOT = Path(__file__).resolve().parents[1]
DASK = Path(sys.executable).with_name("dask")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def timed(loaded, n: int, **how) -> tuple[float, float, object]:
    t0 = time.perf_counter()
    reps = run_ensemble(loaded, n, progress=False, **how)
    wall = time.perf_counter() - t0
    return statistics.median(r.seconds for r in reps), wall, annual_table(reps)


def on_cluster(loaded, n: int, workers: int) -> tuple[float, float, object]:
    port = free_port()
    address = f"tcp://127.0.0.1:{port}"
    procs = [subprocess.Popen([str(DASK), "scheduler", "--host", "127.0.0.1", "--port", str(port),
                               "--no-dashboard"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)]
    try:
        time.sleep(2)
        procs += [subprocess.Popen([str(DASK), "worker", address, "--nthreads", "1", "--host", "127.0.0.1",
                                    "--no-dashboard"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
                  for _ in range(workers)]
        cluster = dask_executor(address)
        with cluster as ex:
            cluster.client.wait_for_workers(workers, timeout=60)
            timed(loaded, workers, executor=ex)  # warm-up: imports and the scenario reach the workers
            return timed(loaded, n, executor=ex)
    finally:
        for p in reversed(procs):
            p.terminate()
        for p in procs:
            p.wait(timeout=30)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--scenario", default=str(ROOT / "scenarios" / "jingzhou_2015_2018.toml"))
    ap.add_argument("--replicates", type=int, default=12)
    args = ap.parse_args()
    loaded, n = load_scenario(args.scenario), args.replicates
    rows = {"plain process": timed(loaded, n), "pool of 2": timed(loaded, n, workers=2),
            "dask, 1 worker": on_cluster(loaded, n, 1), "dask, 2 workers": on_cluster(loaded, n, 2)}
    first = next(iter(rows.values()))[2]
    print(f"{loaded.path.name}, {n} replicates")
    print(f"{'':18s}{'s/replicate':>12s}{'wall s':>9s}{'replicates/s':>14s}  tables")
    for name, (per, wall, table) in rows.items():
        same = "identical" if table.equals(first) else "DIFFER"
        print(f"{name:18s}{per:12.2f}{wall:9.1f}{n / wall:14.2f}  {same}")
    plain, d1, d2 = rows["plain process"], rows["dask, 1 worker"], rows["dask, 2 workers"]
    print(f"dask replicate / plain replicate: {d1[0] / plain[0]:.2f} (goal <= 1.15)")
    print(f"dask 2 workers / 1 worker throughput: {d1[1] / d2[1]:.2f} (goal >= 1.8)")


if __name__ == "__main__":
    main()
