"""CPU seconds of one Jingzhou replicate (every lever on), building and running it, after a warm-up.

Run it in the old and the new tree at the same time, one per core, and compare the medians: on a shared
machine whose speed drifts, side by side is the only fair comparison. ``runner`` times the ensemble's own
``run_replicate`` (the model and its summary) instead of the model alone, and adds the page faults a
replicate takes and the process's peak resident memory: what a pool or Dask worker sees, replicate after
replicate.

    PYTHONPATH=model python benchmarks/replicate_cpu.py [replicates] [label] [runner]
"""

from __future__ import annotations

import resource
import statistics
import sys
import time

import numpy as np

from tuopin import PovertyModel, load_scenario
from tuopin.runs.replicate import run_replicate


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 6
    label = sys.argv[2] if len(sys.argv) > 2 else ""
    runner = len(sys.argv) > 3 and sys.argv[3] == "runner"
    loaded = load_scenario("scenarios/jingzhou_2015_2018.toml")

    def replicate(seed: int) -> None:
        if runner:
            run_replicate(loaded, seed, np.random.SeedSequence(seed))
        else:
            PovertyModel(scenario=loaded, rng=seed).run()

    replicate(1)  # warm-up: numba's kernels loaded, the population kept
    times, faults = [], []
    for seed in range(2, n + 2):
        f, t = resource.getrusage(resource.RUSAGE_SELF).ru_minflt, time.process_time()
        replicate(seed)
        times.append(time.process_time() - t)
        faults.append(resource.getrusage(resource.RUSAGE_SELF).ru_minflt - f)
    extra = (f" page faults {statistics.mean(faults):,.0f} a replicate, peak RSS "
             f"{resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:,.0f} MiB") if runner else ""
    print(f"{label} median {statistics.median(times):.3f} min {min(times):.3f} s "
          f"all {' '.join(f'{x:.3f}' for x in times)}{extra}")


if __name__ == "__main__":
    main()
