"""The campaign's inputs by year (sim/campaign.py, inputs/campaign.py): funding intensity, 兜底
expansion, 防止返贫监测 and the deadline, each against a hand calculation."""

from pathlib import Path

import numpy as np
import pytest

from tuopin.inputs.campaign import Campaign
from tuopin.parameters import resolve
from tuopin.parameters.typed import typed
from tuopin.sim.campaign import Funding, intensity, monitored
from tuopin.sim.population import EXITED, NONPOOR, POOR

ROOT = Path(__file__).resolve().parents[1]
SMALL = ROOT / "tests" / "data" / "small.toml"


def _p(**over):
    return typed(resolve({f"campaign.{k}": v for k, v in over.items()})[0]).campaign


def test_intensity_by_hand():
    # national 2014: 432.87亿 for 2948万 poor households; a year with 660.95亿 for 1500万:
    # (660.95 / 1500) / (432.87 / 2948) = 0.440633 / 0.146835 = 3.00088; ^0.5 = 1.73231
    assert intensity(660.95e8, 1500e4, 432.87e8, 2948e4, 0.5, 3.0) == pytest.approx(1.73231, abs=1e-4)
    assert intensity(660.95e8, 1500e4, 432.87e8, 2948e4, 1.0, 3.0) == 3.0  # 3.00088 capped at 3
    assert intensity(660.95e8, 1500e4, 432.87e8, 2948e4, 1.0, 5.0) == pytest.approx(3.00088, abs=1e-4)
    # half the money for the same households: 0.5 ^ 0.5 = 0.7071 (less money, less take-up)
    assert intensity(1e8, 100, 2e8, 100, 0.5, 3.0) == pytest.approx(0.70711, abs=1e-5)
    assert intensity(0.0, 100, 2e8, 100, 0.5, 3.0) == 1.0  # no money stated: the catalog take-up


def test_funding_years_reference_and_gaps():
    f = Funding(Campaign(funds={2016: 1e8, 2017: 1e8, 2018: 1e8}), _p(funding_elasticity=1.0, intensity_cap=10.0))
    assert f.year(2015, 1000) == 1.0      # no funds stated
    assert f.year(2016, 1000) == 1.0      # the reference year (the first with funds)
    assert f.year(2017, 500) == pytest.approx(2.0)   # the same money for half the households
    assert f.year(2018, 250) == pytest.approx(4.0)
    late = Funding(Campaign(funds={2015: 1e8, 2016: 2e8}, reference_year=2016), _p(funding_elasticity=1.0))
    assert late.year(2015, 1000) == 1.0   # before the reference year
    assert late.year(2016, 1000) == 1.0


def test_monitoring_takes_the_closest_to_falling_first_up_to_capacity():
    status = np.array([EXITED, EXITED, NONPOOR, POOR, EXITED, EXITED])
    pc = np.array([3000.0, 5000.0, 4000.0, 1000.0, 9000.0, 8000.0])
    spend = np.array([False, False, False, False, False, True])
    size = np.array([2, 3, 4, 1, 2, 5])
    p = _p(monitoring_line=1.5)
    # line 4000: the monitoring line is 6000; at risk: 0 (3000), 1 (5000), 2 (4000), 5 (expenditure-poor);
    # not 3 (registered poor) nor 4 (9000). Order: 5 (spend first), 0, 2, 1; people 5, 2, 4, 3
    assert monitored(status, pc, spend, size, 4000.0, p, 100).tolist() == [True, True, True, False, False, True]
    assert monitored(status, pc, spend, size, 4000.0, p, 11).tolist() == [True, False, True, False, False, True]  # 5+2+4
    assert monitored(status, pc, spend, size, 4000.0, p, 10).tolist() == [True, False, False, False, False, True]
    assert not monitored(status, pc, spend, size, 4000.0, p, 0).any()


def test_schema_refuses_years_outside_the_scenario():
    from tuopin.inputs.problems import ScenarioError
    from tuopin.inputs.scenario import load_scenario

    with pytest.raises(ScenarioError, match=r"campaign\.funds\.2030"):
        load_scenario(SMALL, {"campaign": {"funds": {2030: 1e8}}})
    with pytest.raises(ScenarioError, match="reference_year"):
        load_scenario(SMALL, {"campaign": {"funds": {2016: 1e8}, "reference_year": 2015}})
    with pytest.raises(ScenarioError, match="migrant_earnings"):  # a count without its earnings
        load_scenario(SMALL, {"campaign": {"migrant_workers": {2015: 1e4}}})
    with pytest.raises(ScenarioError, match=r"transfer_income\.2016"):
        load_scenario(SMALL, {"campaign": {"transfer_income": {2016: 0.0}}})


def test_shards_split_the_migrant_labourers_as_the_registry():
    """Each province gets the national count of registered labourers in wage work away in proportion to its
    weight, like the funds; the earnings a labourer are the same everywhere."""
    from tuopin.inputs.scenario import load_scenario
    from tuopin.runs.shards import shard_scenarios

    loaded = load_scenario(ROOT / "scenarios" / "national_2014_2020.toml")
    parts = shard_scenarios(loaded)
    w = np.array([sh.weight for sh in loaded.spec.shards.values()], float)
    got = np.array([p.spec.campaign.migrant_workers[2019] for p in parts])
    assert got.sum() == pytest.approx(27290000.0)
    assert got == pytest.approx(27290000.0 * w / w.sum())
    assert {p.spec.campaign.migrant_earnings[2019] for p in parts} == {26544.0}


def _model(**over):
    from tuopin import PovertyModel

    return PovertyModel(scenario=SMALL, rng=1, **over)


def test_the_model_sets_intensity_from_funds_and_reports_it():
    m = _model()
    seen = {}
    while m.running:
        m.step()
        if m.month == 1:
            poor = float((m.hh.status == POOR).sum()) * m.weight
            seen[m.year] = (m.ctx.intensity, poor)
    # small.toml extends Jingzhou: 1亿 a year 2016-2018 (split by nothing: one region), reference 2016
    assert seen[2015][0] == 1.0 and seen[2016][0] == 1.0
    e, cap = m.p.campaign.funding_elasticity, m.p.campaign.intensity_cap
    for y in (2017, 2018):
        assert seen[y][0] == pytest.approx(min(cap, (seen[2016][1] / seen[y][1]) ** e))
    rows = {r["year"]: r for r in m.annual}
    assert rows[2017]["intensity"] == pytest.approx(seen[2017][0]) and rows[2017]["funds_yuan"] == 1e8


def test_dibao_standard_by_year_and_topup_by_hand():
    m = _model()
    dibao = next(p for p in m.policies if p.lever == "dibao")
    m.ctx.line, m.ctx.year = 4000.0, 2020
    m.ctx.dibao_line = 5962.0
    assert dibao.line() == 5962.0
    m.ctx.dibao_line = 3000.0  # below the line: aligned raises it to the line, unaligned keeps it
    aligned = dibao.p.aligned or m.ctx.year >= dibao.p.aligned_from_year
    assert dibao.line() == (4000.0 if aligned else 3000.0)
    # a 3-person household with 10,000 yuan of means under a 5962-yuan standard: 3 x 5962 - 10000 = 7886 a year
    assert max(3 * 5962.0 - 10000.0, 0) / 12 == pytest.approx(657.1667, abs=1e-3)


def test_doudi_covers_partly_labour_incapable_households_from_2018():
    from tuopin.sim.population import CATEGORY_CODES

    m = _model()
    hh, dibao = m.hh, next(p for p in m.policies if p.lever == "dibao")
    i = np.flatnonzero((hh.category == CATEGORY_CODES["fupin"]) & (hh.labour > 0))[:3]
    hh.status[i], hh.labour[i], hh.chronic[i] = POOR, 1, 1  # one working-age member, chronically ill
    hh.elderly[i], hh.disabled[i] = 0, 0
    m._eligible = None
    m.ctx.eligible = m.benefit_eligible()
    m.ctx.year = 2017
    assert not dibao.eligible()[i].any()
    m.ctx.year = m.p.campaign.doudi_partial_labour_from_year
    assert dibao.eligible()[i].all()
    hh.chronic[i] = 0  # an able labourer: not 兜底 by this rule
    assert not dibao.eligible()[i].any()
    hh.chronic[i], hh.elderly[i] = 1, 1  # the one chronically ill member is the elderly one: the labourer is able
    assert not dibao.eligible()[i].any()
    hh.chronic[i] = 2  # the elderly member and the labourer both ill
    assert dibao.eligible()[i].all()
    hh.status[i] = EXITED  # the 2018 opinion covers those not yet out (未脱贫): exited households are not added by it
    assert not dibao.partly_lost_labour()[i].any()


def test_deadline_declares_every_registered_poor_household_and_keeps_paper_exits_apart():
    from tuopin.sim.assessment import assess
    from tuopin.sim.population import HOUSING_SAFE

    m = _model()
    hh, p = m.hh, m.p.assessment
    hh.dropout[:], hh.insured[:], hh.housing[:] = 0, True, HOUSING_SAFE
    poor = hh.status == POOR
    line = 4000.0
    pc = np.where(np.arange(hh.n) % 2 == 0, 5000.0, 3000.0)  # half above the line, half below
    before = hh.status.copy()
    r = assess(hh, pc, pc, line, 2020, p, np.random.default_rng(0), spend_poor=np.zeros(hh.n, bool), deadline=True)
    assert (hh.status[poor] == EXITED).all() and r["exit_declared"][poor].all()
    assert (r["exit_paper"] ^ r["exit_true"] == r["exit_declared"]).all()  # each declared exit is one or the other
    assert r["exit_paper"][poor & (pc < line)].all()  # below the line: declared, a paper exit
    assert not r["exit_true"][pc < line].any()
    assert (hh.status[r["relapse"]] == EXITED).all()  # relapsed this year and declared out with the rest


def test_the_deadline_registers_no_new_poor():
    """The deadline year's assessment closes the registry: non-registered households under the line, all of whom
    would be identified (new_poor_identification 1), are not registered; the year before they are."""
    from dataclasses import replace as dc_replace

    from tuopin.sim.assessment import assess

    for deadline, expect in ((True, 0), (False, 5)):
        m = _model()
        hh, p = m.hh, dc_replace(m.p.assessment, new_poor_identification=1.0)
        hh.status[:] = EXITED
        hh.status[:5] = NONPOOR
        pc = np.full(hh.n, 9000.0)
        pc[:5] = 1000.0
        r = assess(hh, pc, pc, 4000.0, 2020, p, np.random.default_rng(0), spend_poor=np.zeros(hh.n, bool),
                   deadline=deadline)
        assert int(r["new_poor"].sum()) == expect and int((hh.status == POOR).sum()) == expect


def test_monitored_households_are_supported_and_those_without_labour_get_doudi():
    m = _model(**{"assessment.monitoring_from_year": 2016})
    while m.year < 2016 or m.month < m.spec.assessment_month:
        m.step()
    mon = m.monitored
    assert mon.any() and not m.monitored[m.hh.status == POOR].any()
    assert m.benefit_eligible()[mon].all()  # 开发式帮扶: every lever may serve them
    # a monitored near-poor household (not registered) without labour is 兜底-eligible; one not monitored is not
    dibao = next(p for p in m.policies if p.lever == "dibao")
    hh = m.hh
    near = np.flatnonzero((hh.category == 0) & (hh.status == NONPOOR))[:4]
    hh.labour[near] = 0
    m.monitored[near[:2]], m.monitored[near[2:]] = True, False
    m._eligible = None
    m.ctx.eligible, m.ctx.monitored = m.benefit_eligible(), m.monitored
    assert dibao.eligible()[near].tolist() == [True, True, False, False]


def test_migration_fills_the_published_count_by_hand():
    """转移就业 at the published scale (Employment.migrate): four registered households, W = 10,000 a labourer.
    Wages 0 + 3,000 + 10,000 + 0 stand for 1.3 labourers. The first count, 2.6, is the stock already away: the
    model's wages stand for 1.3 / 2.6 = 0.5 of each published labourer, and no one moves. The next, 6.6, asks
    round(0.5 x 6.6 - 1.3) = 2 more. Free labourers (labour > floor(wage / W)): household 0 (2 > 0) and 1 (1 > 0);
    not 2 (1 > 1 is false) nor 3 (no labour). Each goes at 10,000 and leaves its local share: 0 / 2 = 0 and
    3,000 / 1. Then 3.0 held against 3.3: none more."""
    from tuopin import PovertyModel
    m = PovertyModel(scenario=SMALL, rng=4)
    m.step()  # January
    emp, hh = next(p for p in m.policies if p.lever == "employment"), m.hh
    hh.category[:] = 0
    hh.category[:4] = 4
    hh.labour[:4] = [2, 1, 1, 0]
    hh.wage_local[:4], hh.wage_migrant[:4] = [0.0, 3000.0, 0.0, 0.0], [0.0, 0.0, 10000.0, 0.0]
    emp.ctx.migrant_workers, emp.ctx.migrant_earnings = 2.6 * emp.ctx.weight, 10000.0
    spent = m.ledger.spent(m.year, "employment")
    assert emp.migrate(np.ones(hh.n)) == 0 and emp.stock == pytest.approx(0.5)
    assert hh.wage_migrant[:4].tolist() == [0.0, 0.0, 10000.0, 0.0] and m.ledger.spent(m.year, "employment") == spent
    emp.ctx.migrant_workers = 6.6 * emp.ctx.weight
    assert emp.migrate(np.ones(hh.n)) == 2
    assert hh.wage_local[:4].tolist() == [0.0, 0.0, 0.0, 0.0]
    assert hh.wage_migrant[:4].tolist() == [10000.0, 10000.0, 10000.0, 0.0]
    assert m.ledger.spent(m.year, "employment") - spent == pytest.approx(2 * emp.p.placement_cost)
    assert emp.migrate(np.ones(hh.n)) == 0
    emp.ctx.migrant_workers = 0.0  # no published count this year: nothing moves
    assert emp.migrate(np.ones(hh.n)) == 0


def test_transfers_grow_with_the_scenarios_transfer_income():
    """Base transfers grow by the ratio of the scenario's transfer income to the year before (2,021 / 1,722 =
    1.17364 from 2015 to 2016), those of 兜底 (低保, 五保) households with the line (1.03 here), and all with the
    line where a year is missing."""
    from tuopin.sim.dynamics import grow_incomes
    from tuopin import PovertyModel, load_scenario
    m = PovertyModel(scenario=load_scenario(SMALL, {"campaign": {"transfer_income": {2015: 1722.0, 2016: 2021.0}}}), rng=4)
    assert m.transfer_ratio() is None  # 2015: no 2014 figure
    m.year = 2016
    assert m.transfer_ratio() == pytest.approx(2021 / 1722)
    from tuopin.sim.population import CATEGORY_CODES
    before, cat = m.hh.transfer.copy(), m.hh.category
    doudi = np.isin(cat, [CATEGORY_CODES[c] for c in ("dibao", "fupin_dibao", "wubao")])
    assert doudi.any() and (~doudi).any()
    grow_incomes(m.hh, m.p, 1.03, np.random.default_rng(0), 2021 / 1722)
    step = np.where(doudi, 1.03, 1.173635)
    assert np.allclose(m.hh.transfer, before * step, rtol=1e-6)
    grow_incomes(m.hh, m.p, 1.03, np.random.default_rng(0))
    assert np.allclose(m.hh.transfer, before * step * 1.03, rtol=1e-6)


def test_a_backtest_knows_observed_series_only_up_to_its_cutoff():
    """Transfer income 1,533 / 1,722 / 2,021 (2014-2016) grows (2,021 / 1,533) ^ (1 / 2) = 1.148186 a year on from 2016:
    2017 = 2,320.5, 2019 = 2,021 x 1.148186 ^ 3 = 3,059.2; the migrant count known in 2016 only stays flat; with no
    year known (cut-off 2015) it is gone; plans (funds) stay as given."""
    c = Campaign(funds={2019: 5.0}, transfer_income={2014: 1533.0, 2015: 1722.0, 2016: 2021.0, 2017: 2325.0, 2019: 3163.0},
                 migrant_workers={2016: 1527.0, 2019: 2729.0}, migrant_earnings={2016: 12451.0, 2019: 26544.0})
    k = c.known_until(2016)
    assert k.transfer_income[2016] == 2021.0 and k.transfer_income[2017] == pytest.approx(2320.5, abs=0.1)
    assert k.transfer_income[2019] == pytest.approx(3059.2, abs=0.1)
    assert k.migrant_workers == {2016: 1527.0, 2019: 1527.0} and k.migrant_earnings[2019] == 12451.0
    assert c.known_until(2015).migrant_workers == {} and c.known_until(2015).funds == {2019: 5.0}


def test_a_net_quota_owes_the_years_relapses_and_new_poor_too():
    """Three registered poor households (sizes 2, 3, 4) all below the line, one exited that falls back (size 5,
    found: relapse_detection 1) and one non-registered below the line (size 1, identified: new_poor_identification 1).
    A quota of 3 people: gross, the exits owed are 3, filled from the closest to the line (measured 2,900: 4 people,
    first past 3); net, 3 + 5 relapsed + 1 new = 9 people owed: 4 + 3 (2,800) + 2 (2,700) = 9, all three out."""
    from dataclasses import replace as dc_replace

    from tuopin.sim.assessment import assess
    from tuopin.sim.population import HOUSING_SAFE

    def run(net: bool):
        m = _model()
        hh = m.hh
        p = dc_replace(m.p.assessment, relapse_detection=1.0, new_poor_identification=1.0, relapse_on_application=False)
        hh.dropout[:], hh.insured[:], hh.housing[:] = 0, True, HOUSING_SAFE
        hh.status[:] = NONPOOR
        pc = np.full(hh.n, 9000.0)
        hh.status[:3], hh.size[:3], pc[:3] = POOR, [2, 3, 4], [2700.0, 2800.0, 2900.0]
        hh.status[3], hh.size[3], pc[3] = EXITED, 5, 1000.0
        hh.size[4], pc[4] = 1, 1000.0
        r = assess(hh, pc, pc, 3000.0, 2017, p, np.random.default_rng(0), quota=3, spend_poor=np.zeros(hh.n, bool),
                   quota_net=net)
        return r, hh

    r, hh = run(False)
    assert r["exit_declared"][:3].tolist() == [False, False, True] and r["relapse"][3] and r["new_poor"][4]
    r, hh = run(True)
    assert r["exit_declared"][:3].all() and r["exit_paper"][:3].all()
    assert int(hh.size[r["exit_declared"]].sum()) - 5 - 1 == 3  # the fall in the registered poor meets the quota


def test_a_forecast_draws_the_observed_series_growth_from_its_spread_before_the_cutoff():
    """Transfer income 1,533 / 1,722 / 2,021: yearly log-growths 0.116260 and 0.160106, mean log(2021 / 1533) / 2 =
    0.1381829, sample sd 0.0310040, widened by sqrt(1 + 1/2) for the mean's own uncertainty: 0.0379719. Each later year
    draws its growth: with the same generator the path is 2,021 x exp(g1), x exp(g2)... Over many paths the log-growth
    of 2017 has that mean and spread. The migrant count known in one year has no spread and stays flat."""
    c = Campaign(transfer_income={2014: 1533.0, 2015: 1722.0, 2016: 2021.0, 2017: 2325.0, 2019: 3163.0},
                 migrant_workers={2016: 1527.0, 2019: 2729.0}, migrant_earnings={2016: 12451.0, 2019: 26544.0})
    k = c.known_until(2016, np.random.default_rng(5))
    g = np.random.default_rng(5).normal(0.1381829, 0.0379719, 2)
    assert k.transfer_income[2017] == pytest.approx(2021 * np.exp(g[0]), rel=1e-4)
    assert k.transfer_income[2019] == pytest.approx(2021 * np.exp(g[0] + 2 * g[1]), rel=1e-4)  # 2018 not given: 2 years
    assert k.migrant_workers == {2016: 1527.0, 2019: 1527.0}
    rng = np.random.default_rng(1)
    logs = np.log([c.known_until(2016, rng).transfer_income[2017] / 2021 for _ in range(4000)])
    assert logs.mean() == pytest.approx(0.1381829, abs=0.003) and logs.std() == pytest.approx(0.0379719, rel=0.05)
