"""Rules after exit and by date, checked against hand calculations: each 特惠 measure's own years
after exit and calendar end, measures in force from their document's month, the dated rules of
later documents, Jingzhou's 四保障 (养老), and enrolment that persists from year to year."""

from dataclasses import replace
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest

from tuopin import PovertyModel
from tuopin.parameters.typed import typed
from tuopin.inputs.scenario import load_scenario
from tuopin.sim import assessment, eligibility
from tuopin.sim.cost_sharing import MedicalParams, cost_sharing
from tuopin.sim.dynamics import chronic_cost, renew
from tuopin.sim.population import EXITED, NONPOOR, POOR

ROOT = Path(__file__).resolve().parents[1]
SMALL = ROOT / "tests" / "data" / "small.toml"


def months(m: PovertyModel, n: int) -> PovertyModel:
    for _ in range(n):
        m.step()
    return m


def lever(m, name):
    return next(p for p in m.policies if p.lever == name)


# ---- each measure's own rule after exit ------------------------------------------------------
def test_own_years_and_calendar_end_by_hand():
    """A household that exited in 2016: with no transition years but education kept until 2020
    (the precise-exit briefing §一(二)9), it keeps education support in 2019 and 2020, not in 2021;
    with 3 years it keeps it to 2019 by the years and to 2020 by the calendar."""
    hh = SimpleNamespace(status=np.array([EXITED, POOR, NONPOOR, EXITED], np.int8),
                         exit_year=np.array([2016, -1, -1, 2012], np.int16))
    assert eligibility.benefit_eligible(hh, 2019, 0, 2020).tolist() == [True, True, False, True]
    assert eligibility.benefit_eligible(hh, 2021, 0, 2020).tolist() == [False, True, False, False]
    assert eligibility.benefit_eligible(hh, 2019, 3).tolist() == [True, True, False, False]  # 2019 - 2016 = 3
    assert eligibility.benefit_eligible(hh, 2020, 3).tolist() == [False, True, False, False]
    assert eligibility.benefit_eligible(hh, 2020, 3, 2020).tolist() == [True, True, False, True]


def test_rule_defaults_to_the_general_one():
    ae = typed(load_scenario(SMALL).params).after_exit
    assert all(eligibility.rule(ae, lv) == (ae.transition_years, 0) for lv in ("pension", "credit", "dibao"))
    ae0 = replace(ae, transition_years=0, education_until=2020, medical_years=2, medical_until=0)
    assert eligibility.rule(ae0, "education") == (0, 2020)
    assert eligibility.rule(ae0, "medical") == (2, 0)
    assert eligibility.rule(ae0, "housing") == (0, 0)


def test_exited_household_keeps_education_until_2020_and_dibao_by_its_own_rule():
    """Cliff (no transition years) but education until 2020: in January 2016 the households that
    exited in 2015 are in education's mask, not in the general one; education pays their pupils'
    subsidies (hand formula), and 低保 covers them only by its own entitlement (not the registry)."""
    base = {"after_exit.transition_years": 0, "after_exit.medical_until": 0}  # as jingzhou_cliff.toml
    kept = months(PovertyModel(scenario=SMALL, rng=3, **base, **{"after_exit.education_until": 2020}), 13)
    cliff = months(PovertyModel(scenario=SMALL, rng=3, **base, **{"after_exit.education_until": 0}), 13)
    hh, e = kept.hh, kept.p.education
    exited = hh.status == EXITED
    assert exited.sum() > 100
    edu = kept.ctx.by_lever["education"]
    assert edu[exited].all() and not kept.ctx.eligible[exited].any()
    assert "education" not in cliff.ctx.by_lever and not cliff.ctx.eligible[exited].any()
    assert (kept.ctx.by_lever.get("medical", kept.ctx.eligible) is kept.ctx.eligible)  # others: the general mask
    # the extra January 2016 spend is the subsidies of the exited households' pupils, by the lever's
    # formula (dropouts before the recall: the cliff run's, which recalls none of theirs)
    assert (cliff.hh.status == hh.status).all()
    pupils = (hh.highschool * min(e.highschool_subsidy, e.cost_highschool)
              + hh.vocational * e.yulu_subsidy / 12        # 雨露计划 to the household, a twelfth a month
              + hh.college * min(e.college_grant, e.cost_college)
              + (cliff.hh.compulsory - cliff.hh.dropout) * min(e.compulsory_subsidy, e.cost_compulsory))
    extra = kept.ledger.spent(2016, "education") - cliff.ledger.spent(2016, "education")
    assert extra == pytest.approx(pupils[exited].sum()) and extra > 0
    # 低保: its entitlement is its own rule; its eligible() reads the general mask, not education's
    dibao = lever(kept, "dibao")
    assert not (dibao.eligible() & exited & ~dibao.entitled()).any()


# ---- measures from their document's month ---------------------------------------------------
def test_a_measure_dated_october_pays_nothing_before_october():
    """Medical help in force from October 2015: nothing spent January-September; at the December
    assessment it pays 3/12 of its shares of the year's costs (the months in force)."""
    m = PovertyModel(scenario=SMALL, rng=4, **{"medical.start_month": 10})
    months(m, 9)
    assert m.ledger.spent(2015, "medical") == 0.0
    assert not lever(m, "medical").active(2015, 9) and lever(m, "medical").active(2015, 10)
    months(m, 2)
    eligible = m.ctx.eligible.copy()  # the registered poor, before the first assessment
    m.step()
    ys = m.ys
    s = cost_sharing(ys.inpatient, chronic_cost(m.hh, m.p, 12), ys.noncompliant, poor=eligible, insured=m.hh.insured,
                     p=MedicalParams.in_force(m.p.medical, 2015, 12))
    assert m.ledger.spent(2015, "medical") == pytest.approx(0.25 * (s.assistance + s.oop_cap_fund).sum())
    assert m.ledger.spent(2015, "medical") > 0


def test_yearly_rounds_of_a_mid_year_measure_start_the_next_january():
    m = PovertyModel(scenario=SMALL, rng=4, **{"education.start_month": 10})
    months(m, 12)
    assert m.ledger.spent(2015, "education") == 0.0
    m.step()
    assert m.ledger.spent(2016, "education") > 0


def test_out_of_pocket_cap_from_its_month_by_hand():
    """Cap 3000 from July 2017: none in 2016 or before July 2017; at the December 2017 assessment
    it covers half the year's cost (6 of 12 months); whole from 2018. Left after insurance and
    assistance 10,000 yuan: fund 0, then 10,000 x 6/12 - 3000 = 2000, then 7000."""
    p = replace(typed(load_scenario(SMALL).params).medical, oop_cap_from_year=2017, oop_cap_from_month=7,
                assistance_rate=0.0, oop_cap=3000.0, oop_cap_enabled=True, self_pay_share=1.0)
    fund = lambda y, mo: cost_sharing(np.array([0.0]), np.array([0.0]), np.array([0.0]), poor=np.array([True]),  # noqa: E731
                                      insured=np.array([False]), p=MedicalParams.in_force(p, y, mo)).oop_cap_fund
    # no cost at all pays nothing; with 10,000 of compliant cost left uninsured:
    mp = lambda y, mo: MedicalParams.in_force(p, y, mo)  # noqa: E731
    left = lambda y, mo: cost_sharing(np.array([10000.0]), np.array([0.0]), np.array([0.0]), poor=np.array([True]),  # noqa: E731
                                      insured=np.array([False]), p=mp(y, mo)).oop_cap_fund[0]
    assert fund(2017, 12)[0] == 0.0
    assert left(2016, 12) == 0.0 and left(2017, 6) == 0.0
    assert left(2017, 12) == pytest.approx(2000.0)
    assert left(2018, 12) == pytest.approx(7000.0)


def test_stable_income_threshold_from_its_date():
    p = replace(typed(load_scenario(SMALL).params).assessment, stable_income_threshold_from_year=2017,
                stable_income_threshold_from_month=6)
    assert assessment.income_threshold(p, 2016, 12) == np.inf
    assert assessment.income_threshold(p, 2017, 5) == np.inf
    assert assessment.income_threshold(p, 2017, 6) == 3500.0
    assert assessment.income_threshold(p, 2018, 1) == 3500.0


# ---- 四保障: 养老 --------------------------------------------------------------------------------
def test_four_guarantees_block_exit_without_pension():
    """Jingzhou's standard (require_pension): a household with working-age members not enrolled in
    the residents' pension does not exit, however high its income; enrolled ones do; a household of
    the elderly alone needs no enrolment (it draws the basic pension)."""
    m = PovertyModel(scenario=SMALL, rng=2)
    hh, p = m.hh, m.p.assessment
    assert p.require_pension
    hh.dropout[:] = 0
    hh.insured[:] = True
    hh.housing[:] = 0
    rng = np.random.default_rng(0)
    hh.pension[:] = rng.random(hh.n) < 0.5
    working = (hh.labour + hh.disabled) > 0
    elderly_only = ~working
    assert elderly_only[hh.status == POOR].any()
    poor = hh.status == POOR
    high = np.full(hh.n, 10 * m.line)
    before = hh.status.copy()
    none = np.zeros(hh.n, bool)
    r = assessment.assess(hh, high, high, m.line, 2015, p, m.rng, spend_poor=none, month=12)
    source = assessment.stable_source(hh)
    assert not r["exit_declared"][poor & working & ~hh.pension].any()
    assert r["exit_declared"][poor & working & hh.pension & source].all()
    assert r["exit_declared"][poor & elderly_only & source].all()
    # without the fourth guarantee (the national 三保障) they exit as well
    hh.status[:] = before
    r3 = assessment.assess(hh, high, high, m.line, 2015, replace(p, require_pension=False), m.rng,
                           spend_poor=none, month=12)
    assert r3["exit_declared"][poor & working & ~hh.pension & source].all()


def test_pension_lever_enrols_the_eligible_and_pays_for_joiners():
    on = months(PovertyModel(scenario=SMALL, rng=6, **{"pension.enrolment_poor": 1.0}), 1)
    off = months(PovertyModel(scenario=SMALL, rng=6, **{"pension.enabled": False}), 1)
    reg = on.hh.category > 0
    assert on.hh.pension[reg].all()
    assert not off.hh.pension[reg].all()
    premium = on.p.income.pension_premium
    assert on.ledger.spent(2015, "pension") == pytest.approx(((on.hh.labour + on.hh.disabled) * premium)[reg].sum())


# ---- enrolment persists -----------------------------------------------------------------------
def test_renewal_by_hand():
    """Share 0.96, renewal 0.99: those out join with 0.96 x 0.01 / 0.04 = 0.24."""
    enrolled = np.array([True, True, False, False])
    u = np.array([0.5, 0.995, 0.2, 0.3])
    assert renew(enrolled, 0.96, 0.99, u).tolist() == [True, False, True, False]


def test_renewal_keeps_the_share_and_the_same_households_out():
    rng = np.random.default_rng(1)
    e = rng.random(200_000) < 0.96
    for _ in range(5):
        last, e = e, renew(e, 0.96, 0.99, rng.random(e.size))
    assert e.mean() == pytest.approx(0.96, abs=0.003)
    assert (~e[~last]).mean() == pytest.approx(0.76, abs=0.01)  # out again: 1 - 0.24 (a fresh draw: 0.04)


# ---- relapse is found on measured income, as exit is ------------------------------------------
def _exited_and_guaranteed() -> PovertyModel:
    """A small model whose households all exited in 2015 with every guarantee met, so only income decides."""
    m = PovertyModel(scenario=SMALL, rng=2)
    hh = m.hh
    hh.dropout[:] = 0
    hh.insured[:] = True
    hh.housing[:] = 0
    hh.pension[:] = True
    hh.status[:] = EXITED
    hh.exit_year[:] = 2015
    return m


def test_relapse_detection_reads_measured_not_true_income():
    """Detection is what the verification sees (the same measured terms as exit); true status is
    recorded beside it (truly_poor, hidden_poor). Exited households, everything guaranteed:
    truly below the line but measured above -> not found (hidden poor); the reverse -> found."""
    m = _exited_and_guaranteed()
    hh = m.hh
    half = np.arange(hh.n) % 2 == 0
    low, high = np.full(hh.n, 0.5 * m.line), np.full(hh.n, 2.0 * m.line)
    pc_true, pc_measured = np.where(half, low, high), np.where(half, high, low)
    p = replace(m.p.assessment, relapse_detection=1.0, monitoring_from_year=9999, relapse_on_application=False)
    r = assessment.assess(hh, pc_true, pc_measured, m.line, 2016, p, m.rng, spend_poor=np.zeros(hh.n, bool))
    assert not r["relapse"][half].any() and r["hidden_poor"][half].all()
    assert r["relapse"][~half].all()


def test_relapse_on_application_needs_a_true_fall_and_its_confirmation():
    """返贫 on application (农户申报): an exited household is re-enrolled when it is truly back in poverty
    and verification confirms it; measured below but truly above (a verification error) starts nothing,
    truly below but measured above stays hidden; both below is found. A household 低保 tops up to the
    line, a hair below it in floating point, is at the line (whole yuan)."""
    m = _exited_and_guaranteed()
    hh = m.hh
    kind = np.arange(hh.n) % 4  # 0: both below, 1: only measured below, 2: only truly below, 3: at the line
    low, high, at = 0.5 * m.line, 2.0 * m.line, m.line - 1e-9
    pc_true = np.select([kind == 0, kind == 1, kind == 2], [low, high, low], at)
    pc_measured = np.select([kind == 0, kind == 1, kind == 2], [low, low, high], at)
    p = replace(m.p.assessment, relapse_detection=1.0, monitoring_from_year=9999, relapse_on_application=True)
    r = assessment.assess(hh, pc_true, pc_measured, m.line, 2016, p, m.rng, spend_poor=np.zeros(hh.n, bool))
    assert r["relapse"][kind == 0].all()
    assert not r["relapse"][kind != 0].any()
    assert r["hidden_poor"][kind == 2].all() and not r["truly_poor"][kind == 3].any()


def test_ill_share_of_illness_household_members_matches_the_registry():
    """734万 seriously or chronically ill among about 2000万 members of illness-poor households
    (end-2015): 36.7 %. The model's 因病 households: their head and the others' chance."""
    from tuopin.sim.population import CAUSE_CODES
    hh = PovertyModel(scenario=ROOT / "tests" / "data" / "medium.toml", rng=1).hh
    ill = (hh.category > 0) & (hh.cause == CAUSE_CODES["illness"])
    assert hh.chronic[ill].sum() / hh.size[ill].sum() == pytest.approx(734 / 2000, rel=0.1)


def test_under_monitoring_an_expenditure_fall_is_monitored_not_relapsed():
    """防止返贫监测 (the monitoring guidance, 监测范围: 刚性支出明显超过上年度收入): an exited household with its
    income above the line whose only fall is expenditure (支出型) is re-enrolled before monitoring and
    left exited (a monitoring case) under it; one truly and measurably below the line relapses in both."""
    for monitored_from in (9999, 2016):
        m = _exited_and_guaranteed()
        hh = m.hh
        kind = np.arange(hh.n) % 2  # 0: income below the line; 1: income above, expenditure-poor
        pc = np.where(kind == 0, 0.5 * m.line, 2.0 * m.line)
        p = replace(m.p.assessment, relapse_detection=1.0, monitoring_from_year=monitored_from,
                    relapse_on_application=True)
        r = assessment.assess(hh, pc, pc, m.line, 2016, p, m.rng, spend_poor=kind == 1)
        assert r["relapse"][kind == 0].all()
        if monitored_from == 9999:
            assert r["relapse"][kind == 1].all()
        else:  # left exited, and truly poor all the same (true status)
            assert not r["relapse"][kind == 1].any() and r["hidden_poor"][kind == 1].all()
