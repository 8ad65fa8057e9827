"""Speed and memory of one Jingzhou replicate (135,600 registered households, 48 months).

Prints seconds per replicate (build and step), household-steps per second and peak memory for
the full policy mix, and the same for the no-policy baseline run alternately in the same process,
with their ratio (ratios hold up better than absolute times on a shared machine).

    python benchmarks/bench_model.py [--replicates N] [--scenario A.toml --baseline B.toml]
"""

from __future__ import annotations

import argparse
import resource
import statistics
import time
import tracemalloc
from pathlib import Path

import numpy as np

from tuopin import PovertyModel, load_scenario

ROOT = Path(__file__).resolve().parents[1]


def one(loaded, seed) -> tuple[float, float, int]:
    t0 = time.perf_counter()
    m = PovertyModel(scenario=loaded, rng=np.random.SeedSequence(seed))
    t1 = time.perf_counter()
    m.run()
    return t1 - t0, time.perf_counter() - t1, m.hh.n * m.t


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--scenario", default=str(ROOT / "scenarios" / "jingzhou_2015_2018.toml"))
    ap.add_argument("--baseline", default=str(ROOT / "scenarios" / "jingzhou_no_policy.toml"))
    ap.add_argument("--replicates", type=int, default=5)
    args = ap.parse_args()
    runs = {"policy mix": load_scenario(args.scenario), "no policy": load_scenario(args.baseline)}
    for loaded in runs.values():
        one(loaded, 0)  # warm-up
    times = {k: [] for k in runs}
    for i in range(args.replicates):  # alternate, so drift in machine speed hits both alike
        for k, loaded in runs.items():
            times[k].append(one(loaded, i + 1))
    loaded = runs["policy mix"]
    print(f"scenario            {loaded.path.name} ({loaded.spec.population.households:,} registered households, "
          f"{loaded.spec.months} months); {args.replicates} replicates each after a warm-up")
    for k, t in times.items():
        build = [b for b, _, _ in t]
        total = [b + s for b, s, _ in t]
        hh_steps = t[0][2]
        print(f"{k:<12} build {statistics.median(build):.3f} s  replicate median {statistics.median(total):.3f} s "
              f"[min {min(total):.3f}, max {max(total):.3f}]  {hh_steps / statistics.median(total):,.0f} household-steps/s")
    ratio = [(a[0] + a[1]) / (b[0] + b[1]) for a, b in zip(times["policy mix"], times["no policy"])]
    print(f"ratio policy mix / no policy: median {statistics.median(ratio):.2f} [min {min(ratio):.2f}, max {max(ratio):.2f}]")
    tracemalloc.start()
    PovertyModel(scenario=loaded, rng=1).run()
    _, traced_peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    rss_peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB -> MiB on Linux
    print(f"peak memory         {traced_peak / 2**20:.0f} MiB allocated by one replicate (tracemalloc); "
          f"{rss_peak:.0f} MiB process peak RSS (libraries included)")


if __name__ == "__main__":
    main()
