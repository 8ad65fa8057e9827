"""Relapse survival against hand calculations; the at-risk list predicts relapse in held-out replicates."""

import numpy as np
import pytest

from conftest import ROOT
from tuopin import load_scenario
from tuopin.runs.ensemble import run_ensemble
from tuopin.sim.population import synthesize
from tuopin.analysis.relapse import AtRisk, kaplan_meier, survival_table, top_decile_lift
from tuopin.runs.replicate import survival_counts


def test_survival_from_counts_matches_kaplan_meier():
    ev = {"exit_year": np.array([2015] * 5 + [2016] * 3), "relapse_year": np.array([2016, -1, 2017, -1, -1, 2017, -1, -1]),
          # true status: the second exit was a paper exit (truly poor at its own assessment), the fourth and the
          # seventh fell truly poor unrecorded, the first fell the year it was recorded, the third never truly fell
          "fall_year": np.array([2016, 2015, -1, 2017, -1, 2017, 2018, -1]),
          "cause": np.zeros(8, int), "people": np.ones(8, int)}
    rows = survival_counts(ev, 2018)
    from tuopin.runs.replicate import Replicate
    t = survival_table([Replicate(0, [], 0, 0, [], rows, 0, {})])
    overall = t[t["group_kind"] == "all"].set_index("months")
    # durations: 1(r), 3, 2(r), 3, 3, 1(r), 2, 2 -> S1 = 1 - 2/8; S2 = S1 * (1 - 1/6); S3 = S2 * (1 - 0/3)
    assert overall["survival_p50"].tolist() == pytest.approx([0.75, 0.75 * 5 / 6, 0.75 * 5 / 6])
    dur = np.array([1, 3, 2, 3, 3, 1, 2, 2])
    assert overall["survival_p50"].tolist() == pytest.approx(kaplan_meier(dur, ev["relapse_year"] >= 0).tolist())
    # true status, the paper exit left out: durations 1(f), 3, 2(f), 3, 1(f), 2(f), 2 -> S1 = 1 - 2/7;
    # S2 = S1 * (1 - 2/5); S3 = S2 * (1 - 0/2)
    assert overall["true_survival_p50"].tolist() == pytest.approx([5 / 7, 5 / 7 * 3 / 5, 5 / 7 * 3 / 5])
    assert overall["true_exits_p50"].tolist() == [7, 7, 7]


def test_survival_counts_match_masks_per_group_and_year():
    """The counts by bincount are those of a mask per group and year (the rule written out),
    including exits whose relapse or censoring falls past the horizons or before the exit year."""
    from tuopin.inputs.scenario import CAUSES
    rng = np.random.default_rng(5)
    for _ in range(100):
        n = int(rng.integers(0, 60))
        ey = rng.integers(2014, 2021, n).astype(np.int16)
        ev = {"exit_year": ey, "relapse_year": np.where(rng.random(n) < 0.4, ey + rng.integers(0, 6, n), -1).astype(np.int16),
              "fall_year": np.where(rng.random(n) < 0.5, ey + rng.integers(0, 6, n), -1).astype(np.int16),
              "cause": rng.integers(0, len(CAUSES), n).astype(np.int8), "people": np.ones(n, int)}
        last = int(rng.integers(2015, 2022))
        rel, fell = ev["relapse_year"] >= 0, ev["fall_year"] >= 0
        dur = np.where(rel, ev["relapse_year"], last) - ev["exit_year"]
        tdur = np.where(fell, ev["fall_year"], last) - ev["exit_year"]
        true_exit = ev["fall_year"] != ev["exit_year"]
        groups = [("all", "all", np.ones(n, bool))] + [("cohort", str(y), ey == y) for y in np.unique(ey)]
        groups += [("cause", c, ev["cause"] == i) for i, c in enumerate(CAUSES) if (ev["cause"] == i).any()]
        expected = [{"group_kind": k, "group": g, "years": t, "at_risk": int((dur[m] >= t).sum()),
                     "relapsed": int(((dur[m] == t) & rel[m]).sum()), "exits": int(m.sum()),
                     "true_at_risk": int((tdur[m & true_exit] >= t).sum()),
                     "true_fell": int(((tdur == t) & fell & m & true_exit).sum()), "true_exits": int((m & true_exit).sum())}
                    for k, g, m in groups for t in (1, 2, 3)]
        assert survival_counts(ev, last) == expected


def test_kaplan_meier_by_hand():
    # 10 exits: 2 relapse after 1 year, 1 censored at 1 year, 1 relapses after 2 years, 6 censored at 3
    duration = np.array([1, 1, 1, 2, 3, 3, 3, 3, 3, 3])
    relapsed = np.array([1, 1, 0, 1, 0, 0, 0, 0, 0, 0], bool)
    s = kaplan_meier(duration, relapsed)
    # S(1) = 1 - 2/10 = 0.8; S(2) = 0.8 * (1 - 1/7); S(3) = S(2) * (1 - 0/6)
    assert s == pytest.approx([0.8, 0.8 * 6 / 7, 0.8 * 6 / 7])
    assert np.isnan(kaplan_meier(np.array([1, 1]), np.array([False, False]))[1])   # nobody observed 2 years


@pytest.fixture(scope="module")
def medium_ensemble():
    s = load_scenario(ROOT / "tests" / "data" / "medium.toml")
    return s, run_ensemble(s, 16, workers=2, progress=False)


def test_survival_table(medium_ensemble):
    s, reps = medium_ensemble
    t = survival_table(reps)
    overall = t[t["group_kind"] == "all"].set_index("months")
    assert list(overall.index) == [12, 24, 36]
    assert (overall["survival_p50"].diff().dropna() <= 0).all()            # survival never rises
    assert ((overall["survival_p5"] <= overall["survival_p50"]) & (overall["survival_p50"] <= overall["survival_p95"])).all()
    assert set(t[t["group_kind"] == "cohort"]["group"]) >= {"2015", "2016", "2017"}
    assert "illness" in set(t[t["group_kind"] == "cause"]["group"])


def test_at_risk_ranking_predicts_held_out_relapse(medium_ensemble):
    s, reps = medium_ensemble
    households = synthesize(s.spec, s.params, np.random.default_rng(s.spec.seed))[0]
    lift = top_decile_lift(reps[:8], reps[8:])
    assert lift > 2.5, lift                   # the top decile relapses at several times the base rate
    risk = AtRisk(households, s.spec.last_year - 1, fit_replicates=8)
    for r in reps:
        risk.add(r)
    table = risk.table()
    assert (table["p_relapse_12m"].diff().dropna() <= 1e-12).all()          # ranked
    assert {"income_margin", "chronic_illness", "school_dropout", "unsafe_housing"} <= set(table.columns)
    assert not {"name", "id_number", "phone"} & set(table.columns)
    assert (table["household"] < households.n).all()


def test_kaplan_meier_agrees_with_lifelines():
    lifelines = pytest.importorskip("lifelines")
    g = np.random.default_rng(4)
    duration = g.integers(1, 4, 500)
    relapsed = g.random(500) < 0.3
    kmf = lifelines.KaplanMeierFitter().fit(duration, relapsed)
    expected = kmf.survival_function_at_times([1, 2, 3]).to_numpy()
    assert kaplan_meier(duration, relapsed) == pytest.approx(expected)


def test_the_relapse_fit_compares_with_the_published_shares_of_the_exited_stock():
    """tools/fit_relapse_detection.py fits to each year's relapses over the people lifted out since 2014 until the year
    before: 2016, 68.4万 over 1232万 + 1442万 = 2.558 %; 2019, 0.54万 over 6589万 (1232 + 1442 + 1240 + 1289 + 1386)."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("fit_relapse_detection", ROOT / "tools" / "fit_relapse_detection.py")
    fit = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(fit)
    shares = fit.published_shares()
    assert shares[2016] == pytest.approx(100 * 68.4 / (1232 + 1442))
    assert shares[2019] == pytest.approx(100 * 0.54 / (1232 + 1442 + 1240 + 1289 + 1386))
    assert list(shares) == [2016, 2017, 2018, 2019]


def test_the_exit_events_true_falls_agree_with_the_sustained_count_and_with_each_other():
    """The events' first true fall is the truly sustained count's (exits never truly poor since are its people),
    comes no later than the first fall by income alone (an income under the line is truly poor), and a paper exit
    falls in its own year."""
    from tuopin.sim.model import PovertyModel
    s = load_scenario(ROOT / "tests" / "data" / "medium.toml")
    m = PovertyModel(scenario=s, rng=np.random.default_rng(3))
    m.run()
    ev = m.exit_events()
    fall, income = ev["fall_year"], ev["income_fall_year"]
    assert m.annual[-1]["exits_sustained_true"] == round(ev["people"][fall < 0].sum() * m.weight)
    assert ((fall >= 0) | (income < 0)).all()
    assert (fall[income >= 0] <= income[income >= 0]).all()
    assert ((fall < 0) | (fall >= ev["exit_year"])).all() and ((income < 0) | (income >= ev["exit_year"])).all()
    assert (fall[income == ev["exit_year"]] == ev["exit_year"][income == ev["exit_year"]]).all()
    assert 0 < (fall > ev["exit_year"]).sum() and 0 < (fall == ev["exit_year"]).sum() < fall.size
