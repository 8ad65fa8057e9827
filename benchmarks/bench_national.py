"""The national registry on one machine: one replicate of 2014-2020, monthly, province by province.

Runs ``scenarios/national_2014_2020.toml`` (29.48 million registered households and 8.8 million
near-poor, 25 provinces as shards) with ``--workers`` processes and prints the wall time, the rate,
and the peak memory of this process and its workers together (sampled every 0.2 s with psutil).
Goals (issue 19, engine speed): at most 120 s on two workers and 250 bytes of peak memory a simulated
household (issue 7 asked for 10 minutes and 16 GB).

    python benchmarks/bench_national.py [--workers 2] [--sample 1]
"""

from __future__ import annotations

import argparse
import threading
import time
from pathlib import Path

import psutil

from tuopin import load_scenario
from tuopin.runs.ensemble import run_ensemble

ROOT = Path(__file__).resolve().parents[1]


class PeakMemory:
    """Peak resident memory of this process and all its children, summed, sampled in a thread."""

    def __init__(self, every: float = 0.2):
        self.every, self.peak, self._stop = every, 0, threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self):
        me = psutil.Process()
        while not self._stop.is_set():
            total = 0
            for p in [me, *me.children(recursive=True)]:
                try:
                    total += p.memory_info().rss
                except psutil.Error:
                    pass
            self.peak = max(self.peak, total)
            self._stop.wait(self.every)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--sample", type=int, default=1)
    args = ap.parse_args()
    loaded = load_scenario(ROOT / "scenarios" / "national_2014_2020.toml", {"population": {"sample": args.sample}})
    with PeakMemory() as mem:
        t0 = time.perf_counter()
        rep = run_ensemble(loaded, 1, workers=args.workers, progress=False)[0]
        wall = time.perf_counter() - t0
    months = 12 * len(loaded.spec.years)
    households = rep.household_steps / months
    last = rep.annual[-1]
    print(f"national 2014-2020, sample 1 in {args.sample}, {len(loaded.spec.shards)} shards, {args.workers} workers")
    print(f"households simulated      {households:,.0f} (registered and near-poor)")
    print(f"household-months          {rep.household_steps:,}")
    print(f"wall time                 {wall:,.1f} s  (goal: at most 120 s on two workers)")
    print(f"simulation time, summed   {rep.seconds:,.1f} s over shards")
    print(f"ns per household-month    {1e9 * rep.seconds / rep.household_steps:,.1f} (one core)")
    print(f"peak memory, all processes {mem.peak / 2**30:,.2f} GiB, {mem.peak / households:,.0f} bytes a simulated "
          "household (goal: at most 250)")
    print(f"poor at the end of {last['year']}      {last['poor_end']:,} people; declared exits over the run "
          f"{sum(r['exits_declared'] for r in rep.annual):,}")


if __name__ == "__main__":
    main()
