"""The synthetic population matches the scenario's aggregates exactly."""

import numpy as np
import pytest

from conftest import JINGZHOU
from tuopin import load_scenario
from tuopin.sim.population import CATEGORY_CODES, CAUSE_CODES, POOR, ROLES, allocate, synthesize
from tuopin.inputs.scenario import CATEGORIES, CAUSES


@pytest.fixture(scope="module")
def jingzhou():
    s = load_scenario(JINGZHOU)
    return s, synthesize(s.spec, s.params, np.random.default_rng(1))


def test_allocate_is_exact():
    assert allocate(10, [1, 1, 1]).tolist() == [4, 3, 3]
    assert allocate(135600, [0.05, 0.10, 0.10, 0.75]).tolist() == [6780, 13560, 13560, 101700]
    assert allocate(7, {"a": 0.0, "b": 1.0}).tolist() == [0, 7]


def test_registered_households_people_categories_exact(jingzhou):
    s, (hh, village_people, poor_village) = jingzhou
    reg = hh.category > 0
    assert reg.sum() == 135600
    assert hh.size[reg].sum() == 404853
    counts = allocate(135600, [s.spec.population.category[c] for c in CATEGORIES])
    for c, k in zip(CATEGORIES, counts):
        assert (hh.category == CATEGORY_CODES[c]).sum() == k
    cause_counts = allocate(135600, [s.spec.population.cause[c] for c in CAUSES])
    for c, k in zip(CAUSES, cause_counts):
        assert (hh.cause[reg] == CAUSE_CODES[c]).sum() == k
    assert (hh.status[reg] == POOR).all() and (hh.status[~reg] == 0).all()
    assert (~reg).sum() == round(135600 * 0.3)


def test_members_add_up_and_make_sense(jingzhou):
    _, (hh, _, _) = jingzhou
    roles = sum(getattr(hh, r).astype(int) for r in ROLES)
    assert (roles == hh.size).all()
    assert (hh.size >= 1).all() and (hh.size <= 10).all()
    assert (hh.chronic <= hh.size).all() and (hh.dropout <= hh.compulsory).all()
    wubao = hh.category == CATEGORY_CODES["wubao"]
    assert (hh.labour[wubao] == 0).all()  # 五保: no labour
    assert (hh.chronic[hh.cause == CAUSE_CODES["illness"]] >= 1).all()
    assert (hh.disabled[(hh.cause == CAUSE_CODES["disability"]) & (hh.category > 0)] >= 1).all()
    for src in ("wage_local", "wage_migrant", "farm", "transfer", "property"):
        assert (getattr(hh, src) >= 0).all()
    assert (hh.wage_local[hh.labour == 0] == 0).all()


def test_income_relative_to_line(jingzhou):
    s, (hh, _, _) = jingzhou
    pc = (hh.wage_local + hh.wage_migrant + hh.farm + hh.transfer + hh.property) / hh.size / 2855
    reg = hh.category > 0
    general = hh.category == CATEGORY_CODES["fupin"]
    assert 0.7 < np.median(pc[general]) < 0.9     # income_ratio_median 0.8
    assert 1.4 < np.median(pc[~reg]) < 1.6        # near-poor median 1.5
    assert 0.5 < (pc[reg] < 1).mean() < 0.9


def test_villages(jingzhou):
    s, (hh, village_people, poor_village) = jingzhou
    assert poor_village.sum() == 371 and poor_village.size == 2300
    assert village_people.sum() == 3_600_000
    in_poor = poor_village[hh.village]
    assert abs(in_poor[hh.category > 0].mean() - s.spec.population.share_in_poor_villages) < 0.01  # 0.6 (national, 2017)


def test_same_seed_same_population():
    s = load_scenario(JINGZHOU)
    a, _, _ = synthesize(s.spec, s.params, np.random.default_rng(5))
    b, _, _ = synthesize(s.spec, s.params, np.random.default_rng(5))
    assert np.array_equal(a.farm, b.farm) and np.array_equal(a.village, b.village)
