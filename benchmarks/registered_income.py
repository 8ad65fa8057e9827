"""Where the registered households' income comes from, year by year, against the administrative series.

Not a speed benchmark: one run of a scenario (every shard of a national one, sampled), and at each
December the per-capita income of the registered (建档立卡) households, exited included, split into
market income (wages and farm, after the year's shocks), the base transfers and property income every
household has, and what the levers paid; beside it the series in data/national_series.csv
(``registered_poor_income_yuan``). It shows which part of income falls short when the model's
``registered_income_pc`` misses the published figure (docs/validation.md).

    python benchmarks/registered_income.py [scenarios/national_2014_2020_calibrated.toml] [--sample 2000] [--seed 1]
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
import pandas as pd

from tuopin import load_scenario
from tuopin.runs.shards import shard_scenarios
from tuopin.sim.model import PovertyModel

ROOT = Path(__file__).resolve().parents[1]


def sums_by_year(part, seed: int) -> pd.DataFrame:
    """Yuan and people of the registered households at each December of one (shard) scenario."""
    model = PovertyModel(scenario=part, rng=np.random.default_rng(seed))
    rows = []
    while model.year < part.spec.last_year or model.month != 12:
        model.step()
        if model.month == 12:
            hh, ys = model.hh, model.ys
            reg = hh.category > 0
            rows.append({"year": model.year, "people": hh.size[reg].sum(), "market": ys.market[reg].sum(),
                         "levers": ys.benefits[reg].sum(), "income": ys.income[reg].sum(),
                         "net": (ys.income - ys.expense)[reg].sum(), "line": model.line})
    return pd.DataFrame(rows).set_index("year")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("scenario", nargs="?", default=str(ROOT / "scenarios" / "national_2014_2020_calibrated.toml"))
    ap.add_argument("--sample", type=int, default=2000, help="simulate 1 household in K")
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    loaded = load_scenario(args.scenario, {"population": {"sample": args.sample}} if args.sample > 1 else None)
    parts = shard_scenarios(loaded) if loaded.spec.shards else [loaded]
    frames = [sums_by_year(part, args.seed + i) for i, part in enumerate(parts)]
    total = sum(f.drop(columns="line") for f in frames)
    out = pd.DataFrame({"line": frames[0]["line"]})
    for col in ("market", "levers", "income", "net"):
        out[col] = (total[col] / total["people"]).round(0)
    out["other_transfers_property"] = out["income"] - out["market"] - out["levers"]
    series = pd.read_csv(ROOT / "data" / "national_series.csv").set_index("year")["registered_poor_income_yuan"]
    out["published"] = series.reindex(out.index)
    print(out.to_string())


if __name__ == "__main__":
    main()
