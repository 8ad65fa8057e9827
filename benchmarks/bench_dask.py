"""Replicates on a Dask cluster started the way users start one, against a plain process and a pool.

Starts ``dask scheduler`` and two ``dask worker … --nthreads 1`` (default nanny settings, which set
MALLOC_TRIM_THRESHOLD_) on loopback as separate processes, then runs the same Jingzhou replicates in
this process, on a two-process pool, and on the cluster, on one of its workers (the tasks restricted
to it, the other idle) and on both. The four are interleaved in short rounds (in process, pool, one
worker, two workers, again), since a shared machine's speed drifts by a fifth within a minute: run one
after the other, each ratio would mostly measure the drift. Prints, as medians over the rounds, the
seconds per replicate timed inside the task (``Replicate.seconds``) and the wall-clock throughput (the pool's
includes starting it, as a command does); the
ratios the engine is held to (a Dask replicate at most 1.15 x a plain one, two Dask workers at least
1.8 x the throughput of one); and what a replicate loses when two run at once, in the pool and on
Dask: the two cores' share of what they have in common (cache, memory), with or without Dask. Each
replicate's numbers are checked identical on every path.

    python benchmarks/bench_dask.py [--replicates 4] [--rounds 8]
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
    """Median seconds a replicate inside its task, wall seconds of all ``n``, and their annual table."""
    t0 = time.perf_counter()
    reps = run_ensemble(loaded, n, progress=False, **how)
    wall = time.perf_counter() - t0
    return statistics.median(r.seconds for r in reps), wall, annual_table(reps)


def start_cluster(workers: int) -> tuple[str, list[subprocess.Popen]]:
    """A scheduler and ``workers`` workers as users start them, each its own process on loopback."""
    port = free_port()
    address = f"tcp://127.0.0.1:{port}"
    quiet = {"stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL}
    procs = [subprocess.Popen([str(DASK), "scheduler", "--host", "127.0.0.1", "--port", str(port), "--no-dashboard"],
                              **quiet)]
    time.sleep(2)
    procs += [subprocess.Popen([str(DASK), "worker", address, "--nthreads", "1", "--host", "127.0.0.1",
                                "--no-dashboard"], **quiet) for _ in range(workers)]
    return address, procs


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--scenario", default=str(ROOT / "scenarios" / "jingzhou_2015_2018.toml"))
    ap.add_argument("--replicates", type=int, default=4, help="replicates a round on one worker (twice that on two)")
    ap.add_argument("--rounds", type=int, default=8)
    args = ap.parse_args()
    loaded, n = load_scenario(args.scenario), args.replicates
    address, procs = start_cluster(2)
    rows: dict[str, list] = {"plain process": [], "pool of 2": [], "dask, 1 worker": [], "dask, 2 workers": []}
    try:
        cluster = dask_executor(address)
        with cluster as both:
            client = cluster.client
            client.wait_for_workers(2, timeout=60)
            one = client.get_executor(workers=sorted(client.scheduler_info()["workers"])[:1])
            timed(loaded, 2, executor=both)  # warm-up: imports and the scenario reach both workers
            reference = {k: timed(loaded, k)[2] for k in (n, 2 * n)}
            for r in range(args.rounds):
                rows["plain process"].append(timed(loaded, n))
                rows["pool of 2"].append(timed(loaded, 2 * n, workers=2))
                rows["dask, 1 worker"].append(timed(loaded, n, executor=one))
                rows["dask, 2 workers"].append(timed(loaded, 2 * n, executor=both))
                print(f"round {r + 1}: " + ", ".join(f"{name} {per:.2f} s/replicate, {wall:.1f} s wall"
                                                      for name, [*_, (per, wall, _t)] in rows.items()), flush=True)
    finally:
        for p in reversed(procs):
            p.terminate()
        for p in procs:
            p.wait(timeout=30)
    print(f"{loaded.path.name}: {args.rounds} rounds of {n} replicates in process and on one worker, "
          f"{2 * n} on two; medians over the rounds")
    print(f"{'':18s}{'s/replicate':>12s}{'replicates/s':>14s}  numbers")
    size = {"plain process": n, "pool of 2": 2 * n, "dask, 1 worker": n, "dask, 2 workers": 2 * n}
    for name, runs in rows.items():
        k = size[name]
        same = "identical" if all(t.equals(reference[k]) for _, _, t in runs) else "DIFFER"
        print(f"{name:18s}{statistics.median(p for p, _, _ in runs):12.2f}"
              f"{statistics.median(k / w for _, w, _ in runs):14.2f}  {same}")
    per = [d[0] / p[0] for p, d in zip(rows["plain process"], rows["dask, 1 worker"])]
    gain = [(2 * n / d2[1]) / (n / d1[1]) for d1, d2 in zip(rows["dask, 1 worker"], rows["dask, 2 workers"])]
    print(f"dask replicate / plain replicate: {statistics.median(per):.2f} (goal <= 1.15; rounds "
          f"{', '.join(f'{x:.2f}' for x in per)})")
    print(f"dask 2 workers / 1 worker throughput: {statistics.median(gain):.2f} (goal >= 1.8; rounds "
          f"{', '.join(f'{x:.2f}' for x in gain)})")
    pool = statistics.median(q[0] / p[0] for p, q in zip(rows["plain process"], rows["pool of 2"]))
    dask = statistics.median(d2[0] / d1[0] for d1, d2 in zip(rows["dask, 1 worker"], rows["dask, 2 workers"]))
    print(f"a replicate two at a time / alone (seconds in the task): pool of 2 {pool:.2f}, dask {dask:.2f}")


if __name__ == "__main__":
    main()
