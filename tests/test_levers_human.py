"""The human-capital and work levers as mechanisms, against hand calculations: 雨露计划 paid to the
household, school choices responding to support, industry projects and cooperative shares by cause,
扶志 restoring effort, 以工代赈 wages within the works' capacity.

Pairs of small models differ in one parameter only, so every random draw before the mechanism acts
is shared and the difference is the mechanism's. ``tools/mutations.py`` breaks these mechanisms and
checks that a test here fails.
"""

from pathlib import Path

import numpy as np
import pytest

from tuopin import PovertyModel
from tuopin.sim.population import HOUSING_D, HOUSING_SAFE

SMALL = Path(__file__).resolve().parent / "data" / "small.toml"
MEDIUM = Path(__file__).resolve().parent / "data" / "medium.toml"


def lever(m: PovertyModel, name: str):
    return next(p for p in m.policies if p.lever == name)


def run(rng: int, months: int, **params) -> PovertyModel:
    m = PovertyModel(scenario=SMALL, rng=rng, **params)
    for _ in range(months):
        m.step()
    return m


# ---- 雨露计划: a transfer to the household (直补到户) -------------------------------------------
@pytest.mark.parametrize("yulu", [3000.0, 5000.0])
def test_yulu_is_paid_to_the_household_in_full(yulu):
    """Each eligible household gets ``yulu`` a year per vocational student as income, whatever the
    school costs (3000): its stable per-capita income at the first assessment is higher by exactly
    that over its size, and the ledger spends exactly that much more."""
    paid, none = run(21, 1, **{"education.yulu_subsidy": yulu}), run(21, 12, **{"education.yulu_subsidy": 0.0})
    hh = paid.hh
    students = np.where(paid.ctx.eligible, hh.vocational, 0)  # eligible all year; no ageing in the first year
    for _ in range(11):
        paid.step()
    assert students.sum() > 100
    extra = (paid.last_assessment["pc_true"] - none.last_assessment["pc_true"]) * hh.size
    np.testing.assert_allclose(extra, students * yulu, rtol=1e-9, atol=1e-6)
    assert paid.ledger.spent(2015, "education") - none.ledger.spent(2015, "education") == pytest.approx(
        students.sum() * yulu)


def test_yulu_at_5000_changes_outcomes_that_3000_does_not_reach():
    """Above the 3000-yuan cost the payment still counts: 5000 gives more income and more true
    exits in the first year than 3000 (the old min(subsidy, cost) made them identical)."""
    a, b = run(22, 12, **{"education.yulu_subsidy": 5000.0}), run(22, 12, **{"education.yulu_subsidy": 3000.0})
    assert (a.last_assessment["pc_true"] >= b.last_assessment["pc_true"]).all()
    assert a.annual[0]["exits_true"] > b.annual[0]["exits_true"]


# ---- school choices respond to support ---------------------------------------------------------
def test_continuation_and_dropout_chances_follow_the_support_by_hand():
    """After the first January, an eligible household's chances for next year are the catalog's
    raised by its support (free high school s=1, 雨露计划 3000/3000, allowance 300/300):
    high school 0.55 + 0.21 = 0.76; vocational (of the rest) 0.3/0.45 + (1 - 0.3/0.45) × 0.3;
    dropout 0.01 × (1 - 0.6). Other households keep the catalog's."""
    m = run(23, 1)
    sh, elig = m.shared, m.ctx.eligible
    v0 = 0.3 / 0.45
    assert elig.sum() > 1000 and (~elig).sum() > 500
    np.testing.assert_allclose(sh.to_highschool[elig], 0.76)
    np.testing.assert_allclose(sh.to_vocational[elig], v0 + (1 - v0) * 0.3)
    np.testing.assert_allclose(sh.dropout_factor[elig], 1 - 0.6)   # on the registered rate 0.01: 0.004
    np.testing.assert_allclose(sh.dropout_factor[~elig], 1.0)
    np.testing.assert_allclose(sh.to_highschool[~elig], 0.55)
    np.testing.assert_allclose(sh.to_vocational[~elig], v0)
    # a larger 雨露计划 moves more of the would-be workers: 5000/3000 of the cost
    big = run(23, 1, **{"education.yulu_subsidy": 5000.0}).shared
    np.testing.assert_allclose(big.to_vocational[elig], v0 + (1 - v0) * 0.3 * 5000 / 3000)


def test_support_keeps_more_leavers_in_school():
    """The same households, the same draws: with support, more of the year's compulsory-school
    leavers of eligible households go on to school the next January than with none."""
    none = {"education.free_highschool": False, "education.yulu_subsidy": 0.0, "education.compulsory_subsidy": 0.0}
    a, b = (PovertyModel(scenario=MEDIUM, rng=24, **x) for x in ({}, none))
    for m in (a, b):
        for _ in range(13):
            m.step()
    reg = a.hh.category > 0
    in_school = lambda m: (m.hh.highschool + m.hh.vocational)[reg].sum()  # noqa: E731
    # about 500 registered leavers a year; support cuts those going to work from 15 % to
    # (1 - 0.76) × (1 - 0.767) = 5.6 %: some 45 more in school
    assert 20 < in_school(a) - in_school(b) < 80
    assert a.hh.dropout[reg].sum() < b.hh.dropout[reg].sum()


# ---- industry: projects and shares by cause and capacity ---------------------------------------
def test_projects_and_shares_go_to_the_suited_first_with_the_same_money():
    """By cause, every project goes to a household of the best-suited kinds while they last and
    every share to a household that cannot run a project; at random the same numbers go to others,
    for the same spend."""
    by_cause, at_random = run(25, 1), run(25, 1, **{"targeting.by_cause": False})
    i, j = lever(by_cause, "industry"), lever(at_random, "industry")
    assert (i.grant > 0).sum() == (j.grant > 0).sum() > 300 and i.coop.sum() == j.coop.sum() > 100
    assert by_cause.ledger.spent(2015, "industry") == at_random.ledger.spent(2015, "industry")
    assert (i.share_suits()[i.coop] == 1).all() and (j.share_suits()[j.coop] == 1).mean() < 0.9
    assert i.project_suits()[i.grant > 0].mean() > j.project_suits()[j.grant > 0].mean() + 0.1


def test_cooperative_dividend_is_the_guaranteed_rate_on_the_share():
    """A share held all year pays 8 % of its 5000 yuan, from the cooperative: 400 yuan more income
    than without a dividend, and no budget spend for it."""
    paid, unpaid = run(26, 12), run(26, 12, **{"industry.coop_dividend_rate": 0.0})
    holders = lever(paid, "industry").coop
    assert holders.sum() > 100
    extra = (paid.last_assessment["pc_true"] - unpaid.last_assessment["pc_true"]) * paid.hh.size
    np.testing.assert_allclose(extra[holders], 0.08 * 5000.0, rtol=1e-9)
    assert paid.ledger.spent(2015, "industry") == unpaid.ledger.spent(2015, "industry")


def test_vacated_shares_pass_on_without_new_capital():
    """Shares of households that lost their benefits go to others at no cost: the funded shares
    are all held again, and the capital paid is 5000 per share ever funded."""
    m = run(27, 25, **{"after_exit.transition_years": 0})
    ind = lever(m, "industry")
    assert ind.coop.sum() == ind.shares
    capital = sum(m.ledger.spent(y, "industry") for y in (2015, 2016, 2017))
    grants = 3000.0 * (ind.started >= 0).sum()
    funds = 75000.0 * sum(int(((m.poor_village) & ((m.village_exit_year < 0) | (m.village_exit_year >= y))).sum())
                          for y in (2015, 2016, 2017))
    assert capital == pytest.approx(grants + 5000.0 * ind.shares + funds)


# ---- 扶志 ---------------------------------------------------------------------------------------
def test_fuzhi_restores_the_effort_of_reached_households():
    """In the second January a household reached by 扶志 loses only half the effort 等靠要 takes:
    1 - 0.1 × share × 0.5 against 1 - 0.1 × share, so its wage income is higher."""
    a, b = run(28, 13, **{"motivation.fuzhi_effect": 0.5}), run(28, 13, **{"motivation.fuzhi_effect": 0.0})
    mo = lever(a, "motivation")
    share, reached = mo.benefit_share, mo.reached
    assert (reached & (share > 0.05)).sum() > 200
    np.testing.assert_allclose(a.shared.effort, np.where(reached, 1 - 0.1 * share * 0.5, 1 - 0.1 * share))
    np.testing.assert_allclose(b.shared.effort, 1 - 0.1 * share)
    assert a.income_month > b.income_month


# ---- 以工代赈 -------------------------------------------------------------------------------------
def test_work_relief_pays_its_wage_within_the_works_capacity():
    """8 poor villages × 50,000 × 0.15 / 5,000 = 12 jobs; each of the 12 households earns 5,000
    in the year (its own earnings, not a benefit); the ledger pays the wages and the rest of each
    village's works: 12 × 5,000 + 8 × 42,500."""
    m, idle = run(29, 12), run(29, 12, **{"work_relief.wage": 0.0})
    w = lever(m, "work_relief")
    assert w.worker.sum() == 12 == w.jobs()
    extra = (m.last_assessment["pc_true"] - idle.last_assessment["pc_true"]) * m.hh.size
    np.testing.assert_allclose(extra, np.where(w.worker, 5000.0, 0.0), rtol=1e-9, atol=1e-6)
    assert m.ledger.spent(2015, "work_relief") == pytest.approx(12 * 5000.0 + 8 * 50000.0 * 0.85)
    jan = run(29, 1)
    wj = lever(jan, "work_relief")
    assert (wj.worker <= wj.eligible()).all() and (jan.hh.labour[wj.worker] > 0).all()


def test_renovations_per_10k_caps_the_year_and_takes_d_houses_first():
    """200 a year per 10,000 registered households: the first January renovates that many (rounded),
    D houses before C, and no more, though the rate alone would take every one (houses neither decay nor
    are repaired by their owners here, so every change is the lever's)."""
    m = PovertyModel(scenario=MEDIUM, rng=5, **{"housing.renovation_rate": 1.0, "housing.renovations_per_10k": 200.0,
                                                "housing.self_repair_rate_registered": 0.0,
                                                "housing.self_repair_rate_other": 0.0,
                                                "housing.decay_rate_safe": 0.0, "housing.decay_rate_c": 0.0})
    hh = m.hh
    before = hh.housing.copy()
    registered = hh.category > 0                    # before the first assessment the eligible are the registered
    cap = round(200.0 * registered.sum() / 1e4)
    unsafe = registered & (before != HOUSING_SAFE)
    assert unsafe.sum() > cap > 0                   # the cap binds
    m.step()                                        # January: year-start renovations
    done = (before != HOUSING_SAFE) & (hh.housing == HOUSING_SAFE)
    assert done.sum() == cap
    d_waiting = unsafe & (before == HOUSING_D) & ~done
    c_done = done & (before != HOUSING_D)
    assert not (c_done.any() and d_waiting.any())   # a C house only once no D house waits
