"""tuopin against a naive Mesa model, in one sitting: household-steps per second and their ratios.

The naive reference is what a first Mesa model of this problem looks like: one ``mesa.Agent`` per
household, each stepping itself every month in random order (``shuffle_do``) and drawing from the
model's numpy generator (``model.rng``, as Mesa 3 recommends), a DataCollector counting the poor
each month, and simpler rules
than tuopin's (wage and farm income accrue, an illness episode with a lognormal cost, yearly income
growth with household noise, a December test of net income per person against the line). The same
simple rules are also run as a bare numpy kernel, the ceiling for columnar code. A second naive
variant adds what Mesa's tutorial does next, an agent reporter collecting each household's income
and status every month; it is printed beside the first, which stays the reference. tuopin's own
replicate is the Jingzhou scenario with every lever on. A household-step is one household for one
month; times are this process's CPU time (on a shared machine other programs' turns do not count);
ratios are what to compare, each repeat's taken from the reference and tuopin run one after the other.

    python benchmarks/bench_naive.py [--households 20000] [--repeats 5]
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

import mesa
import numpy as np

from tuopin import PovertyModel, load_scenario

ROOT = Path(__file__).resolve().parents[1]
MONTHS, LINE, ILL, COST_MU, COST_SD, GROWTH, SIGMA = 48, 2855.0, 0.01, 8.0, 1.0, 0.05, 0.2


class House(mesa.Agent):
    def __init__(self, model, rng):
        super().__init__(model)
        self.size = int(rng.integers(1, 7))
        self.wage = float(rng.lognormal(8.0, 0.8))
        self.farm = float(rng.lognormal(7.5, 0.6))
        self.income = self.oop = 0.0
        self.poor = True

    def step(self):
        m = self.model
        self.income += (self.wage + self.farm) / 12
        if m.rng.random() < ILL * self.size:
            self.oop += m.rng.lognormal(COST_MU, COST_SD)
        if m.month == 12:
            self.poor = (self.income - self.oop) / self.size < LINE
            self.wage *= np.exp(GROWTH + SIGMA * m.rng.standard_normal())
            self.income = self.oop = 0.0


class Naive(mesa.Model):
    def __init__(self, n, seed):
        super().__init__(rng=seed)
        rng = np.random.default_rng(seed)
        for _ in range(n):
            House(self, rng)
        self.month = 0
        self.datacollector = mesa.DataCollector(model_reporters={
            "poor": lambda m: sum(1 for a in m.agents if a.poor)})

    def step(self):
        self.month = self.month % 12 + 1
        self.agents.shuffle_do("step")
        self.datacollector.collect(self)


class NaiveReporting(Naive):
    """The same model with an agent-level DataCollector, as in Mesa's tutorial (a row per agent per step)."""

    def __init__(self, n, seed):
        super().__init__(n, seed)
        self.datacollector = mesa.DataCollector(
            model_reporters={"poor": lambda m: sum(1 for a in m.agents if a.poor)},
            agent_reporters={"income": "income", "poor": "poor"})


def naive(n: int, seed: int, cls=Naive) -> float:
    m = cls(n, seed)
    t0 = time.process_time()
    for _ in range(MONTHS):
        m.step()
    return n * MONTHS / (time.process_time() - t0)


def kernel(n: int, seed: int) -> float:
    rng = np.random.default_rng(seed)
    size = rng.integers(1, 7, n)
    wage, farm = rng.lognormal(8.0, 0.8, n), rng.lognormal(7.5, 0.6, n)
    income, oop = np.zeros(n), np.zeros(n)
    t0 = time.process_time()
    for t in range(MONTHS):
        income += (wage + farm) / 12
        ill = rng.random(n) < ILL * size
        oop[ill] += rng.lognormal(COST_MU, COST_SD, ill.sum())
        if t % 12 == 11:
            poor = (income - oop) / size < LINE  # noqa: F841 (the test is the work)
            wage *= np.exp(GROWTH + SIGMA * rng.standard_normal(n))
            income[:] = 0.0
            oop[:] = 0.0
    return n * MONTHS / (time.process_time() - t0)


def tuopin_rate(loaded, seed: int) -> float:
    m = PovertyModel(scenario=loaded, rng=seed)
    t0 = time.process_time()
    m.run()
    return m.hh.n * m.t / (time.process_time() - t0)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--households", type=int, default=20_000, help="households in the naive model and kernel")
    ap.add_argument("--repeats", type=int, default=5)
    args = ap.parse_args()
    loaded = load_scenario(ROOT / "scenarios" / "jingzhou_2015_2018.toml")
    rates = {"naive Mesa (simple rules)": [], "naive Mesa + agent reporter": [], "numpy kernel (simple rules)": [],
             "tuopin, Jingzhou, all levers": []}
    tuopin_rate(loaded, 0)  # warm-up: numba's compiled kernels load once per process (about 0.5 s)
    for i in range(args.repeats):  # alternate, so drift in machine speed hits all alike
        rates["naive Mesa + agent reporter"].append(naive(args.households, i, NaiveReporting))
        rates["numpy kernel (simple rules)"].append(kernel(max(args.households, 100_000), i))
        # the reference and tuopin last and one after the other: the VM's speed drifts by a tenth or more within
        # seconds, so each repeat's ratio is taken from the two runs nearest in time
        rates["naive Mesa (simple rules)"].append(naive(args.households, i))
        rates["tuopin, Jingzhou, all levers"].append(tuopin_rate(loaded, i))
    med = {k: statistics.median(v) for k, v in rates.items()}
    for k, v in med.items():
        print(f"{k:30s} {v / 1e6:8.2f} M household-steps/s  [{min(rates[k]) / 1e6:.2f}-{max(rates[k]) / 1e6:.2f}]")
    ref = med["naive Mesa (simple rules)"]
    tu = med["tuopin, Jingzhou, all levers"]
    paired = [t / r for t, r in zip(rates["tuopin, Jingzhou, all levers"], rates["naive Mesa (simple rules)"])]
    print(f"tuopin / naive Mesa: {statistics.median(paired):.0f}x (goal >= 60x; median of the repeats' ratios, "
          f"{min(paired):.0f}-{max(paired):.0f}x; of the medians {tu / ref:.0f}x); numpy kernel / naive Mesa: "
          f"{med['numpy kernel (simple rules)'] / ref:.0f}x; tuopin / naive Mesa with agent reporter: "
          f"{tu / med['naive Mesa + agent reporter']:.0f}x")


if __name__ == "__main__":
    main()
