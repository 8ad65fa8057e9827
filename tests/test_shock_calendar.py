"""The year's episodes and job losses drawn as gaps (sim/shock_calendar.py) follow the law of a draw
for every household every month: checked by hand on the gap formula, and against the monthly rule
simulated beside it on many households."""

import numpy as np
import pytest

from tuopin.sim import shock_calendar as sc


def _numpy_round(rows, hazard, start, rng):
    """A round of draws in numpy: the months without an event, floor(E / h) cut at 13 (none this year;
    also where h is 0), after ``start``, and the rows whose event falls in the year."""
    x = rng.standard_exponential(rows.size)
    with np.errstate(divide="ignore", invalid="ignore"):
        x /= hazard
    month = start + np.fmin(x, 13, out=x).astype(np.int8)
    keep = month <= 12
    return rows[keep], month[keep], hazard[keep] if np.ndim(hazard) else hazard


def test_gap_is_the_floor_of_an_exponential_over_the_hazard():
    hazard = np.array([0.5, 0.1, 2.0, 0.0, 0.05])
    e = np.random.default_rng(4).standard_exponential(hazard.size)
    # by hand: floor(E / h), cut at 13 (none this year), 13 where the hazard is 0; from month 0, kept up to 12
    gap = [min(int(np.floor(x / h)), 13) if h > 0 else 13 for x, h in zip(e, hazard)]
    rows, month, _ = sc._round(np.arange(5), hazard, np.array([0], np.int8), np.random.default_rng(4))
    assert rows.tolist() == [i for i in range(5) if gap[i] <= 12]
    assert month.tolist() == [g for g in gap if g <= 12]
    rows, month, _ = sc._round(np.arange(3), np.inf, np.array([4], np.int8), np.random.default_rng(4))
    assert rows.tolist() == [0, 1, 2] and month.tolist() == [4, 4, 4]  # a sure event: this month


@pytest.mark.parametrize("hazard", ["per row", 0.2, np.inf, 0.0])
@pytest.mark.parametrize("start", ["one", "per row"])
def test_a_round_in_one_pass_is_numpys_gaps_and_cut(hazard, start):
    """The compiled round (kernels.next_events) draws what numpy draws and keeps the rows whose event
    falls in the year, with their months and hazards, in row order."""
    rows = np.arange(3, 60_003, 3)
    if hazard == "per row":
        hazard = (np.random.default_rng(9).random(rows.size) * 0.5).astype(np.float32)
        hazard[::7] = 0.0
    start = np.array([5], np.int8) if start == "one" else np.random.default_rng(8).integers(2, 13, rows.size, np.int8)
    a, b = np.random.default_rng(4), np.random.default_rng(4)
    got, want = sc._round(rows, hazard, start, a), _numpy_round(rows, hazard, start, b)
    for x, y in zip(got, want):
        np.testing.assert_array_equal(x, y)
        assert np.asarray(x).dtype == np.asarray(y).dtype
    assert a.random() == b.random()  # the same draws used


def test_calendar_months_and_boundaries():
    """Every episode falls in first..12, a household at most once a month, and each month's slice holds
    exactly its episodes."""
    rng = np.random.default_rng(1)
    hazard = rng.random(5_000).astype(np.float32) * 0.4
    cal = sc.draw(hazard, np.arange(0, 5_000, 2), 0.05, 3, 1000.0, 0.5, 4, rng)
    assert cal.ill_at[4] == 0 and cal.ill_at[13] == cal.ill_rows.size  # nothing before month 4
    for m in range(4, 13):
        rows, cost = cal.ill(m)
        assert np.unique(rows).size == rows.size
        assert (cost > 0).all()
        lose, spell = cal.losses(m)
        assert np.unique(lose).size == lose.size and (lose % 2 == 0).all()  # migrants only
        assert ((spell >= 1) & (spell <= 3)).all()
    assert cal.loss_at[13] == cal.loss_rows.size


def _monthly_rule(hazard, chance, most, first, rng):
    """The rule the calendar replaces, month by month: an episode where u < 1 - exp(-h); a migrant in
    work loses it where u < chance, out for 1..most months (counted down at each month's end)."""
    n = hazard.size
    episodes, jobless_months, out = np.zeros((13, n), bool), np.zeros(n, int), np.zeros((13, n), bool)
    for m in range(first, 13):
        episodes[m] = rng.random(n) < -np.expm1(-hazard)
        lose = (jobless_months == 0) & (rng.random(n) < chance)
        jobless_months[lose] = rng.integers(1, most + 1, lose.sum())
        out[m] = jobless_months > 0
        jobless_months = np.maximum(jobless_months - 1, 0)
    return episodes, out


def _calendar(hazard, chance, most, first, rng):
    n = hazard.size
    cal = sc.draw(hazard, np.arange(n), chance, most, 1.0, 0.0, first, rng)
    episodes, out, jobless_months = np.zeros((13, n), bool), np.zeros((13, n), bool), np.zeros(n, int)
    for m in range(first, 13):
        episodes[m, cal.ill(m)[0]] = True
        lose, spell = cal.losses(m)
        assert (jobless_months[lose] == 0).all()  # only those in work lose it
        jobless_months[lose] = spell
        out[m] = jobless_months > 0
        jobless_months = np.maximum(jobless_months - 1, 0)
    return episodes, out


@pytest.mark.parametrize("first", [1, 7])
def test_calendar_has_the_law_of_the_monthly_rule(first):
    """Episodes per month, episodes per household a year (mean and variance: independent months), and
    months out of work (by month and per household a year): the calendar and the monthly rule agree
    within sampling error on 200,000 households."""
    n = 200_000
    hazard = np.repeat(np.array([0.01, 0.05, 0.3], np.float32), [n // 2, n // 4, n // 4])
    a = _monthly_rule(hazard.astype(float), 0.25, 3, first, np.random.default_rng(1))
    b = _calendar(hazard, 0.25, 3, first, np.random.default_rng(2))
    for x, y in zip(a, b):
        per_month_x, per_month_y = x.sum(axis=1), y.sum(axis=1)
        assert (per_month_x[:first] == 0).all() and (per_month_y[:first] == 0).all()
        se = np.sqrt(np.maximum(per_month_x, 1.0) * 2)  # binomial counts: sd below sqrt(count), two samples
        assert (np.abs(per_month_x - per_month_y) < 5 * se).all()
        for group in (slice(0, n // 2), slice(n // 2, 3 * n // 4), slice(3 * n // 4, n)):
            kx, ky = x[:, group].sum(axis=0), y[:, group].sum(axis=0)
            m = group.stop - group.start
            assert abs(kx.mean() - ky.mean()) < 5 * np.sqrt((kx.var() + ky.var()) / m)
            assert abs(kx.var() - ky.var()) < 0.05 * kx.var() + 1e-9
    # by hand: an episode in a month at hazard 0.3 has the chance 1 - exp(-0.3) = 0.2592
    share = b[0][first:, 3 * n // 4:].mean()
    assert abs(share - 0.2592) < 0.005
