"""Speed and memory of one Jingzhou replicate (135,600 registered households, 48 months).

Prints household-steps per second and peak memory. Run: ``python benchmarks/bench_model.py``
(``--replicates N`` to time N replicates one after another; ``--scenario`` for another file).
Each replicate runs in this process after one warm-up replicate, so imports are not timed.
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


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--scenario", default=str(ROOT / "scenarios" / "jingzhou_2015_2018.toml"))
    ap.add_argument("--replicates", type=int, default=5)
    args = ap.parse_args()
    loaded = load_scenario(args.scenario)
    PovertyModel(scenario=loaded, rng=0).run()  # warm-up
    build, step, hh_steps = [], [], 0
    for i in range(args.replicates):
        t0 = time.perf_counter()
        m = PovertyModel(scenario=loaded, rng=np.random.SeedSequence(i))
        t1 = time.perf_counter()
        m.run()
        t2 = time.perf_counter()
        build.append(t1 - t0)
        step.append(t2 - t1)
        hh_steps = m.hh.n * m.t
    total = [b + s for b, s in zip(build, step)]
    tracemalloc.start()
    PovertyModel(scenario=loaded, rng=1).run()
    _, traced_peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    rss_peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB -> MiB on Linux
    print(f"scenario            {loaded.path.name}: {m.hh.n:,} households ({loaded.spec.population.households:,} registered), {m.t} months")
    print(f"replicates timed    {args.replicates} (after one warm-up)")
    print(f"build seconds       median {statistics.median(build):.3f}  min {min(build):.3f}  max {max(build):.3f}")
    print(f"step seconds        median {statistics.median(step):.3f}  min {min(step):.3f}  max {max(step):.3f}")
    print(f"replicate seconds   median {statistics.median(total):.3f}  min {min(total):.3f}  max {max(total):.3f}")
    print(f"household-steps/s   {hh_steps / statistics.median(total):,.0f}")
    print(f"peak memory         {traced_peak / 2**20:.0f} MiB allocated by one replicate (tracemalloc); "
          f"{rss_peak:.0f} MiB process peak RSS")


if __name__ == "__main__":
    main()
