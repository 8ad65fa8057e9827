"""Why poor villages do or do not exit: at each assessment of one run, the poor villages still open
before it and how many meet each part of the exit rule (sim/model.py ``_village_exits``).

Columns (poor villages open before the assessment, weighted to the scenario's count):
  open            not yet exited
  incidence_ok    declared incidence under the limit (registered poor not yet out over the village's 户籍
                  rural people; 2 %, 3 % in the west)
  collective_ok   collective income at or above the 九有 standard (village.collective_income_min)
  both            exit at this assessment
  true_ok         would pass on true status instead (registered, not exited or exited, truly under the line)
  inc_p10/50/90   declared incidence of the open villages, percentiles
  deep            open after the assessment with declared incidence ≥ village.deep_incidence
  poor_in_pv      share of the declared poor living in poor villages (open or exited)

The run is one replicate of the whole scenario without its shards (every province the same), so national
counts here differ from docs/validation.md (which runs the provinces, the western ones at 3 %) by the
western limit; the binding condition is the same.

    PYTHONPATH=model python benchmarks/village_exits.py [scenario] [--sample K] [--seed S]
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np

from tuopin import load_scenario
from tuopin.sim.model import PovertyModel
from tuopin.sim.population import POOR

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("scenario", nargs="?", default=str(ROOT / "scenarios" / "jingzhou_2015_2018.toml"))
    ap.add_argument("--sample", type=int, default=1, help="simulate 1 household (and village) in K")
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    over = {"population": {"sample": args.sample}} if args.sample > 1 else None
    m = PovertyModel(scenario=load_scenario(args.scenario, over), rng=args.seed)
    assess, hh, w = m._assess, m.hh, m.village_weight
    limit = m.p.assessment.village_incidence_west if m.spec.west else m.p.assessment.village_incidence
    print("year  open  incidence_ok  collective_ok  both  true_ok  inc_p10  inc_p50  inc_p90  deep  poor_in_pv")

    def report() -> None:
        assess()
        opened = m.poor_village & ((m.village_exit_year < 0) | (m.village_exit_year == m.year))
        inc = m.village_incidence()
        truly = (m.last_assessment["pc_true"] < m.line) & (hh.category > 0)
        true_inc = np.bincount(hh.village, weights=hh.size * truly, minlength=inc.size) / m.village_people
        coll = m.village_collective >= m.p.village.collective_income_min
        poor = hh.size * (hh.status == POOR)
        p10, p50, p90 = np.percentile(inc[opened], [10, 50, 90]) if opened.any() else (np.nan,) * 3
        still = m.poor_village & (m.village_exit_year < 0)
        n = lambda mask: int(round(mask.sum() * w))  # noqa: E731
        print(f"{m.year}  {n(opened):>6}  {n(opened & (inc < limit)):>12}  {n(opened & coll):>13}  "
              f"{n(opened & (inc < limit) & coll):>4}  {n(opened & (true_inc < limit) & coll):>7}  "
              f"{100 * p10:6.1f}%  {100 * p50:6.1f}%  {100 * p90:6.1f}%  "
              f"{n(still & (inc >= m.p.village.deep_incidence)):>4}  "
              f"{(poor * m.poor_village[hh.village]).sum() / max(poor.sum(), 1):10.2f}", flush=True)

    m._assess = report
    m.run()


if __name__ == "__main__":
    np.seterr(all="ignore")
    main()
