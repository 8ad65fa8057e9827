"""CPU seconds of one Jingzhou replicate (every lever on), building and running it, after a warm-up.

Run it in the old and the new tree at the same time, one per core, and compare the medians: on a shared
machine whose speed drifts, side by side is the only fair comparison.

    PYTHONPATH=model python benchmarks/replicate_cpu.py [replicates] [label]
"""

from __future__ import annotations

import statistics
import sys
import time

from tuopin import PovertyModel, load_scenario


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 6
    label = sys.argv[2] if len(sys.argv) > 2 else ""
    loaded = load_scenario("scenarios/jingzhou_2015_2018.toml")
    PovertyModel(scenario=loaded, rng=1).run()  # warm-up: numba's kernels loaded, the population kept
    times = []
    for seed in range(2, n + 2):
        t = time.process_time()
        PovertyModel(scenario=loaded, rng=seed).run()
        times.append(time.process_time() - t)
    print(f"{label} median {statistics.median(times):.3f} min {min(times):.3f} s "
          f"all {' '.join(f'{x:.3f}' for x in times)}")


if __name__ == "__main__":
    main()
