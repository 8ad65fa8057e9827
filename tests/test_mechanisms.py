"""Each lever's mechanism, tested where it acts: one small model (or a pair that differ in one
parameter only, so every random draw is shared and any difference is the mechanism's), a few months.

Each test is written so that breaking its mechanism with a one-line change fails it;
``tools/mutations.py`` applies those changes to a copy of the package and checks that they do.
"""

from pathlib import Path

import numpy as np
import pytest

from tuopin import PovertyModel
from tuopin.sim.policies import LEVERS
from tuopin.sim.population import CATEGORY_CODES, CAUSE_CODES, EXITED, POOR

SMALL = Path(__file__).resolve().parent / "data" / "small.toml"


def lever(m: PovertyModel, name: str):
    """The lever object called ``name``, for its per-household state (who moved, who borrowed, who
    is covered). The only place these tests reach into a lever: adapt here if lever state moves."""
    return next(p for p in m.policies if p.lever == name)


def model(rng: int, **params) -> PovertyModel:
    return PovertyModel(scenario=SMALL, rng=rng, **params)


def months(m: PovertyModel, n: int) -> PovertyModel:
    for _ in range(n):
        m.step()
    return m


def registered_at_start(m: PovertyModel) -> np.ndarray:
    """Before the first assessment the households the levers serve are the registered poor."""
    assert not (m.hh.status == EXITED).any()
    return m.hh.status == POOR


def first_year_pair(rng: int, base: dict, a: dict, b: dict) -> tuple[PovertyModel, PovertyModel]:
    """Two models run to the first assessment, differing only in ``a`` versus ``b``."""
    return months(model(rng, **base, **a), 12), months(model(rng, **base, **b), 12)


# ---- the order of the levers ------------------------------------------------------------------
ORDER = [cls.lever for cls in LEVERS]


def test_dibao_comes_after_every_lever_that_raises_income():
    """低保 tops a household up to its line from the income it has once January's programmes ran
    (relocation and employment change wages and farm income in January; industry and credit are
    declared income programmes too). Before them it would pay a gap the programmes have closed."""
    for raiser in ("relocation", "industry", "employment", "credit"):
        assert ORDER.index("dibao") > ORDER.index(raiser), f"dibao must follow {raiser}: {ORDER}"


def test_entitlements_come_before_programmes():
    """Under a total budget cap the ledger pays levers in this order, so the entitlements that set
    this year's costs (medical, school, pension) are funded before the programmes."""
    for entitlement in ("medical", "education", "pension"):
        for programme in ("housing", "relocation", "industry", "employment", "credit", "dibao"):
            assert ORDER.index(entitlement) < ORDER.index(programme), f"{entitlement} before {programme}: {ORDER}"


def test_dibao_tops_up_the_income_after_this_years_programmes():
    """Every covered (non-五保) household's January income plus its top-up is exactly the 低保 line,
    counting this January's training, placement and relocation (jobs gained, farm income lost)."""
    m = months(model(1, **{"employment.training_take_up": 1.0, "employment.placement_rate": 1.0,
                           "relocation.households_per_year": 300, "relocation.job_placement_rate": 1.0}), 1)
    d, hh = lever(m, "dibao"), m.hh
    topped = (d.monthly > 0) & (hh.category != CATEGORY_CODES["wubao"])
    assert topped.sum() > 100
    expected = hh.wage_local + hh.wage_migrant + hh.farm + hh.transfer + hh.property
    np.testing.assert_allclose((expected + 12 * d.monthly)[topped] / hh.size[topped], d.line(), rtol=1e-9)


# ---- 低保 targeting ---------------------------------------------------------------------------
def test_dibao_covers_eligible_households_but_the_exclusion_error():
    m = model(5, **{"dibao.exclusion_error": 0.3, "dibao.inclusion_error": 0.05})
    hh = m.hh
    doubao = np.isin(hh.category, [CATEGORY_CODES[c] for c in ("dibao", "fupin_dibao", "wubao")])
    registered = registered_at_start(m)
    eligible = registered & (doubao | (hh.labour == 0))
    months(m, 1)
    covered = lever(m, "dibao").covered
    assert eligible.sum() > 400
    assert covered[eligible].mean() == pytest.approx(0.7, abs=0.05)
    assert covered[registered & ~eligible].mean() == pytest.approx(0.05, abs=0.02)


def test_dibao_cover_lasts_while_eligible_and_the_missed_are_found_later():
    """Cover is not redrawn each January: an eligible household covered in the first year is covered in
    the second; of those missed in the first year, a second review finds all but the exclusion error
    (so 1 - 0.3² of the households eligible both years are covered in the second); the inclusion error
    lets in the same households both years."""
    m = model(5, **{"dibao.exclusion_error": 0.3, "dibao.inclusion_error": 0.05})
    d = lever(m, "dibao")
    months(m, 1)
    elig1, cov1 = d.eligible().copy(), d.covered.copy()
    months(m, 12)
    elig2, cov2 = d.eligible(), d.covered
    both = elig1 & elig2
    assert both.sum() > 400
    assert cov2[both & cov1].all()
    assert cov2[both].mean() == pytest.approx(1 - 0.3 ** 2, abs=0.04)
    let_in = ~elig1 & ~elig2 & m.ctx.eligible
    assert let_in.sum() > 200
    np.testing.assert_array_equal(cov2[let_in & cov1], True)
    assert cov2[let_in & ~cov1].mean() < 0.01


# ---- 等靠要 and 隐瞒 (motivation) ----------------------------------------------------------
def test_lower_effort_lowers_wage_income():
    """Effort responds to last year's benefits: the first year is the same with or without the
    response; in the next January the households living on benefits earn less from work, by an
    amount proportional to the elasticity (wage work scales with effort)."""
    income = {}
    for e in (0.0, 0.2, 0.5):
        m = months(model(2, **{"motivation.effort_elasticity": e}), 13)
        income[e] = m.datacollector.get_model_vars_dataframe()["income_month_yuan"].to_numpy()
    np.testing.assert_array_equal(income[0.5][:13], income[0.0][:13])  # the initial row and year one
    drop = {e: income[0.0][13] - income[e][13] for e in (0.2, 0.5)}
    assert drop[0.2] > 1000
    assert drop[0.5] == pytest.approx(2.5 * drop[0.2], rel=1e-9)


def test_hiding_households_report_less_than_they_have():
    """With everyone willing to hide, households receiving benefits report 30 % less at
    verification than the same households not hiding; the others report the same."""
    base = {"motivation.hiding_share": 1.0}
    hide, honest = first_year_pair(8, base, {"motivation.hiding_fraction": 0.3}, {"motivation.hiding_fraction": 0.0})
    a, b = hide.last_assessment, honest.last_assessment
    np.testing.assert_array_equal(a["pc_true"], b["pc_true"])
    h, n = a["pc_measured"], b["pc_measured"]
    hidden = ~np.isclose(h, n, rtol=1e-12, atol=0) & (n > 0)
    assert hidden.sum() > 200
    np.testing.assert_allclose(h[hidden], 0.7 * n[hidden], rtol=1e-12)


# ---- relocation ------------------------------------------------------------------------------
def test_relocated_households_lose_their_farm_income():
    m = model(3, **{"relocation.households_per_year": 300, "relocation.farm_income_loss": 0.5})
    farm = m.hh.farm.copy()
    months(m, 1)  # the first January: no income growth, relocation moves its households
    moved = lever(m, "relocation").moved
    assert moved.sum() == 300 and (farm[moved] > 0).sum() > 50
    np.testing.assert_allclose(m.hh.farm[moved], 0.5 * farm[moved], rtol=1e-12)
    np.testing.assert_array_equal(m.hh.farm[~moved], farm[~moved])


# ---- credit --------------------------------------------------------------------------------
def test_credit_interest_is_paid_by_the_government_not_the_borrower():
    base = {"credit.take_up": 0.5, "credit.interest_rate": 0.05}
    paid, unpaid = first_year_pair(4, base, {"credit.interest_subsidy_share": 1.0}, {"credit.interest_subsidy_share": 0.0})
    loan = lever(paid, "credit").loan
    borrowers = loan > 0
    assert borrowers.sum() > 100
    interest = loan * 0.05  # a year of interest on the loans taken in January
    assert paid.ledger.spent(2015, "credit") == pytest.approx(interest.sum(), rel=1e-9)
    assert unpaid.ledger.spent(2015, "credit") == 0
    relief = (paid.last_assessment["pc_true"] - unpaid.last_assessment["pc_true"]) * paid.hh.size
    np.testing.assert_allclose(relief, interest, rtol=1e-9, atol=1e-6)


# ---- industry ------------------------------------------------------------------------------
def test_industry_income_ramps_up_over_the_first_year():
    """A project started in January earns k/12 of its full monthly return in month k: 78/144 of a
    full year's return in its first year, times its village's market factor (sim/village.py)."""
    base = {"industry.take_up": 1.0, "industry.ramp_months": 12, "shocks.disaster_rate": 0.0}
    earning, idle = first_year_pair(6, base, {"industry.return_rate": 0.6}, {"industry.return_rate": 0.0})
    grant = lever(earning, "industry").grant
    assert (grant > 0).sum() > 300
    earned = (earning.last_assessment["pc_true"] - idle.last_assessment["pc_true"]) * earning.hh.size
    market = earning.village_market[earning.hh.village]
    assert market.min() < 0.9 and market.max() > 1.1  # remote and accessible villages both served
    np.testing.assert_allclose(earned, grant * 0.6 * market * 78 / 144, rtol=1e-9, atol=1e-6)


# ---- pension -------------------------------------------------------------------------------
def test_pension_premiums_of_the_poor_are_paid_by_the_lever():
    """What the ledger spends on premiums is exactly what the registered households no longer pay
    (no one joins here: a joiner's premium is paid for a household that never paid it). 低保 is off: its
    means test nets premiums, so it would make good what a covered household pays."""
    on, off = first_year_pair(7, {"pension.enrolment_poor": 0.0, "dibao.enabled": False}, {"pension.enabled": True}, {"pension.enabled": False})
    relief = (on.last_assessment["pc_true"] - off.last_assessment["pc_true"]) * on.hh.size
    spent = on.ledger.spent(2015, "pension")
    assert spent > 0 and off.ledger.spent(2015, "pension") == 0
    assert relief.sum() == pytest.approx(spent, rel=1e-9)
    assert (relief > 0).sum() > 500
    assert (relief[on.hh.category == 0] == 0).all()


@pytest.mark.parametrize("year, monthly", [(2017, 70.0), (2018, 88.0)])
def test_a_retiring_labourer_of_an_enrolled_household_draws_the_basic_pension(year, monthly):
    """Every labourer retires (rate 1, no disability): an enrolled household's transfers rise by 12 times
    the year's national minimum (70 yuan a month, 88 from 2018) per retired labourer; one not enrolled
    gets none."""
    from tuopin.sim import dynamics

    m = model(5, **{"demography.labour_to_elderly_rate": 1.0, "demography.disability_onset_rate": 0.0})
    hh = m.hh
    labour, elderly, transfer = hh.labour.astype(float), hh.elderly.copy(), hh.transfer.copy()
    dynamics.age_and_school(hh, m.p, m.line, np.random.default_rng(0), year=year)
    assert (hh.elderly - elderly == labour).all()  # (school leavers become labourers: they draw nothing)
    assert (labour[hh.pension] > 0).sum() > 100 and (labour[~hh.pension] > 0).sum() > 20
    np.testing.assert_allclose(hh.transfer - transfer, np.where(hh.pension, labour * 12 * monthly, 0.0), rtol=1e-12)


# ---- villages ------------------------------------------------------------------------------
def test_focus_by_hand_batch_is_the_open_villages_nearest_the_standard():
    """Hand check of village_focus: the still-poor of open poor villages get village.focus; of those
    villages, ceil(open / years left to the plan year) with the lowest incidence get batch_focus;
    other households and exited villages 0."""
    m = model(11, **{"village.focus": 1.0, "village.batch_focus": 2.0})
    months(m, 13)  # January of the second year: some households have exited
    pv = np.flatnonzero(m.poor_village)
    m.village_exit_year[pv[0]] = m.year - 1  # one poor village out (whatever the rule said)
    focus = m.village_focus()
    open_ids = pv[m.village_exit_year[pv] < 0]
    assert (m.hh.status[m.poor_village[m.hh.village]] != POOR).any()
    years_left = m.village_plan_year() - m.year + 1
    size = -(-open_ids.size // years_left)
    inc = m.village_incidence()[open_ids]
    batch = set(open_ids[np.argsort(inc, kind="stable")[:size]].tolist())
    expect = np.zeros(m.poor_village.size)
    for v in open_ids:
        expect[v] = 2.0 if v in batch else 1.0
    # the still-poor only (未脱贫户): exited households keep their measures but no place priority
    assert np.array_equal(focus, np.where(m.hh.status == POOR, expect[m.hh.village], 0.0))
    assert (focus[~m.poor_village[m.hh.village]] == 0).all() and (focus > 0).sum() > 0


def test_village_run_measures_take_the_equally_suited_poor_village_households_first():
    """targeting.choose with the model's focus: among equally suited households the batch (2)
    comes first, then the other open poor villages (1), then the rest, in both modes."""
    from tuopin.sim.targeting import choose
    eligible, suits = np.ones(9, bool), np.full(9, 0.5)
    focus = np.array([0.0, 0, 0, 1, 1, 1, 2, 2, 2])
    for by_cause in (True, False):
        assert choose(eligible, 3, suits, np.random.default_rng(3), by_cause, focus)[6:].all()
        assert choose(eligible, 6, suits, np.random.default_rng(3), by_cause, focus)[3:].all()


def test_plan_year_is_the_deadline_or_the_last_year():
    m = model(11)
    assert m.village_plan_year() == (m.spec.campaign.deadline_year or m.spec.last_year)


def test_focus_moves_exits_toward_the_poor_villages():
    """With place counting (focus, batches) a larger share of the poor-village households have exited
    after two years than with place not counting: the levers' places went there."""
    def share_exited_in_poor_villages(**p):
        m = model(11, **p)
        for _ in range(24):
            m.step()
        inpv = m.poor_village[m.hh.village] & (m.hh.category > 0)
        return (m.hh.status[inpv] != POOR).mean()
    on = share_exited_in_poor_villages()
    off = share_exited_in_poor_villages(**{"village.focus": 0.0, "village.batch_focus": 0.0})
    assert on > off


def test_village_growth_factor_by_hand():
    """exp(-sigma z) scaled to mean one over the weights: sigma 0.1, z = -1, 0, 1 and equal weights
    give (1.105171, 1, 0.904837) / 1.003336 = (1.101496, 0.996675, 0.901829); weights (0, 0, 2)
    put the whole mean on the third village (factor 1 there); a household's local wage and farm income are multiplied by its
    village's factor, its migrant wage and transfers are not."""
    from types import SimpleNamespace
    from tuopin.sim.village import grow_by_village, growth_factor
    z = np.array([-1.0, 0.0, 1.0])
    f = growth_factor(z, 0.1, np.ones(3))
    assert np.allclose(f, [1.1014962, 0.9966750, 0.9018288], rtol=1e-6)
    assert np.allclose(growth_factor(z, 0.1, np.array([0.0, 0.0, 2.0])), [1.221403, 1.105171, 1.0], rtol=1e-6)
    hh = SimpleNamespace(village=np.array([2, 0, 1], np.int32), wage_local=np.array([100.0, 200.0, 300.0]),
                         farm=np.array([10.0, 20.0, 30.0]), wage_migrant=np.array([5.0, 5.0, 5.0]),
                         transfer=np.array([7.0, 7.0, 7.0]))
    grow_by_village(hh, f)
    assert np.allclose(hh.wage_local, [90.18288, 220.29924, 299.00249], rtol=1e-6)
    assert np.allclose(hh.farm, [9.018288, 22.029924, 29.900249], rtol=1e-6)
    assert (hh.wage_migrant == 5.0).all() and (hh.transfer == 7.0).all()


def test_remoteness_follows_incidence_among_poor_villages():
    """Correlation 1: the poor villages' remoteness is the normal score of their incidence rank
    (standardised: mean 0, sd 1), highest incidence most remote; other villages keep their draws.
    Correlation 0: the poor villages' draws are left as they are."""
    from tuopin.sim.village import remoteness
    inc = np.array([0.3, 0.1, 0.2, 0.05, 0.0, 0.0])
    poor = np.array([True, True, True, True, False, False])
    z = remoteness(inc, poor, 1.0, np.random.default_rng(1))
    raw = np.random.default_rng(1).standard_normal(6)
    assert list(np.argsort(z[:4])) == [3, 1, 2, 0]
    assert abs(z[:4].mean()) < 1e-12 and abs(z[:4].std() - 1) < 1e-12
    assert np.array_equal(z[4:], raw[4:])
    assert np.array_equal(remoteness(inc, poor, 0.0, np.random.default_rng(1)), raw)
    m = model(11)
    assert m.villages[3].remoteness == m.village_remoteness[3]


def test_average_ranks_are_scipys_rankdata():
    """The village ranks without scipy.stats: ties get their mean rank (by hand), the same floats as
    scipy.stats.rankdata on random data with many ties, all NaN when any value is."""
    from scipy.stats import rankdata

    from tuopin.sim.village import average_ranks
    assert average_ranks(np.array([0.3, 0.1, 0.3, 0.0, 0.1, 0.1])).tolist() == [5.5, 3.0, 5.5, 1.0, 3.0, 3.0]
    rng = np.random.default_rng(3)
    for n, k in ((1, 2), (7, 3), (500, 20), (2000, 10**9)):
        x = rng.integers(0, k, n) / 7.0
        assert np.array_equal(average_ranks(x), rankdata(x))
    assert np.isnan(average_ranks(np.array([0.1, np.nan]))).all()


def test_remote_villages_start_with_less_local_income():
    """The level effect at the start: with level_sigma 0.2 each household's local wage and farm
    income are its level-0 values times its village's exp(-0.2 z), scaled so that the mean over the
    registered people is one (by hand), its migrant wage unchanged; remoteness does not depend on it."""
    flat, level = model(11, **{"village.level_sigma": 0.0}), model(11, **{"village.level_sigma": 0.2})
    z = level.village_remoteness
    assert np.array_equal(z, flat.village_remoteness)
    hh = level.hh
    raw = np.exp(-0.2 * z)[hh.village]
    people = hh.size * (hh.category > 0)
    f = raw * people.sum() / (raw * people).sum()
    np.testing.assert_allclose(hh.wage_local, flat.hh.wage_local * f, rtol=1e-12)
    np.testing.assert_allclose(hh.farm, flat.hh.farm * f, rtol=1e-12)
    assert np.array_equal(hh.wage_migrant, flat.hh.wage_migrant)
    assert f.min() < 0.9 and f.max() > 1.1


def test_remote_poor_villages_keep_their_poor():
    """The village effect on growth: after three years the poor share of the poor villages'
    registered households is higher in the more remote half than in the other half by more with
    growth_sigma 0.1 than with 0 (the same population, remoteness and random streams). Every house is
    safe at the start, so exits turn on income, which is what the village effect moves."""
    def gap(sigma):
        m = model(11, **{"village.growth_sigma": sigma, "population.housing_c_share": 0.0,
                         "population.housing_d_share": 0.0})
        months(m, 36)
        pv = np.flatnonzero(m.poor_village)
        remote = np.zeros(m.poor_village.size, bool)
        remote[pv[m.village_remoteness[pv] > np.median(m.village_remoteness[pv])]] = True
        reg = m.hh.category > 0
        still = m.hh.status == POOR
        return still[reg & remote[m.hh.village]].mean() - still[reg & m.poor_village[m.hh.village] & ~remote[m.hh.village]].mean()
    assert gap(0.1) > gap(0.0) + 0.01


def test_village_exits_by_the_incidence_rule():
    """No village with incidence at or above the limit exits; each exited one was below it at its
    assessment (checked at the first assessment, where nothing changes after the rule)."""
    m = model(11, **{"village.collective_income_min": 0.0})
    for _ in range(12):
        m.step()
    inc = m.village_incidence()
    exited = m.village_exit_year == m.year
    limit = m.p.assessment.village_incidence_west if m.spec.west else m.p.assessment.village_incidence
    assert (inc[exited] < limit).all()
    assert not (m.poor_village & (m.village_exit_year < 0) & (inc < limit)).any()


def test_villages_below_the_collective_income_minimum_do_not_exit():
    """With the incidence rule met everywhere, poor villages exit only if their collective income
    reaches the minimum."""
    base = {"assessment.village_incidence": 1.0}
    free = months(model(9, **base, **{"village.collective_income_min": 0.0}), 12)
    held = months(model(9, **base, **{"village.collective_income_min": 1e7}), 12)
    assert free.annual[0]["villages_exited"] > 0
    assert held.annual[0]["villages_exited"] == 0
    assert all(v.exit_year is None for v in held.villages)


# ---- stable income, 支出型贫困, monitoring (the assessment) ----------------------------------------
def test_exit_is_tested_on_stable_income_not_the_years_shocks():
    """Transitory shocks move the year's income but not the stable income the assessment tests
    (家庭人均稳定收入): the same households, with and without them, have the same stable income."""
    on = {"income.wage_transitory_sigma": 0.3, "income.farm_transitory_sigma": 0.3}
    off = {"income.wage_transitory_sigma": 0.0, "income.farm_transitory_sigma": 0.0}
    a, b = (m.last_assessment for m in first_year_pair(11, {}, on, off))
    assert (~np.isclose(a["pc_income"], b["pc_income"], rtol=1e-6)).mean() > 0.5
    np.testing.assert_allclose(a["pc_true"], b["pc_true"], rtol=1e-9)


def test_expenditure_poor_households_do_not_exit():
    """A household whose out-of-pocket medical cost is over the share of its income and leaves it
    below the line (支出型贫困) does not exit, even with a stable income measured above the line."""
    m = months(model(3), 12)
    a = m.last_assessment
    assert ((a["pc_measured"] >= m.line) & a["spend_poor"] & (m.hh.category > 0)).sum() > 5
    assert not (a["exit_declared"] & a["spend_poor"]).any()


def test_monitoring_raises_relapse_detection_of_the_monitored_from_its_year():
    """防止返贫监测 watches the monitored: from its year a fall among them is found with monitoring_detection;
    the others keep relapse_detection."""
    from tuopin.sim.assessment import detection

    p = model(1, **{"assessment.monitoring_from_year": 2017, "assessment.monitoring_detection": 0.9,
                    "assessment.relapse_detection": 0.2}).p.assessment
    watched = np.array([True, False])
    assert detection(p, 2016, watched) == 0.2 and detection(p, 2016) == 0.2
    assert detection(p, 2017, watched).tolist() == [0.9, 0.2] and detection(p, 2018, watched).tolist() == [0.9, 0.2]


def test_the_registry_review_sets_relapse_detection_in_its_years_only():
    """建档立卡回头看 (review_from_year to review_to_year): review_detection there, relapse_detection in other
    years; -1 is no review; under monitoring the watched get the higher of monitoring_detection and the year's rate."""
    from tuopin.sim.assessment import detection

    p = model(1, **{"assessment.review_detection": 0.3, "assessment.relapse_detection": 0.05,
                    "assessment.review_from_year": 2015, "assessment.review_to_year": 2016,
                    "assessment.monitoring_from_year": 2016, "assessment.monitoring_detection": 0.2}).p.assessment
    assert [detection(p, y) for y in (2014, 2015, 2016, 2017)] == [0.05, 0.3, 0.3, 0.05]
    watched = np.array([True, False])
    assert detection(p, 2016, watched).tolist() == [0.3, 0.3] and detection(p, 2017, watched).tolist() == [0.2, 0.05]
    off = model(1, **{"assessment.review_detection": -1.0, "assessment.relapse_detection": 0.05}).p.assessment
    assert detection(off, 2015) == 0.05


# ---- 兜底 as an entitlement ----------------------------------------------------------------------
def test_doudi_continues_after_exit_while_the_household_qualifies():
    """With every 特惠 measure ending at exit, exited 兜底 households still draw 低保/五保 the next
    January when 兜底 is an entitlement, and none do when it is not."""
    base = {"after_exit.transition_years": 0}
    kept, ended = (months(model(12, **base, **x), 13) for x in ({"dibao.entitlement": True},
                                                                  {"dibao.entitlement": False}))
    for m, expect in ((kept, True), (ended, False)):
        exited = m.hh.status == EXITED
        drawing = (exited & (lever(m, "dibao").monthly > 0)).sum()
        assert (drawing > 20) if expect else (drawing == 0)


def test_dibao_means_test_counts_income_from_other_levers():
    """Next year's top-up falls by what a public-welfare post paid this year (the means test counts
    lever income): the same households, with and without the post wage."""
    base = {"employment.post_rate": 1.0, "motivation.effort_elasticity": 0.0, "motivation.hiding_share": 0.0,
            "dibao.phaseout_months": 0, "dibao.exclusion_error": 0.0}
    paid, unpaid = (months(model(13, **base, **{"employment.post_wage": w}), 1) for w in (1200.0, 0.0))
    post = lever(paid, "employment").post.copy()  # posts held all year from this January
    paid, unpaid = months(paid, 12), months(unpaid, 12)
    post &= lever(paid, "employment").post & lever(unpaid, "employment").post
    a, b = lever(paid, "dibao").monthly, lever(unpaid, "dibao").monthly
    both = post & (a > 0) & (b > 0) & (paid.hh.status == unpaid.hh.status)
    assert both.sum() > 20
    np.testing.assert_allclose(12 * (b - a)[both], 1200.0, rtol=1e-6)


def test_dibao_means_test_nets_the_premiums_the_household_pays():
    """The 低保 means test counts income net of the year's compulsory contributions, as the assessment
    does: with the 新农合 contribution left to the household, this January's top-up is larger by exactly
    the contribution it pays (the same households, with and without the contribution)."""
    base = {"medical.premium_subsidy_share": 0.0, "health.premium_assist_dibao": 0.0, "health.premium_assist_wubao": 0.0,
            "health.premium_step": 0.0, "dibao.exclusion_error": 0.0}
    paying, free = (months(model(15, **base, **{"health.premium_per_person": x}), 1) for x in (120.0, 0.0))
    a, b = lever(paying, "dibao").monthly, lever(free, "dibao").monthly
    both = (a > 0) & (b > 0) & paying.hh.insured & free.hh.insured
    assert both.sum() > 20
    np.testing.assert_allclose(12 * (a - b)[both], 120.0 * paying.hh.size[both], rtol=1e-6)


def test_relapse_is_recorded_on_application_not_on_a_verification_error():
    """返贫 on application (农户申报, 走访排查): an exited household truly back in poverty whose measured
    income confirms it is re-enrolled; one measured below but truly above (a verification error) is not."""
    from dataclasses import replace

    from tuopin.sim import assessment

    m = model(16)
    hh = m.hh
    hh.dropout[:], hh.insured[:], hh.housing[:], hh.pension[:] = 0, True, 0, True
    hh.status[:], hh.exit_year[:] = EXITED, 2015
    truly = np.arange(hh.n) % 2 == 0
    pc_true = np.where(truly, 0.5 * m.line, 2.0 * m.line)
    pc_measured = np.full(hh.n, 0.5 * m.line)
    p = replace(m.p.assessment, relapse_detection=1.0, monitoring_from_year=9999, relapse_on_application=True)
    r = assessment.assess(hh, pc_true, pc_measured, m.line, 2016, p, m.rng, spend_poor=np.zeros(hh.n, bool))
    assert r["relapse"][truly].all() and not r["relapse"][~truly].any()


def test_dibao_phases_out_over_the_given_months():
    """A household topped up last year whose income is now above the line keeps last year's top-up
    for ``phaseout_months`` (低保渐退); with no phase-out it stops at once."""
    base = {"income.wage_growth": 0.5, "income.farm_growth": 0.5}
    phased, cut = (months(model(14, **base, **{"dibao.phaseout_months": k}), 13) for k in (6, 0))
    d = lever(phased, "dibao")
    on = d.phase_left > 0
    assert on.sum() > 10 and (d.phase[on] > 0).all() and (d.phase_left[on] == 5).all()
    assert (lever(cut, "dibao").phase_left == 0).all()


# ---- employment: labour demand, training once, job loss ------------------------------------------
def test_placements_never_exceed_the_years_jobs():
    """With every low-earning household seeking a job, each year's placements are exactly the jobs
    open (per 10,000 registered people at the start), never more."""
    m = model(15, **{"employment.placement_rate": 1.0, "employment.placement_jobs_per_10k": 200.0})
    jobs = round(200.0 * m.hh.size[m.hh.category > 0].sum() / 1e4)  # the registered at the start
    placed = [row["employment_placed"] for row in months(m, 36).annual]
    assert jobs > 100 and placed == [jobs] * 3


def test_training_is_given_once_per_household():
    """In the second January only households never trained are trained: the lever spends the
    training cost on exactly the newly trained (no compounding of the gain)."""
    base = {"employment.training_take_up": 1.0, "employment.training_places_per_10k": 10000.0,
            "employment.placement_rate": 0.0, "employment.post_rate": 0.0, "employment.training_cost": 1000.0}
    m = months(model(16, **base), 12)
    before = lever(m, "employment").trained.copy()
    assert before.sum() > 500
    months(m, 1)
    after = lever(m, "employment").trained
    assert (after >= before).all()
    assert m.ledger.spent(2016, "employment") == pytest.approx(1000.0 * (after & ~before).sum())


def test_training_raises_the_trained_labourers_wage_by_the_gain():
    """In the first January the trained household's local wage rises by the gain on its wage per
    labourer, in full where lack of skills is the cause and by 0.4 + 0.6 × the cause score elsewhere
    (hand calculation on the household table before the January rules)."""
    base = {"employment.training_take_up": 1.0, "employment.training_places_per_10k": 10000.0,
            "employment.placement_rate": 0.0, "employment.post_rate": 0.0, "employment.training_wage_gain": 0.2,
            "employment.training_gain_unsuited": 0.4}
    m = model(17, **base)
    hh = m.hh
    wl, per_worker = hh.wage_local.copy(), (hh.wage_local + hh.wage_migrant) / np.maximum(hh.labour, 1)
    months(m, 1)
    trained = lever(m, "employment").trained
    assert trained.sum() > 500
    score = {"lack_skills": 1.0, "lack_funds": 0.5, "disaster": 0.5, "other": 0.5, "schooling": 0.25, "illness": 0.25}
    share = np.array([0.4 + 0.6 * score.get(c, 0.0) for c in CAUSE_CODES])[hh.cause]
    np.testing.assert_allclose(hh.wage_local[trained], (wl + 0.2 * share * per_worker)[trained], rtol=1e-12)


def test_a_lost_job_takes_its_gain_away():
    """With every placed job ending the next January, the household's wages fall back by the gain."""
    base = {"employment.placement_rate": 1.0, "employment.training_take_up": 0.0, "employment.separation_rate": 1.0,
            "income.wage_growth": 0.0, "income.wage_sigma": 0.0, "village.growth_sigma": 0.0, "demography.labour_to_elderly_rate": 0.0,
            "demography.disability_onset_rate": 0.0}
    m = months(model(18, **base), 1)
    e = lever(m, "employment")
    placed, gain, labour = e.placed.copy(), e.gain.copy(), m.hh.labour.copy()
    wages = m.hh.wage_local + m.hh.wage_migrant
    assert placed.sum() > 50 and (gain[placed] > 0).all()
    months(m, 12)
    # every job ended; those not placed again, with the same labourers (no school leaver joined), are back
    back = placed & ~e.placed & (m.hh.labour == labour)
    assert back.sum() > 0.5 * placed.sum()
    np.testing.assert_allclose((m.hh.wage_local + m.hh.wage_migrant)[back], (wages - gain)[back], rtol=1e-9)


# ---- credit: the county volumes ----------------------------------------------------------------
def test_credit_lends_the_county_volume_when_demand_exceeds_it():
    """Two counties at 50万 in 2015 and +50 % in 2016: 20 loans of 5万, then 30 (demand is larger)."""
    m = months(model(19, **{"credit.take_up": 0.5, "credit.counties": 2, "credit.county_volume": 500000.0,
                            "credit.volume_growth_1": 0.5}), 24)
    assert [row["credit_loans_issued"] for row in m.annual] == [20, 30]
    assert [row["credit_issued_yuan"] for row in m.annual] == [1_000_000.0, 1_500_000.0]


# ---- medical: the 新农合 contribution --------------------------------------------------------
def test_unsubsidised_poor_pay_the_contribution_themselves():
    """Without the subsidy every eligible insured household pays its contribution (120 yuan a member
    in 2015, less the 医疗救助 share: all for 五保, a quarter here for 低保), and the lever spends exactly
    that less; no outcome can be better for it. 低保 is off (its means test nets premiums)."""
    base = {"health.premium_assist_wubao": 1.0, "health.premium_assist_dibao": 0.25, "dibao.enabled": False}
    on, off = first_year_pair(20, base, {"medical.premium_subsidy_share": 1.0}, {"medical.premium_subsidy_share": 0.0})
    cost = (on.last_assessment["pc_true"] - off.last_assessment["pc_true"]) * on.hh.size
    hh, start = on.hh, model(20)  # categories as in January, before 低保 reclassifies the households it tops up
    category = start.hh.category
    own = np.select([category == CATEGORY_CODES["wubao"],
                     np.isin(category, [CATEGORY_CODES["dibao"], CATEGORY_CODES["fupin_dibao"]])], [0.0, 0.75], 1.0)
    insured = hh.insured & registered_at_start(start)
    np.testing.assert_allclose(cost, np.where(insured, 120.0 * hh.size * own, 0.0), rtol=1e-9, atol=1e-6)
    assert (insured & (own == 0.75)).sum() > 300 and (insured & (own == 1.0)).sum() > 1000
    assert on.ledger.spent(2015, "medical") - off.ledger.spent(2015, "medical") == pytest.approx(cost.sum())
    assert off.annual[0]["truly_poor"] >= on.annual[0]["truly_poor"]


def test_every_insured_household_pays_the_contribution():
    """Without the medical lever and without 医疗救助 paying any of it, every insured household's net
    income is lower by 120 yuan a member (the 2015 contribution), the uninsured's not at all. 低保 is off
    (its means test nets premiums, so it would make good what a covered household pays)."""
    base = {"medical.enabled": False, "health.premium_assist_wubao": 0.0, "health.premium_assist_dibao": 0.0,
            "dibao.enabled": False}
    paying, free = first_year_pair(21, base, {"health.premium_per_person": 120.0}, {"health.premium_per_person": 0.0})
    cost = (free.last_assessment["pc_true"] - paying.last_assessment["pc_true"]) * paying.hh.size
    insured = paying.hh.insured
    assert 0.9 < insured.mean() < 1.0
    np.testing.assert_allclose(cost, np.where(insured, 120.0 * paying.hh.size, 0.0), rtol=1e-9, atol=1e-6)
