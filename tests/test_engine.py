"""The engine's shortcuts give what the plain rules give: the month's market income kept row by row,
the village index, a disaster's households, the kept population."""

from types import SimpleNamespace

import numpy as np
import pytest
from conftest import JINGZHOU
from tuopin import PovertyModel, load_scenario
from tuopin.sim import dynamics, population
from tuopin.sim.population import synthesize


def test_kept_market_income_is_the_full_rule_every_month(monkeypatch):
    """``ys.rate`` is recomputed only on rows whose shocks changed; it must equal the rule on every
    row, every month, with every lever on. This fails if a lever starts changing wages, farm income
    or effort in a month other than January without telling ``accrue_income``. Only migrants are ever
    out of migrant work. The chronic outpatient cost worked out when read (``chronic_cost``) is a
    month's worth for every chronically ill member added each month, to the last bit, and members
    fall chronically ill only in January (which it rests on)."""
    checked = []
    accrue = dynamics.accrue_income
    monthly_chronic = {}

    def checking(hh, ys):
        assert np.count_nonzero(ys.jobless_months) == np.count_nonzero(ys.jobless_months[ys.migrants])
        expected = dynamics.market_income(hh, ys, slice(None)) + ys.regular  # the rule on every row
        income = ys.income.copy()
        total = accrue(hh, ys)
        monthly = ys.rate + ys.regular  # the month's income, as added
        np.testing.assert_array_equal(ys.income, income + monthly)
        assert total == pytest.approx(monthly.sum(), rel=1e-12)
        np.testing.assert_array_equal(monthly, expected, err_msg="a lever changed wages, farm income or effort "
                                      "after January: ys.rate is stale (see dynamics.accrue_income)")
        if m.month == 1:
            monthly_chronic.update(chronic=hh.chronic.copy(), cost=np.zeros(hh.n))
        np.testing.assert_array_equal(hh.chronic, monthly_chronic["chronic"])
        monthly_chronic["cost"] += hh.chronic * (m.p.health.chronic_cost_per_person / 12)
        np.testing.assert_array_equal(dynamics.chronic_cost(hh, m.p, m.month), monthly_chronic["cost"])
        checked.append(hh.n)
        return total

    monkeypatch.setattr(dynamics, "accrue_income", checking)
    m = PovertyModel(scenario=load_scenario(JINGZHOU), rng=3)
    for _ in range(26):
        m.step()
    assert len(checked) == 26


def test_chronic_cost_by_hand():
    """Two chronically ill members at 1,000 yuan a year: 1000/12 a month each. After 6 months the sum of
    the months, six additions of 166.66…, which is 999.9999999999999 and not 6 × 166.66… = 1000.0 to
    the last bit (what adding each month gave); none for a household without one."""
    hh = SimpleNamespace(chronic=np.array([2, 0], np.int16), n=2)
    p = SimpleNamespace(health=SimpleNamespace(chronic_cost_per_person=1000.0))
    a = 2 * (1000.0 / 12)
    np.testing.assert_array_equal(dynamics.chronic_cost(hh, p, 6), [((((a + a) + a) + a) + a) + a, 0.0])
    assert dynamics.chronic_cost(hh, p, 6)[0] == 999.9999999999999 != 6 * a
    np.testing.assert_array_equal(dynamics.chronic_cost(hh, p, 0), [0.0, 0.0])


def test_households_in_villages_match_a_scan():
    rng = np.random.default_rng(0)
    hh = synthesize(load_scenario(JINGZHOU).spec, load_scenario(JINGZHOU).params, rng)[0]
    assert hh.villages() == hh.village.max() + 1
    for hit in (np.array([0]), np.array([3, 17, 250]), rng.choice(hh.villages(), 40, replace=False), np.array([], int)):
        np.testing.assert_array_equal(hh.in_villages(hit), np.flatnonzero(np.isin(hh.village, hit)))


def test_kept_population_is_a_fresh_copy_and_the_same():
    s = load_scenario(JINGZHOU)
    population._cache.clear()
    r1, r2 = np.random.default_rng(11), np.random.default_rng(11)
    a = synthesize(s.spec, s.params, r1)[0]
    a.labour[:] = 0  # a run changes its households; the kept population must not see it
    b = synthesize(s.spec, s.params, r2)[0]
    assert r1.bit_generator.state == r2.bit_generator.state  # the generator left as a build leaves it
    population._cache.clear()
    c = synthesize(s.spec, s.params, np.random.default_rng(11))[0]
    assert b.labour.sum() > 0
    for f in ("labour", "wage_local", "village", "category", "size"):
        np.testing.assert_array_equal(getattr(b, f), getattr(c, f))
    other = synthesize(s.spec, s.params, np.random.default_rng(12))[0]
    assert not np.array_equal(other.wage_local, c.wage_local)


def test_disaster_strike_is_the_rule_over_the_villages_households():
    """kernels.strike (a month's disaster) gives the plain rule over hh.in_villages: the same losses and rows marked."""
    from tuopin.sim import kernels
    rng = np.random.default_rng(1)
    hh = synthesize(load_scenario(JINGZHOU).spec, load_scenario(JINGZHOU).params, rng)[0]
    n_v = hh.villages()
    hit = rng.random(n_v) < 0.05
    sev = np.where(hit, rng.beta(2, 5, n_v), 0.0)
    loss = rng.random(hh.n) * (rng.random(hh.n) < 0.2)
    villages = np.flatnonzero(hit)
    in_hit = hh.in_villages(villages).astype(np.intp)
    u = rng.uniform(0.5, 1.5, in_hit.size)
    expected, marked = loss.copy(), np.zeros(hh.n, np.uint8)
    expected[in_hit] = np.maximum(expected[in_hit], np.clip(sev[hh.village[in_hit]] * u, 0, 1))
    marked[in_hit] = 1
    dirty = np.zeros(hh.n, np.uint8)
    order, start = hh.village_index()
    kernels.strike(order, start, villages, hh.village, sev, u, loss, dirty)
    np.testing.assert_array_equal(loss, expected)
    np.testing.assert_array_equal(dirty, marked)
