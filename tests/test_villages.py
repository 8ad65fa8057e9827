"""Poor villages: the allocation weight of their households, the exit batches and the exit rule."""

from pathlib import Path

import numpy as np

from tuopin import PovertyModel
from tuopin.sim.population import POOR

SMALL = Path(__file__).resolve().parent / "data" / "small.toml"


def model(**params) -> PovertyModel:
    return PovertyModel(scenario=SMALL, rng=11, **params)


def test_focus_by_hand_batch_is_the_open_villages_nearest_the_standard():
    """Hand check of village_focus: open poor villages get village.focus; of them, ceil(open / years
    left to the plan year) with the lowest incidence get batch_focus; others and exited ones 0."""
    m = model(**{"village.focus": 1.0, "village.batch_focus": 2.0})
    m.step()  # January of the first year: the focus is set
    pv = np.flatnonzero(m.poor_village)
    m.village_exit_year[pv[0]] = m.year - 1  # one poor village already out
    focus = m.village_focus()
    open_ids = pv[1:]
    years_left = m.village_plan_year() - m.year + 1
    size = -(-open_ids.size // years_left)
    inc = m.village_incidence()[open_ids]
    batch = set(open_ids[np.argsort(inc, kind="stable")[:size]].tolist())
    expect = np.zeros(m.poor_village.size)
    for v in open_ids:
        expect[v] = 2.0 if v in batch else 1.0
    assert np.array_equal(focus, expect[m.hh.village])
    assert (focus[~m.poor_village[m.hh.village]] == 0).all()


def test_plan_year_is_the_deadline_or_the_last_year():
    m = model()
    assert m.village_plan_year() == (m.spec.campaign.deadline_year or m.spec.last_year)


def test_focus_moves_exits_toward_the_poor_villages():
    """With place counting (focus, batches) a larger share of the poor-village households have exited
    after two years than with place not counting: the levers' places went there."""
    def share_exited_in_poor_villages(**p):
        m = model(**p)
        for _ in range(24):
            m.step()
        inpv = m.poor_village[m.hh.village] & (m.hh.category > 0)
        return (m.hh.status[inpv] != POOR).mean()
    on = share_exited_in_poor_villages()
    off = share_exited_in_poor_villages(**{"village.focus": 0.0, "village.batch_focus": 0.0})
    assert on > off


def test_village_exits_by_the_incidence_rule():
    """No village with incidence at or above the limit exits; each exited one was below it at its
    assessment (checked at the first assessment, where nothing changes after the rule)."""
    m = model(**{"village.collective_income_min": 0.0})
    for _ in range(12):
        m.step()
    inc = m.village_incidence()
    exited = m.village_exit_year == m.year
    limit = m.p.assessment.village_incidence_west if m.spec.west else m.p.assessment.village_incidence
    assert (inc[exited] < limit).all()
    assert not (m.poor_village & (m.village_exit_year < 0) & (inc < limit)).any()
