"""Fit the registry's relapse recording to the national relapse series (issue 14: "calibrate it to the national
relapse series as a share of the exited stock").

Two rates are fitted, the chance a household truly and measurably back in poverty is re-registered:
``assessment.review_detection`` at the assessments of the registry's review (建档立卡回头看, August 2015 to
June 2016, which re-checked every registered household) and ``assessment.relapse_detection`` at the others
(re-registration on application or a cadre's visit). The data: the relapses of 2016-2019 as shares of the people
lifted out before each year (data/validation_figures.csv relapse_people over data/national_series.csv
lifted_out_10k); the fit minimises the squared log error of the mean share over ``--seeds`` runs of the
calibrated national scenario, on a grid. It prints the grid and the best pair; the calibrated scenario quotes it.

    PYTHONPATH=model python tools/fit_relapse_detection.py [--review 0.16,0.2,0.24] [--routine 0.02,0.03,0.04]
                                                          [--seeds 4] [--sample 2000] [--workers 2]
"""

from __future__ import annotations

import argparse
import itertools
import math
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import pandas as pd

from tuopin import load_scenario
from tuopin.sim.model import PovertyModel

ROOT = Path(__file__).resolve().parents[1]
SCENARIO = ROOT / "scenarios" / "national_2014_2020_calibrated.toml"
YEARS = (2016, 2017, 2018, 2019)


def published_shares() -> dict[int, float]:
    """The relapses of each year over the people lifted out since 2014 until the year before (%)."""
    figures = pd.read_csv(ROOT / "data" / "validation_figures.csv")
    relapse = figures[figures["figure"] == "relapse_people"].set_index("year")["value"]
    lifted = pd.read_csv(ROOT / "data" / "national_series.csv").set_index("year")["lifted_out_10k"]
    return {y: 100 * float(relapse[y]) / float(lifted.loc[2014:y - 1].sum()) for y in YEARS}


def shares(args: tuple[float, float, int, int]) -> tuple[float, float, dict[int, float]]:
    """One run's relapses as shares of its exited stock (%), at (review, routine) detection."""
    review, routine, seed, sample = args
    over = {"population": {"sample": sample},
            "parameters": {"assessment": {"review_detection": review, "relapse_detection": routine}}}
    m = PovertyModel(scenario=load_scenario(SCENARIO, over), rng=seed).run()
    return review, routine, {r["year"]: 100 * r["relapses"] / max(r["exited_start"], 1) for r in m.annual
                             if r["year"] in YEARS}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--review", default="0.16,0.2,0.24")
    ap.add_argument("--routine", default="0.02,0.025,0.03,0.04")
    ap.add_argument("--seeds", type=int, default=4)
    ap.add_argument("--sample", type=int, default=2000)
    ap.add_argument("--workers", type=int, default=2)
    a = ap.parse_args()
    pub = published_shares()
    grid = list(itertools.product(map(float, a.review.split(",")), map(float, a.routine.split(","))))
    jobs = [(rv, rt, seed, a.sample) for (rv, rt) in grid for seed in range(1, a.seeds + 1)]
    runs: dict[tuple[float, float], list[dict[int, float]]] = {g: [] for g in grid}
    with ProcessPoolExecutor(a.workers) as pool:
        for rv, rt, s in pool.map(shares, jobs):
            runs[(rv, rt)].append(s)
    print("published (% of the exited stock): " + "  ".join(f"{y}: {pub[y]:.4f}" for y in YEARS))
    best = None
    for (rv, rt), rs in runs.items():
        mean = {y: sum(r[y] for r in rs) / len(rs) for y in YEARS}
        loss = sum(math.log(max(mean[y], 1e-4) / pub[y]) ** 2 for y in YEARS)
        print(f"review {rv:.3f} routine {rt:.3f}: " + "  ".join(f"{y}: {mean[y]:.4f}" for y in YEARS)
              + f"  fall {mean[2016] / max(mean[2019], 1e-9):.0f}x  loss {loss:.2f}")
        if best is None or loss < best[0]:
            best = (loss, rv, rt)
    print(f"best: review_detection = {best[1]}, relapse_detection = {best[2]} (loss {best[0]:.2f}; "
          f"{a.seeds} seeds, 1 household in {a.sample})")


if __name__ == "__main__":
    main()
