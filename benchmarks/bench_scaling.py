"""Scaling: seconds per household-month and bytes per household as the population grows.

Jingzhou's rules and shares on populations of 10^4 to 10^7 registered households (one replicate
each, in this process), printing a table. Bytes per household is the peak traced by tracemalloc
while building and running, over all households simulated (registered and near-poor); then where
the state at the end lives: the household table, the year state, the levers' own arrays. The last
population is kept per process (``population.CACHE_HOUSEHOLDS``) and counts at the smaller sizes.

    python benchmarks/bench_scaling.py [--sizes 10000 100000 1000000 10000000]   # ~3 minutes, ~6 GB
"""

from __future__ import annotations

import argparse
import time
import tracemalloc
from dataclasses import fields
from pathlib import Path

import numpy as np

from tuopin import PovertyModel, load_scenario

ROOT = Path(__file__).resolve().parents[1]
BASE = ROOT / "scenarios" / "jingzhou_2015_2018.toml"


def scaled(households: int):
    base = load_scenario(BASE).spec
    k = households / base.population.households
    pop = {"households": households, "people": round(base.population.people * k),
           "poor_villages": max(1, round(base.population.poor_villages * k)),
           "villages": max(2, round(base.population.villages * k)),
           "rural_people": round(base.population.rural_people * k)}
    targets = {str(y): int(v * k) for y, v in base.targets.people.items()}
    return load_scenario(BASE, {"population": pop, "targets": {"people": targets},
                                "budget": {"commitments": {}}})


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000, 1_000_000, 10_000_000])
    args = ap.parse_args()
    print(f"{'registered':>12} {'simulated':>12} {'seconds':>8} {'ns per household-month':>24} {'bytes per household':>20}"
          f"   state at the end, bytes per household")
    for n in args.sizes:
        loaded = scaled(n)
        tracemalloc.start()
        t0 = time.perf_counter()
        m = PovertyModel(scenario=loaded, rng=1).run()
        seconds = time.perf_counter() - t0
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        ys = sum(getattr(m.ys, f.name).nbytes for f in fields(m.ys) if f.name != "migrants" or m.ys.migrants is not None)
        levers = sum(v.nbytes for pol in m.policies for v in vars(pol).values()
                     if isinstance(v, np.ndarray) and v.shape[:1] == (m.hh.n,))
        print(f"{n:>12,} {m.hh.n:>12,} {seconds:>8.2f} {1e9 * seconds / (m.hh.n * m.t):>24.1f} {peak / m.hh.n:>20,.0f}"
              f"   households {m.hh.nbytes() / m.hh.n:.0f}, year state {ys / m.hh.n:.0f}, levers {levers / m.hh.n:.0f}")


if __name__ == "__main__":
    main()
