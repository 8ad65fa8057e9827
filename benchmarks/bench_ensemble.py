"""Ensemble speed and memory: replicates per second for Jingzhou on a process pool, and the parent's
peak memory as the number of replicates grows (it should stay flat: workers return summaries).

    python benchmarks/bench_ensemble.py [--replicates 25 50 100] [--workers 2]
"""

from __future__ import annotations

import argparse
import resource
import time
from pathlib import Path

from tuopin import load_scenario
from tuopin.runs.ensemble import run_ensemble
from tuopin.analysis.forecast import annual_table
from tuopin.analysis.relapse import AtRisk

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--scenario", default=str(ROOT / "scenarios" / "jingzhou_2015_2018.toml"))
    ap.add_argument("--replicates", type=int, nargs="+", default=[25, 50, 100])
    ap.add_argument("--workers", type=int, default=2)
    args = ap.parse_args()
    loaded = load_scenario(args.scenario)
    print(f"{loaded.path.name}: {loaded.spec.population.households:,} registered households, {args.workers} workers")
    for n in args.replicates:
        t0 = time.perf_counter()
        risk = AtRisk(None, loaded.spec.last_year - 1)  # as `tuopin run` does: households from replicate 0, fold, drop
        reps = run_ensemble(loaded, n, workers=args.workers, progress=False, fold=risk.add)
        annual_table(reps)
        risk.table()
        wall = time.perf_counter() - t0
        parent = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(f"{n:4d} replicates  {wall:6.1f} s  {n / wall:5.2f} replicates/s  parent peak RSS {parent:,.0f} MiB")


if __name__ == "__main__":
    main()
