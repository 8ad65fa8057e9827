"""National scale: the provincial shards, the sampled mode, and shards on a Dask cluster."""

import numpy as np
import pandas as pd
import pytest

from conftest import ROOT
from tuopin import load_scenario
from tuopin.runs.ensemble import run_ensemble, seeds
from tuopin.runs.replicate import run_replicate
from tuopin.runs.runner import dask_executor
from tuopin.inputs.scenario import ScenarioError
from tuopin.runs.shards import shard_scenarios

NATIONAL = ROOT / "scenarios" / "national_2014_2020.toml"


def _overrides(scale: int, **population) -> dict:
    """The national scenario with every count divided by ``scale`` (a smaller country with the same
    shares, provinces and rules), for tests a CI machine can afford."""
    spec = load_scenario(NATIONAL).spec
    p = spec.population
    counts = {k: round(getattr(p, k) / scale) for k in ("households", "people", "poor_villages", "villages", "rural_people")}
    return {"population": {**counts, **population},
            "targets": {"people": {str(y): round(v / scale) for y, v in spec.targets.people.items()}},
            "parameters": {"relocation": {"households_per_year": round(640000 / scale)},
                           "employment": {"ranger_posts": round(1_000_000 / scale)}}}


def national(scale: int, **population):
    return load_scenario(NATIONAL, _overrides(scale, **population))


def test_provinces_split_the_national_counts_exactly():
    loaded = load_scenario(NATIONAL)
    spec, parts = loaded.spec, shard_scenarios(loaded)
    assert len(parts) == len(spec.shards) == 25
    assert sum(sh.poor_counties for sh in spec.shards.values()) == 832  # the national poor counties
    for key in ("households", "people", "poor_villages", "villages"):
        assert sum(getattr(p.spec.population, key) for p in parts) == getattr(spec.population, key), key
    for year, target in spec.targets.people.items():
        assert sum(p.spec.targets.people[year] for p in parts) == target
    assert sum(p.params["relocation.households_per_year"] for p in parts) == 640000
    assert len({p.spec.seed for p in parts}) == len(parts)
    by_name = dict(zip(spec.shards, parts))
    assert by_name["guizhou"].spec.west and not by_name["henan"].spec.west
    # Guizhou's share of the registry is its share of the 2014 poor (623 of 7,012万)
    assert by_name["guizhou"].spec.population.people == pytest.approx(89_620_000 * 623 / 7012, abs=1)


def test_bad_shard_is_one_clear_message(tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text(f'extends = "{NATIONAL}"\n[shards.hebei]\nweight = -1\n', encoding="utf-8")
    with pytest.raises(ScenarioError) as e:
        load_scenario(bad)
    assert "shards.hebei.weight" in str(e.value) and "greater than 0" in str(e.value)


def _totals(reps) -> pd.DataFrame:
    return pd.DataFrame([{"exits_declared": sum(r["exits_declared"] for r in rep.annual),
                          "relapses": sum(r["relapses"] for r in rep.annual),
                          "poor_end": rep.annual[-1]["poor_end"],
                          "spend": sum(s["spend_yuan"] for s in rep.spend)} for rep in reps])


def _full(seed):
    loaded = load_scenario(NATIONAL, {**_overrides(200), "seed": seed})
    return _totals(run_ensemble(loaded, 1, progress=False)).iloc[0]


def test_sampled_mode_agrees_with_the_full_run_within_monte_carlo_error():
    """National totals of a 1-in-10 sample (each replicate its own sample) against full runs of
    the same country; the full runs vary their synthetic registry (scenario seed) too, so both
    estimate the same expectation. At 1/200 of the national size (147,400 households)."""
    from concurrent.futures import ProcessPoolExecutor
    import multiprocessing

    with ProcessPoolExecutor(2, mp_context=multiprocessing.get_context("forkserver")) as ex:
        full = pd.DataFrame(list(ex.map(_full, range(1, 11))))
    sampled = _totals(run_ensemble(national(200, sample=10), 40, workers=2, progress=False))
    for col in full:
        se = np.sqrt(full[col].var() / len(full) + sampled[col].var() / len(sampled))
        diff = sampled[col].mean() - full[col].mean()
        assert abs(diff) <= 3 * se, f"{col}: sampled {sampled[col].mean():,.0f} vs full {full[col].mean():,.0f} (se {se:,.0f})"
        # and close in relative terms (the poor left after the 2020 deadline are none in both: the deadline's
        # assessment declares every registered household out and registers no new poor)
        assert abs(diff) <= 0.03 * abs(full[col].mean()), col


def test_sampled_mode_weights_counts_back():
    part = shard_scenarios(national(2000, sample=10))[0]
    rep = run_replicate(part, 0, seeds(1, 1)[0])
    assert rep.household_steps == pytest.approx(part.spec.population.households / 10 * 1.3 * 84, rel=0.1)
    first = rep.annual[0]
    # poor at the start (everyone registered) is the whole shard's people, not the sample's
    assert first["poor_end"] + first["exits_declared"] - first["new_poor"] == pytest.approx(
        part.spec.population.people, rel=0.01)


def test_shards_on_dask_are_identical_and_a_lost_worker_is_retried(tmp_path, monkeypatch):
    """The same seeds give the same national numbers on one process and on a Dask cluster; a worker
    killed mid-run (the first task to start kills its process) has its tasks rerun elsewhere with
    the same results."""
    loaded = national(5000)
    one = run_ensemble(loaded, 2, progress=False)
    marker = tmp_path / "worker-killed"
    monkeypatch.setenv("TUOPIN_FAULT_ONCE", str(marker))  # inherited by the cluster's worker processes
    with dask_executor("local", workers=2) as ex:
        dask = run_ensemble(loaded, 2, executor=ex, progress=False)
    assert marker.exists(), "no worker was killed: the retry was not exercised"
    assert [r.annual for r in one] == [r.annual for r in dask]
    assert [r.spend for r in one] == [r.spend for r in dask]
    assert [r.shards for r in one] == [r.shards for r in dask]
    assert len(one[0].shards) == 25 * 7


def test_shards_combine_counts_by_sum_and_rates_and_incomes_by_weighted_mean():
    """By hand: two shards of 100 and 300 registered people with incomes 2,000 and 4,000 per person give
    (2000·100 + 4000·300) / 400 = 3,500 per person for the whole, while counts add up."""
    from tuopin.runs.replicate import Replicate
    from tuopin.runs.shards import combine
    spec = national(2000).spec

    def part(people, income, intensity, poor):
        row = {"year": 2015, "poverty_line": 2855.0, "target_exits": None, "target_exits_households": None,
               "registered_people": people, "registered_income_pc": income, "intensity": intensity,
               "poor_households_start": poor, "relapses": people // 10}
        return Replicate(0, [row], 1.0, 10, [], [], 0, {})

    names = list(spec.shards)[:2]
    whole = combine(0, [part(100, 2000.0, 1.0, 10), part(300, 4000.0, 2.0, 30)], names, spec).annual[0]
    assert whole["registered_people"] == 400 and whole["relapses"] == 40
    assert whole["registered_income_pc"] == pytest.approx(3500.0)
    assert whole["intensity"] == pytest.approx((1.0 * 10 + 2.0 * 30) / 40)
