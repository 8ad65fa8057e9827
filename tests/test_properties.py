"""Property tests (hypothesis) on the invariants: people conserved, states exclusive, cost-sharing
shares add up and the cap holds, monotone responses where the policy text implies them."""

from dataclasses import replace

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import SMALL
from tuopin import PovertyModel, load_scenario
from tuopin.sim.cost_sharing import cost_sharing
from tuopin.sim.population import EXITED, NONPOOR, POOR
from test_cost_sharing import P

LOADED = load_scenario(SMALL)
costs = st.lists(st.floats(0, 500_000, allow_nan=False), min_size=1, max_size=40)


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 2**32), wage_growth=st.floats(-0.1, 0.3), detection=st.floats(0, 1),
       identification=st.floats(0, 1), take_up=st.floats(0, 1), transition=st.integers(0, 5),
       pressure=st.booleans())
def test_people_conserved_and_states_exclusive(seed, wage_growth, detection, identification, take_up, transition, pressure):
    m = PovertyModel(scenario=LOADED, rng=seed, **{
        "income.wage_growth": wage_growth, "assessment.relapse_detection": detection,
        "assessment.new_poor_identification": identification, "industry.take_up": take_up,
        "after_exit.transition_years": transition, "pressure.enabled": pressure})
    total = int(m.hh.size.sum())
    while m.running:
        m.step()
        assert set(np.unique(m.hh.status)) <= {NONPOOR, POOR, EXITED}
        assert m.hh.people_by_status().sum() == total
    for row in m.annual:
        assert row["exits_true"] <= row["exits_declared"]
        assert row["exits_true"] + row["exits_paper"] == row["exits_declared"]


@settings(max_examples=80, deadline=None)
@given(inp=costs, data=st.data(), oop_cap=st.floats(0, 20_000), rate=st.floats(0, 1), includes=st.booleans(),
       to_hospital=st.booleans())
def test_cost_sharing_adds_up_and_the_cap_holds(inp, data, oop_cap, rate, includes, to_hospital):
    n = len(inp)
    chronic = np.array(data.draw(st.lists(st.floats(0, 100_000), min_size=n, max_size=n)))
    nc = np.array(data.draw(st.lists(st.floats(0, 50_000), min_size=n, max_size=n)))
    poor = np.array(data.draw(st.lists(st.booleans(), min_size=n, max_size=n)))
    insured = np.array(data.draw(st.lists(st.booleans(), min_size=n, max_size=n)))
    p = replace(P, oop_cap_enabled=True, oop_cap=oop_cap, basic_rate=rate, dabing_includes_chronic=includes,
                poor_noncompliant_to_hospital=to_hospital)
    inp = np.array(inp)
    s = cost_sharing(inp, chronic, nc, poor=poor, insured=insured, p=p)
    total = inp + chronic + nc
    np.testing.assert_allclose(sum(s), total, rtol=1e-9, atol=1e-6)
    assert all((v >= -1e-6).all() for v in s)
    compliant_oop = s.oop - np.where(poor & to_hospital, 0.0, nc)
    assert (compliant_oop[poor] <= oop_cap + 1e-6).all()
    # a lower cap never makes the poor pay more
    lower = cost_sharing(inp, chronic, nc, poor=poor, insured=insured, p=replace(p, oop_cap=oop_cap / 2))
    assert (lower.oop <= s.oop + 1e-6).all()
    # more generous insurance never makes anyone pay more
    richer = cost_sharing(inp, chronic, nc, poor=poor, insured=insured, p=replace(p, basic_rate=min(1.0, rate + 0.1)))
    assert (richer.oop <= s.oop + 1e-6).all()


@settings(max_examples=8, deadline=None)
@given(seed=st.integers(0, 2**32), low=st.floats(0.5, 1.0), step=st.floats(0.05, 0.5))
def test_a_higher_dibao_line_never_spends_less_or_leaves_more_poor(seed, low, step):
    def first_year(ratio):
        m = PovertyModel(scenario=LOADED, rng=seed, **{"dibao.line_ratio": ratio})
        while m.t < 12:
            m.step()
        return m

    a, b = first_year(low), first_year(low + step)
    assert b.ledger.spent(2015, "dibao") >= a.ledger.spent(2015, "dibao")
    assert not (b.last_assessment["truly_poor"] & ~a.last_assessment["truly_poor"]).any()
