"""Each lever: off, it spends nothing and changes nothing; on, it moves outcomes the expected way;
its costs match hand calculations."""

from pathlib import Path

import pandas as pd
import pytest

from tuopin import PovertyModel, load_scenario
from tuopin.inputs.scenario import overrides_table
from tuopin.sim.dynamics import pension_premiums
from tuopin.parameters import levers
from tuopin.sim.population import HOUSING_SAFE

ROOT = Path(__file__).resolve().parents[1]
MEDIUM = ROOT / "tests" / "data" / "medium.toml"
LEVERS = ("medical", "education", "pension", "housing", "relocation", "industry", "employment", "credit", "work_relief",
          "dibao", "motivation")
ALL_OFF = {f"{lever}.enabled": False for lever in LEVERS}


def run(**params):
    return PovertyModel(scenario=MEDIUM, rng=3, **params).run()


def annual(m):
    return pd.DataFrame(m.annual).drop(columns=["spend_yuan"])


def test_every_lever_is_in_the_catalog():
    assert set(LEVERS) <= levers()


@pytest.fixture(scope="module")
def all_off():
    return run(**ALL_OFF)


@pytest.fixture(scope="module")
def default():
    return run()


def test_all_off_spends_nothing(all_off):
    assert all_off.ledger.spend.sum() == 0


# a lever switched on with no generosity must give the numbers of the lever switched off
ZERO = {
    "industry": {"industry.take_up": 0.0, "industry.coop_take_up": 0.0, "industry.village_fund": 0.0},
    "employment": {"employment.training_take_up": 0.0, "employment.placement_rate": 0.0, "employment.post_rate": 0.0},
    "credit": {"credit.take_up": 0.0},
    "education": {"education.free_highschool": False, "education.yulu_subsidy": 0.0, "education.college_grant": 0.0,
                  "education.compulsory_subsidy": 0.0, "education.dropout_recall_rate": 0.0},
    "dibao": {"dibao.line_ratio": 0.0, "dibao.aligned": False, "dibao.wubao_ratio": 0.0},
    "housing": {"housing.renovation_rate": 0.0},
    "relocation": {"relocation.households_per_year": 0},
    "motivation": {"motivation.effort_elasticity": 0.0, "motivation.hiding_share": 0.0, "motivation.fuzhi_reach": 0.0},
    "work_relief": {"work_relief.investment": 0.0},
}


@pytest.mark.parametrize("lever", sorted(ZERO))
def test_lever_on_without_generosity_equals_off(lever, all_off):
    # 转移就业 at the published count of labourers away is a scenario input the employment lever carries out:
    # without generosity there is none of it either
    over = overrides_table({**ALL_OFF, f"{lever}.enabled": True, **ZERO[lever]})
    if lever == "employment":
        over["campaign"] = {"migrant_workers": {}, "migrant_earnings": {}}
    on = PovertyModel(scenario=load_scenario(MEDIUM, over), rng=3).run()
    assert on.ledger.spend.sum() == 0
    pd.testing.assert_frame_equal(annual(on), annual(all_off))


@pytest.mark.parametrize("lever", LEVERS)
def test_each_lever_off_spends_nothing_on_it(lever):
    m = run(**{f"{lever}.enabled": False})
    assert m.ledger.spent(2015, lever) == 0 and m.ledger.spent(2018, lever) == 0


def test_policy_mix_raises_exits_and_spends(default, all_off):
    d, o = pd.DataFrame(default.annual), pd.DataFrame(all_off.annual)
    assert d["exits_true"].sum() > 1.3 * o["exits_true"].sum()
    assert d["poor_end"].iloc[-1] < o["poor_end"].iloc[-1]
    assert default.ledger.spend.sum() > 0


def _first_year(**params):
    m = PovertyModel(scenario=MEDIUM, rng=5, **params)
    while m.t < 12:
        m.step()
    return m


def test_oop_cap_never_raises_medical_impoverishment():
    with_cap = _first_year(**{"medical.oop_cap_enabled": True})
    without = _first_year(**{"medical.oop_cap_enabled": False})
    a, b = with_cap.last_assessment, without.last_assessment
    assert (a["oop"] <= b["oop"] + 1e-9).all()
    assert not (a["truly_poor"] & ~b["truly_poor"]).any()   # nobody is poor with the cap who was not without
    assert (a["oop"] < b["oop"] - 1).any()


def test_dibao_alignment_spends_more_and_lifts_more():
    aligned = _first_year(**{"dibao.aligned": True, "dibao.line_ratio": 0.9})
    lagging = _first_year(**{"dibao.aligned": False, "dibao.line_ratio": 0.9})
    assert aligned.ledger.spent(2015, "dibao") > lagging.ledger.spent(2015, "dibao")
    assert aligned.last_assessment["truly_poor"].sum() <= lagging.last_assessment["truly_poor"].sum()


def test_cliff_raises_relapse():
    cliff = pd.DataFrame(run(**{"after_exit.transition_years": 0}).annual)
    kept = pd.DataFrame(run(**{"after_exit.transition_years": 3}).annual)
    assert cliff["relapses"].sum() > kept["relapses"].sum()


def test_target_pressure_makes_paper_exits():
    pressed = pd.DataFrame(run(**{"pressure.enabled": True}).annual)
    free = pd.DataFrame(run().annual)
    assert (pressed["exits_declared"] >= pressed["target_exits"]).iloc[0]
    assert pressed["exits_paper"].sum() > free["exits_paper"].sum()


def test_education_and_housing_move_their_guarantees(default, all_off):
    assert default.hh.dropout.sum() < all_off.hh.dropout.sum()
    assert (default.hh.housing != HOUSING_SAFE).sum() < (all_off.hh.housing != HOUSING_SAFE).sum()


def test_pension_and_education_costs_match_hand_calculation():
    m = PovertyModel(scenario=MEDIUM, rng=8)
    hh, e = m.hh, m.p.education
    elig = hh.category > 0                       # before the first assessment: the registered
    # no ageing in the first January, so the pupils paid for are the ones there now; 雨露计划 is paid
    # to the household in twelve monthly parts, so January pays a twelfth of it
    expected = (hh.highschool[elig].sum() * 2500.0 + hh.vocational[elig].sum() * 3000.0 / 12
                + hh.college[elig].sum() * 5000.0 + (hh.compulsory - hh.dropout)[elig].sum() * 300.0)
    assert (e.cost_highschool, e.yulu_subsidy, e.college_grant, e.compulsory_subsidy) == (2500, 3000, 5000, 300)
    m.step()  # January 2015: year-start payments
    premiums = pension_premiums(hh, m.p)[elig].sum()  # of the enrolled, those who joined in January included
    assert m.ledger.spent(2015, "pension") == pytest.approx(premiums)
    assert m.ledger.spent(2015, "education") == pytest.approx(expected)


def test_relocation_cost_mukainaoer():
    m = PovertyModel(scenario=ROOT / "scenarios" / "mukainaoer_2016_2020.toml", rng=1)
    m.step()  # January 2016
    moved = m.policies[[p.lever for p in m.policies].index("relocation")].moved
    assert moved.sum() == 153                                   # the Mukainaoer plan: 153 households in 2016
    assert m.ledger.spent(2016, "relocation") == pytest.approx(60000.0 * m.hh.size[moved].sum())
    assert (m.hh.housing[moved] == HOUSING_SAFE).all()


def test_caps_bind_in_the_model():
    m = run(**{})
    spent = m.ledger.spent(2016, "housing")
    capped = PovertyModel(scenario=load_scenario(MEDIUM, {"budget": {"cap": {"housing": spent / 4}}}), rng=3).run()
    for y in range(2015, 2019):
        assert capped.ledger.spent(y, "housing") <= spent / 4 + 1e-6
    assert capped.ledger.frame().query("lever == 'housing'")["shortfall_yuan"].sum() > 0


def test_dibao_lines_align_from_the_given_year():
    """两线合一 from ``aligned_from_year``: the 低保 line is 0.9 of the poverty line before, the line after."""
    from tuopin import PovertyModel

    m = PovertyModel(scenario=ROOT / "tests" / "data" / "small.toml", rng=1, **{"dibao.aligned_from_year": 2017, "dibao.aligned": False,
                                                                             "dibao.line_ratio": 0.9})
    dibao = next(p for p in m.policies if p.lever == "dibao")
    seen = {}
    while m.running:
        m.step()
        seen[m.year] = dibao.line() / m.line
    assert seen[2015] == pytest.approx(0.9) and seen[2016] == pytest.approx(0.9)
    assert seen[2017] == pytest.approx(1.0) and seen[2018] == pytest.approx(1.0)
