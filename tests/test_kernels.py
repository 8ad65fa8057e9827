"""The compiled loops (sim/kernels.py) give numpy's numbers bit for bit: the same binomial and normal
draws from the same generator (leaving it in the same state), relocation's partial sort the same households
as the full lexsort, and the one-pass kernels numpy's rules. (The month's accrual is checked against the plain
rule in test_engine.py, the cost-sharing chain in test_cost_sharing.py, choose's keys in test_targeting.py.)"""

import numpy as np
import pytest

from tuopin.sim import assess_kernels, kernels, month_kernels, pay_kernels, year_kernels
from tuopin.sim.dynamics import binom
from tuopin.sim.policies.relocation import _first


def _numpy_binom(counts, p, rng):
    out = np.zeros_like(counts)
    idx = np.flatnonzero(counts > 0)
    out[idx] = rng.binomial(counts[idx], p[idx] if isinstance(p, np.ndarray) else p)
    return out


@pytest.mark.parametrize("case", ["small p", "p above a half", "p per household", "p zero", "p one", "large n"])
def test_binomial_kernel_draws_what_numpy_draws(case):
    rng = np.random.default_rng(7)
    counts = rng.integers(0, 6, 20_000).astype(np.int16)
    p = {"small p": 0.02, "p above a half": 0.8, "p per household": rng.random(counts.size) * 0.9,
         "p zero": 0.0, "p one": 1.0, "large n": 0.3}[case]
    if case == "large n":  # n p above 30 for some: numpy's other sampler (BTPE), which binom leaves to numpy
        counts[::100] = 200
    a, b = np.random.default_rng(11), np.random.default_rng(11)
    np.testing.assert_array_equal(binom(counts, p, a), _numpy_binom(counts, p, b))
    assert a.bit_generator.state == b.bit_generator.state  # the same draws used: later draws unchanged


def test_binomial_kernel_refuses_what_numpy_would_sample_otherwise():
    out = np.zeros(3, np.int16)
    rng = np.random.default_rng(1)
    state = rng.bit_generator.state
    assert not kernels.binomial(rng, np.array([1, 100, 2], np.int16), np.array([0.5]), True, out)
    assert rng.bit_generator.state == state  # nothing drawn
    assert not kernels.binomial(rng, np.array([1, 2, 2], np.int16), np.array([1.5]), True, out)


@pytest.mark.parametrize("bit_generator", [np.random.PCG64, np.random.SFC64])
def test_scaled_normals_are_numpys_draws_and_arithmetic(bit_generator):
    a, b = np.random.Generator(bit_generator(5)), np.random.Generator(bit_generator(5))
    out = np.empty(100_003)
    kernels.scaled_normals(a, 0.37, 0.37 ** 2 / 2, out)
    z = b.standard_normal(out.size)
    z *= 0.37
    z -= 0.37 ** 2 / 2
    np.testing.assert_array_equal(out, z)  # bit for bit: no fused multiply-add, the same ziggurat
    assert a.random() == b.random()  # the same draws used: later draws unchanged
    out = kernels.normals(a, out.size)  # scale 1, shift 0: the plain draws
    np.testing.assert_array_equal(out, b.standard_normal(out.size))
    assert np.abs(out).max() > 4  # the ziggurat's tail (beyond its last layer, about 3.65) is drawn as numpy draws it


def test_first_k_is_the_lexsort_prefix_with_ties():
    rng = np.random.default_rng(3)
    for _ in range(200):
        n = int(rng.integers(0, 500))
        k = int(rng.integers(1, n + 3))
        need = rng.integers(0, 3, n)
        u = rng.random(n).round(2)  # many ties: the index order must break them, as lexsort does
        np.testing.assert_array_equal(_first(k, need, u), np.lexsort((u, -need))[:k])


@pytest.mark.parametrize("n", [1, 7, 8, 9, 127, 128, 129, 1000, 8191, 8193, 176_280, 1_000_003])
@pytest.mark.parametrize("density", [0.0, 0.001, 0.05, 0.5, 1.0])
def test_sparse_sum_is_numpys_sum_of_the_full_array(n, density):
    rng = np.random.default_rng(n)
    full = np.zeros(n)
    at = rng.random(n) < density
    full[at] = rng.lognormal(5, 2, int(at.sum()))
    full[at & (rng.random(n) < 0.3)] = 350 / 12  # repeated values, as a lever's fixed monthly wage
    rows = np.flatnonzero(full)
    plan = month_kernels.pairwise_plan(n)
    assert month_kernels.sparse_total(rows, full[rows], *plan) == full.sum()  # bit for bit, not approximately
    assert month_kernels.sparse_total(rows, np.zeros(rows.size), *plan) == 0.0


def test_receive_rows_is_receive_of_the_full_array():
    rng = np.random.default_rng(3)
    n = 1000
    rows = np.sort(rng.choice(n, 50, replace=False))
    paid = rng.random(50)
    full = np.zeros(n)
    full[rows] = paid
    a = [rng.random(n) for _ in range(3)]
    b = [x.copy() for x in a]
    pay_kernels.receive(full, *a)
    pay_kernels.receive_rows(rows, paid, *b)
    for x, y in zip(a, b):
        np.testing.assert_array_equal(x, y)


def test_phase_month_is_the_numpy_rule():
    """On the rows with a top-up or 渐退 left (their values by position), what the full-length numpy rule gives
    (the rest ask nothing), the months left written to both."""
    rng = np.random.default_rng(4)
    monthly = np.where(rng.random(500) < 0.3, rng.random(500) * 300, 0.0)
    phase = np.where(rng.random(500) < 0.2, rng.random(500) * 200, 0.0)
    phase_left = np.where(rng.random(500) < 0.3, rng.integers(0, 3, 500), 0).astype(np.int16)
    rows = np.flatnonzero((monthly > 0) | (phase_left > 0))
    on = phase_left > 0
    expected = np.where(on, monthly + phase, monthly)  # amounts = monthly, plus phase where 渐退 has months left
    left_after = phase_left - on
    assert not expected[np.setdiff1d(np.arange(500), rows)].any()
    start = phase_left.copy()
    for paid_too in (False, True):
        phase_left[:] = start
        left, amounts = phase_left[rows], np.empty(rows.size)
        income, benefits, tally = (rng.random(500) * 1000 for _ in range(3))
        plain = [x.copy() for x in (income, benefits, tally)]
        if paid_too:  # and paid in the same pass: what receive adds of the full-length amounts
            pay_kernels.receive(expected, *plain)
            pay_kernels.phase_month_paid(rows, monthly[rows], phase[rows], left, phase_left, amounts, income, benefits,
                                         tally)
        else:
            pay_kernels.phase_month(rows, monthly[rows], phase[rows], left, phase_left, amounts)
        np.testing.assert_array_equal(amounts, expected[rows])
        np.testing.assert_array_equal(phase_left, left_after)
        np.testing.assert_array_equal(left, left_after[rows])
        for x, y in zip((income, benefits, tally), plain):
            np.testing.assert_array_equal(x, y)


def test_one_pass_kernels_are_the_numpy_rules():
    """persistent, means, contribution and fit_labour do numpy's operations in numpy's order."""
    rng = np.random.default_rng(8)
    n = 3000
    wl, wm, farm, tr, prop = (rng.random(n) * 10_000 * (rng.random(n) < 0.7) for _ in range(5))
    effort, wf, fs = 1 - 0.2 * rng.random(n), rng.lognormal(0, 0.1, n), rng.lognormal(0, 0.2, n)
    dl = rng.random(n) * (rng.random(n) < 0.1)
    ill, jobless = (rng.integers(0, 3, n).astype(np.int8) for _ in range(2))
    labour = rng.integers(0, 4, n).astype(np.int16)
    persistent, regular, rate, dirty = np.empty(n), np.empty(n), np.empty(n), np.ones(n, np.uint8)
    kernels.persistent(wl, wm, farm, tr, prop, effort, wf, ill, jobless, labour, dl, fs, persistent, regular, rate, dirty)
    np.testing.assert_array_equal(persistent, ((wl + wm) * effort + farm) / 12)
    np.testing.assert_array_equal(regular, (tr + prop) / 12)
    working = (1.0 - (ill > 0) * (1.0 / np.maximum(labour, 1))) * wf
    np.testing.assert_array_equal(rate, ((wl + wm * (jobless == 0)) * working + farm * ((1.0 - dl) * fs)) / 12)
    assert not dirty.any()
    out = np.empty(n)
    kernels.means(wl, wm, effort, farm, tr, prop, out)
    np.testing.assert_array_equal(out, (wl + wm) * effort + farm + tr + prop)
    category, size = rng.integers(0, 6, n).astype(np.int8), rng.integers(1, 7, n).astype(np.int16)
    kernels.contribution(category, size, 180.0, 3, 2, 4, 1.0, 0.5, out)
    assist = np.where(category == 3, 1.0, np.where((category == 2) | (category == 4), 0.5, 0.0))
    np.testing.assert_array_equal(out, size * 180.0 * (1.0 - assist))
    fit = rng.choice([0.0, 0.25, 0.5, 1.0], n)
    kernels.fit_labour(fit, labour, out)
    np.testing.assert_array_equal(out, 0.75 * fit + 0.25 * np.minimum(labour, 2) / 2)
    counts, wages = rng.integers(-1, 3, n).astype(np.int16) * (rng.random(n) < 0.1), rng.random(n) * 5000
    expected = wages.copy()
    i = np.flatnonzero(counts)
    expected[i] += 1234.5 * counts[i]
    kernels.add_per(wages, 1234.5, counts)
    np.testing.assert_array_equal(wages, expected)


def test_housing_year_is_the_numpy_rule():
    rng = np.random.default_rng(12)
    n = 5000
    housing, u, category = rng.integers(0, 3, n).astype(np.int8), rng.random(n), rng.integers(0, 4, n).astype(np.int8)
    repair = np.where(category > 0, 0.3, 0.1)
    expected = housing.copy()
    expected[(housing == 0) & (u < 0.05)] = 1
    expected[(housing == 1) & (u < 0.2)] = 2
    expected[(housing != 0) & (u > 1 - repair)] = 0
    out = np.empty_like(housing)
    kernels.housing_year(housing, u, category, 0.3, 0.1, 0.05, 0.2, out)
    np.testing.assert_array_equal(out, expected)


def test_school_costs_and_monthly_rate_are_the_numpy_rules():
    rng = np.random.default_rng(13)
    comp, drop, hs, voc, col, size, eld, chron = (rng.integers(0, 4, 4000).astype(np.int16) for _ in range(8))
    out = np.empty(4000)
    kernels.school_costs(comp, drop, hs, voc, col, 300.0, 2500.0, 3000.0, 6000.0, out)
    np.testing.assert_array_equal(out, ((comp - drop) * 300.0 + hs * 2500.0 + voc * 3000.0 + col * 6000.0).astype(float))
    kernels.monthly_rate(size, eld, chron, 0.08, 0.07, 0.11, out)
    np.testing.assert_array_equal(out, (0.08 * size + 0.07 * eld + 0.11 * chron) / 12)


def test_assessment_kernels_are_the_numpy_rules():
    """people_in is the exact people count of a mask; net_pc and spend_poor do numpy's operations in its order."""
    from tuopin.sim.assessment import expenditure_poor
    rng = np.random.default_rng(19)
    n = 5000
    size, mask = rng.integers(1, 9, n).astype(np.int16), rng.random(n) < 0.3
    assert kernels.people_in(size, mask) == int(size[mask].sum()) == np.dot(size.astype(np.int32), mask)
    assert kernels.people_in(size, np.zeros(n, bool)) == 0
    income, expense, market, persistent = (rng.normal(3000, 4000, n) for _ in range(4))
    for months in (1, 7, 12):
        for stable in (False, True):
            out = np.empty(n)
            kernels.net_pc(income, expense, market, persistent, float(months), 12 / months, stable, size, out)
            base = income - (market - months * persistent) if stable else income
            np.testing.assert_array_equal(out, (base - expense) * (12 / months) / size)
    oop = rng.lognormal(7, 1.5, n) * (rng.random(n) < 0.4)
    out = np.empty(n, bool)
    kernels.spend_poor(income, oop, 12 / 11, size, 2952.0, 0.4, out)
    expected = expenditure_poor(income * size, oop * (12 / 11), size, 2952.0, 0.4)
    assert expected.any() and not expected.all()
    np.testing.assert_array_equal(out, expected)


def test_dibao_need_is_the_numpy_rule():
    rng = np.random.default_rng(23)
    n = 4000
    category, size = rng.integers(0, 6, n).astype(np.int8), rng.integers(1, 7, n).astype(np.int16)
    means = rng.normal(4000, 5000, n)
    covered, entitled = rng.random(n) < 0.3, rng.random(n) < 0.6
    need, topup = np.empty(n), np.empty(n)
    pay_kernels.dibao_need(category, 3, 0.8 * 2952.0, 3100.0, size, means, covered, entitled, need, topup)
    wubao = category == 3
    expected = np.maximum(np.where(wubao, 0.8 * 2952.0, 3100.0) * size - means, 0.0)
    np.testing.assert_array_equal(need, expected)
    np.testing.assert_array_equal(topup, np.where(covered | (wubao & entitled), expected, 0.0))
    assert (topup > 0).any() and (topup == 0).any()


def test_phase_out_is_the_numpy_rule():
    rng = np.random.default_rng(29)
    n = 4000
    start, topup = rng.random(n) < 0.1, np.where(rng.random(n) < 0.3, rng.random(n) * 3000, 0.0)
    monthly, phase, left = rng.random(n) * 300, np.where(rng.random(n) < 0.2, rng.random(n) * 300, 0.0), rng.integers(0, 6, n).astype(np.int16)
    expected = (np.where(start, monthly, np.where(topup > 0, 0.0, phase)),
                np.where(start, 6, np.where(topup > 0, 0, left)).astype(np.int16), topup / 12)
    pay_kernels.phase_out(start, topup, monthly, phase, left, 6)
    for got, want in zip((phase, left, monthly), expected):
        np.testing.assert_array_equal(got, want)


def test_people_by_is_bincount_of_the_people():
    rng = np.random.default_rng(31)
    n, groups = 6000, 40
    group, size = rng.integers(0, groups, n), rng.integers(1, 9, n).astype(np.int16)
    status = rng.integers(0, 3, n).astype(np.int8)
    for only in (-1, 0, 1, 2):
        out = np.empty(groups + 3)
        kernels.people_by(group, size, status, only, out)
        mask = np.ones(n, bool) if only < 0 else status == only
        np.testing.assert_array_equal(out, np.bincount(group, weights=size * mask, minlength=groups + 3))


def _numpy_roles(size, cat, cause, p, rng):
    """The population's member roles as numpy built them person by person before the compiled pass."""
    from tuopin.sim.population import CATEGORY_CODES, CAUSE_CODES, ROLES, STUDENT_ROLES
    n = size.shape[0]
    hh = np.repeat(np.arange(n), size)
    first = np.zeros(hh.shape[0], bool)
    first[np.concatenate(([0], np.cumsum(size)[:-1]))] = True
    general = np.array([p.role_share_labour, p.role_share_disabled, p.role_share_elderly, p.role_share_preschool,
                        p.role_share_compulsory, p.role_share_highschool, p.role_share_vocational, p.role_share_college])
    general /= general.sum()
    nolabour = np.array([0, p.role_share_nolabour_disabled, p.role_share_nolabour_elderly, 0, 0, 0, 0, 0])
    no_lab_hh = (cat == CATEGORY_CODES["wubao"]) | (cause == CAUSE_CODES["lack_labour"])
    u = rng.random(hh.shape[0])
    role = np.searchsorted(np.cumsum(general)[:-1], u)
    nolab = np.flatnonzero(no_lab_hh[hh])
    role[nolab] = np.searchsorted(np.cumsum(nolabour)[:-1], u[nolab])
    head = np.full(n, ROLES.index("labour"))
    head[no_lab_hh] = ROLES.index("elderly")
    head[cause == CAUSE_CODES["disability"]] = ROLES.index("disabled")
    role[first] = head
    second = np.zeros_like(first)
    second[np.flatnonzero(first)[size > 1] + 1] = True
    school = second & (cause[hh] == CAUSE_CODES["schooling"])
    role[school] = rng.choice([ROLES.index(r) for r in STUDENT_ROLES], size=school.sum(),
                              p=[p.student_share_highschool, p.student_share_vocational, p.student_share_college])
    counts = np.bincount(hh * len(ROLES) + role, minlength=n * len(ROLES)).reshape(n, len(ROLES))
    pc = p.chronic_share + p.chronic_share_elderly_extra * (role == ROLES.index("elderly"))
    chronic_person = rng.random(hh.shape[0]) < pc
    chronic_person |= first & (cause[hh] == CAUSE_CODES["illness"])
    chronic = np.bincount(hh, weights=chronic_person, minlength=n).astype(np.int16)
    return counts.astype(np.int16), chronic


def test_roles_kernel_gives_the_numpy_members_and_leaves_the_generator_alike():
    from tuopin.parameters import resolve, section
    from tuopin.parameters.typed import PopulationSection
    from tuopin.sim.population import _roles
    p = PopulationSection(**section(resolve({})[0], "population"))
    rng = np.random.default_rng(5)
    n = 30_000
    size = rng.integers(1, 8, n)
    cat, cause = rng.integers(0, 5, n).astype(np.int8), rng.integers(0, 9, n).astype(np.int8)
    a, b = np.random.default_rng(13), np.random.default_rng(13)
    got, want = _roles(size, cat, cause, p, a), _numpy_roles(size, cat, cause, p, b)
    np.testing.assert_array_equal(got[0], want[0])
    np.testing.assert_array_equal(got[1], want[1])
    assert a.random() == b.random()  # the same draws, in the same order
    assert got[0].sum() == size.sum() and got[1].max() > 0


# ---- the January turn's and the levers' Januaries' one-pass kernels (sim/year_kernels.py) ----------------

def _roles(rng, n):
    return (rng.integers(0, 4, n).astype(np.int16) for _ in range(4))


def test_year_kernels_gather_enrol_and_join_are_the_numpy_rules():
    rng = np.random.default_rng(41)
    n = 5000
    table, codes = rng.random(9), rng.integers(0, 9, n).astype(np.int8)
    out = np.empty(n)
    year_kernels.gather(table, codes, out)
    np.testing.assert_array_equal(out, table[codes.astype(np.intp)])
    eligible, insured = rng.random(n) < 0.4, rng.random(n) < 0.5
    u = rng.random(int(eligible.sum()))
    a, b = insured.copy(), insured.copy()
    year_kernels.enrol(eligible, u, 0.7, a)
    b[eligible] |= u < 0.7
    np.testing.assert_array_equal(a, b)
    assert (a != insured).any()
    u = rng.random(int(np.count_nonzero(eligible & ~insured)))
    a, joined = insured.copy(), np.empty(n, bool)
    year_kernels.join(eligible, a, u, 0.3, joined)
    b = insured.copy()
    join = eligible & ~b
    join[join] = u < 0.3
    b |= join
    np.testing.assert_array_equal(joined, join)
    np.testing.assert_array_equal(a, b)
    assert join.any() and not join.all()
    none, a = np.zeros(n, bool), insured.copy()  # no one eligible: no draws, nothing changes
    year_kernels.enrol(none, np.zeros(0), 0.7, a)
    year_kernels.join(none, a, np.zeros(0), 0.3, joined)
    np.testing.assert_array_equal(a, insured)
    assert not joined.any()


def test_year_kernels_industry_suits_are_the_numpy_rules():
    g = np.random.default_rng(8)
    cause, labour = g.integers(0, 8, 5_000).astype(np.int8), g.integers(0, 5, 5_000).astype(np.int8)
    scores = np.array([0.0, 1.0, 0.0, 1.0, 0.0, 0.0, 0.0, 0.0])
    out = np.empty(cause.size)
    year_kernels.project_suits(scores, cause, labour, out)
    np.testing.assert_array_equal(out, 0.5 * scores[cause] + 0.25 * np.minimum(labour, 2))
    year_kernels.share_suits(scores, cause, labour, out)
    np.testing.assert_array_equal(out, ((labour == 0) | (scores[cause] > 0)).astype(float))


def test_year_kernels_placement_pool_is_the_numpy_rule():
    g = np.random.default_rng(12)
    n = 5_000
    wl, wm = g.random(n) * 40_000, np.where(g.random(n) < 0.3, g.random(n) * 30_000, 0.0)
    labour = g.integers(0, 4, n).astype(np.int8)
    with_labour, placed, trained = g.random(n) < 0.7, g.random(n) < 0.2, g.random(n) < 0.3
    capacity = g.random(n)
    per_worker, pool, suits = np.empty(n), np.empty(n, bool), np.empty(n)
    year_kernels.placement_pool(wl, wm, labour, with_labour, placed, trained, capacity, 14_000.0, per_worker, pool, suits)
    want = (wl + wm) / np.maximum(labour, 1)
    np.testing.assert_array_equal(per_worker, want)
    np.testing.assert_array_equal(pool, with_labour & ~placed & (want < 14_000.0))
    np.testing.assert_array_equal(suits, 0.5 * trained + 0.5 * capacity)


def test_year_kernels_work_relief_are_the_numpy_rules():
    g = np.random.default_rng(14)
    n, villages = 5_000, 60
    eligible, labour = g.random(n) < 0.6, g.integers(0, 4, n).astype(np.int8)
    poor, village = g.random(villages) < 0.4, np.sort(g.integers(0, villages, n)).astype(np.int32)
    out = np.empty(n, bool)
    year_kernels.relief_eligible(eligible, labour, poor, village, out)
    np.testing.assert_array_equal(out, eligible & (labour > 0) & poor[village])
    cause, wage_migrant = g.integers(0, 8, n).astype(np.int8), np.where(g.random(n) < 0.4, g.random(n) * 9e3, 0.0)
    scores, suits = np.array([0.0, 1.0, 1.0, 0.0, 1.0, 0.0, 0.0, 0.0]), np.empty(n)
    year_kernels.relief_suits(scores, cause, wage_migrant, suits)
    np.testing.assert_array_equal(suits, 0.5 * scores[cause] + 0.5 * (wage_migrant <= 0))


def test_year_kernels_employment_pools_are_the_numpy_rules():
    g = np.random.default_rng(21)
    n = 5_000
    eligible, post, registered = g.random(n) < 0.6, g.random(n) < 0.1, g.random(n) < 0.7
    labour, elderly, disabled = (g.integers(0, k, n).astype(np.int16) for k in (3, 3, 2))
    out = np.empty(n, bool)
    year_kernels.post_pool(eligible, labour, elderly, disabled, post, out)
    np.testing.assert_array_equal(out, eligible & (labour == 0) & ((elderly + disabled) > 0) & ~post)
    wages = np.where(g.random(n) < 0.2, 0.0, g.random(n) * 60_000)
    year_kernels.migrant_pool(registered, labour, wages, 26_544.0, out)
    np.testing.assert_array_equal(out, registered & (labour > np.floor(wages / 26_544.0)))
    assert out.any() and not out.all()


def test_year_kernels_relabel_is_the_numpy_rule():
    g = np.random.default_rng(23)
    n = 5_000
    topup, eligible = np.where(g.random(n) < 0.3, g.random(n) * 2000, 0.0), g.random(n) < 0.6
    category = g.integers(0, 6, n).astype(np.int8)
    want = category.copy()
    want[(topup > 0) & eligible & (category == 1)] = 4
    year_kernels.relabel(topup, eligible, 1, 4, category)
    np.testing.assert_array_equal(category, want)


def test_year_kernels_premiums_are_the_numpy_rules():
    rng = np.random.default_rng(43)
    n = 5000
    labour, disabled, _, _ = _roles(rng, n)
    premium, expense = rng.random(n) * 600, rng.normal(200, 300, n)
    was = rng.random(n) < 0.5
    insured = was | (rng.random(n) < 0.3)
    eligible = rng.random(n) < 0.5
    got, amounts = expense.copy(), np.empty(n)
    year_kernels.premiums_charged(premium, insured, was, eligible, 0.7, got, amounts)
    want = expense.copy()
    want += premium * (insured.astype(float) - was)
    np.testing.assert_array_equal(got, want)
    np.testing.assert_array_equal(amounts, np.where(eligible & insured, premium * 0.7, 0.0))


def test_year_kernels_effort_and_school_are_the_numpy_rules():
    rng = np.random.default_rng(47)
    n = 5000
    reached, share = rng.random(n) < 0.3, rng.random(n) * (rng.random(n) < 0.6)
    out = np.empty(n)
    year_kernels.effort(reached, share, 0.3, 1.0 - 0.5, out)
    loss = 0.3 * share
    np.testing.assert_array_equal(out, 1.0 - np.where(reached, (1.0 - 0.5) * loss, loss))
    eligible = rng.random(n) < 0.5
    hs, voc, drop = np.empty(n), np.empty(n), np.empty(n)
    year_kernels.choices(eligible, 0.5, 0.7, 0.3, 0.45, 1.0, 0.4, hs, voc, drop)
    for got, (a, b) in ((hs, (0.7, 0.5)), (voc, (0.45, 0.3)), (drop, (0.4, 1.0))):
        np.testing.assert_array_equal(got, np.where(eligible, a, b))
    highschool, college, compulsory, vocational = _roles(rng, n)
    dropout = np.minimum(rng.integers(0, 2, n).astype(np.int16), compulsory)
    out = np.empty(n)
    year_kernels.school_support(eligible, highschool, college, compulsory, dropout, 2500.0, 5000.0, 1000.0 / 3, out)
    expected = highschool * 2500.0 + college * 5000.0 + (compulsory - dropout) * (1000.0 / 3)
    np.testing.assert_array_equal(out, np.where(eligible, expected, 0.0))
    monthly, to = np.empty(n), np.empty(n, np.int64)
    k = year_kernels.yulu(eligible, vocational, 3000.0 / 12, monthly, to)
    np.testing.assert_array_equal(monthly, np.where(eligible, vocational * (3000.0 / 12), 0.0))
    np.testing.assert_array_equal(to[:k], np.flatnonzero(monthly > 0))
    assert 0 < k < n


def test_year_kernels_focus_farm_and_renovation_are_the_numpy_rules():
    rng = np.random.default_rng(53)
    n, n_v = 5000, 60
    status, village = rng.integers(0, 3, n).astype(np.int8), rng.integers(0, n_v, n).astype(np.int32)
    focus = rng.random(n_v) * (rng.random(n_v) < 0.5)
    np.testing.assert_array_equal(year_kernels.focus_of(status, 1, village, focus),
                                  np.where(status == 1, focus[village], 0.0))
    farm = rng.lognormal(8, 1, n) * (rng.random(n) < 0.7)
    price, noise, u = np.exp(0.1 * rng.standard_normal(n_v)), rng.lognormal(0, 0.2, n), rng.random(n)
    got = farm.copy()
    year_kernels.grow_farm(got, 1 + 0.05, price, village, noise, u, 0.1, 1 - 0.6)
    want = farm.copy()
    want *= (1 + 0.05) * price[village.astype(np.intp)] * noise
    failed = (want > 0) & (u < 0.1)
    want[failed] *= 1 - 0.6
    np.testing.assert_array_equal(got, want)
    assert failed.any()
    priority, housing = rng.normal(3000, 2000, n), rng.integers(0, 3, n).astype(np.int8)
    grant, order = np.empty(n), np.empty(n)
    year_kernels.renovation(priority, housing, 2, 20000.0, 8000.0, grant, order)
    np.testing.assert_array_equal(grant, np.where(housing == 2, 20000.0, 8000.0))
    np.testing.assert_array_equal(order, priority - 1e9 * (housing == 2))


def test_year_kernels_dibao_cover_is_the_numpy_rule():
    rng = np.random.default_rng(59)
    n = 5000
    eligible, covered, found, general = (rng.random(n) < s for s in (0.4, 0.3, 0.85, 0.6))
    draw = rng.random(n)
    out = np.empty(n, bool)
    year_kernels.cover(eligible, covered, found, general, draw, 0.05, out)
    np.testing.assert_array_equal(out, np.where(eligible, covered | found, general & (draw < 0.05)))


def test_year_kernels_lose_labour_is_the_numpy_rule():
    rng = np.random.default_rng(61)
    n = 5000
    labour = rng.integers(0, 4, n).astype(np.int16)
    k = np.minimum(rng.binomial(labour, 0.3), labour).astype(np.int16)
    k[:5] = 1  # (a household without a labourer keeps its wages)
    labour[:5] = 0
    wl, wm = rng.lognormal(8, 1, n), rng.lognormal(8, 1, n) * (rng.random(n) < 0.4)
    got_l, got_m = wl.copy(), wm.copy()
    year_kernels.lose_labour(k, labour, got_l, got_m)
    i = np.flatnonzero(k)
    keep = np.where(labour[i] > 0, (labour[i] - k[i]) / np.maximum(labour[i], 1), 1.0)
    wl[i] *= keep
    wm[i] *= keep
    np.testing.assert_array_equal(got_l, wl)
    np.testing.assert_array_equal(got_m, wm)
    assert (keep < 1).any() and (keep == 1).any()


def test_assess_kernels_are_the_numpy_rules():
    """低保's other lever income and 内生动力's benefit share and report factor, as the numpy rules give them."""
    rng = np.random.default_rng(12)
    n = 4000
    income, market, persistent, paid, means = (rng.random(n) * 9000 * (rng.random(n) < 0.8) for _ in range(5))
    for months in (5, 12):
        expected = np.maximum((income - (market - months * persistent) - paid) * (12 / months) - means, 0.0)
        out = np.empty(n)
        assess_kernels.lever_income(income, market, persistent, paid, float(months), 12 / months, means, out)
        np.testing.assert_array_equal(out, expected)
    benefits = rng.random(n) * 3000 * (rng.random(n) < 0.4)
    income[::7] = rng.random(income[::7].size)  # below 1 yuan: the floor
    eligible, hides = rng.random(n) < 0.6, rng.random(n) < 0.3
    share, factor = np.empty(n), np.empty(n)
    assess_kernels.benefit_response(benefits, income, eligible, hides, 0.7, share, factor)
    np.testing.assert_array_equal(share, np.clip(benefits / np.maximum(income, 1.0), 0.0, 1.0))
    np.testing.assert_array_equal(factor, np.where((benefits > 0) & eligible & hides, 0.7, 1.0))
    assert (share == 1.0).any() and ((share > 0) & (share < 1)).any() and (factor < 1).any()


def test_registered_income_is_the_numpy_rule():
    rng = np.random.default_rng(13)
    n = 5000
    category = rng.integers(0, 7, n).astype(np.int8)
    pc, size, registered = rng.random(n) * 8000, rng.integers(1, 9, n).astype(np.int16), category > 2
    reg = np.empty(np.count_nonzero(registered))
    assess_kernels.registered_income(pc, size, registered, reg)
    np.testing.assert_array_equal(reg, pc[registered] * size[registered])


def test_benefit_eligible_kernel_is_the_numpy_rule():
    rng = np.random.default_rng(14)
    n = 5000
    status = rng.integers(0, 3, n).astype(np.int8)
    exit_year = np.where(status == 2, rng.integers(2014, 2020, n), -1).astype(np.int16)
    also = rng.random(n) < 0.05
    for year, years, until, extra in ((2017, 1, 0, None), (2019, 0, 2020, also), (2020, 3, 2018, also)):
        out = np.empty(n, bool)
        year_kernels.benefit_eligible(status, exit_year, 1, 2, year, years, until,
                                      np.zeros(0, bool) if extra is None else extra, out)
        expected = (status == 1) | ((status == 2) & ((year - exit_year <= years) | (year <= until)))
        np.testing.assert_array_equal(out, expected | (False if extra is None else extra))


def test_credit_month_kernels_are_the_numpy_rules():
    """Credit's month on the borrowers' rows (their terms by position), as numpy's rule on those rows gives it."""
    rng = np.random.default_rng(17)
    n, rate, share, principal, months = 3000, 0.0475, 0.9, 0.6, 36
    a = np.flatnonzero(rng.random(n) < 0.1)
    loan, ret = np.where(rng.random(n) < 0.5, 50_000.0, 30_000.0), rng.normal(0.08, 0.05, n)
    failed, months_left = rng.random(n) < 0.1, rng.integers(1, 36, n).astype(np.int16)
    dl = np.where(rng.random(n) < 0.1, rng.random(n), 0.0)
    wanted = np.empty(a.size)
    pay_kernels.interest_due(loan[a], rate, share, wanted)
    np.testing.assert_array_equal(wanted, loan[a] * rate / 12 * share)
    paid = np.where(rng.random(a.size) < 0.8, wanted, 0.0)  # part cut by a cap
    expense, income, outlay = (rng.random(n) * 1000 for _ in range(3))
    expected = [x.copy() for x in (expense, income, outlay, months_left)]
    expected[0][a] += loan[a] * rate / 12 - paid
    expected[1][a] += np.where(failed[a], 0.0, loan[a] * ret[a] / 12 * (1.0 - dl[a]))
    expected[2][a] += np.where(failed[a], loan[a] * principal / months, 0.0)
    expected[3][a] -= 1
    left = months_left[a]
    ended = pay_kernels.repay(a, loan[a], ret[a], failed[a], left, months_left, rate, paid, expense, dl, income, outlay,
                              principal, months)
    for x, y in zip((expense, income, outlay, months_left), expected):
        np.testing.assert_array_equal(x, y)
    np.testing.assert_array_equal(left, expected[3][a])
    assert ended == bool((expected[3][a] <= 0).any())
