"""因户施策: who a lever's measures go to (tuopin.sim.targeting)."""

import numpy as np

from tuopin.sim.targeting import choose, how_many


def test_by_cause_serves_the_suited_first_and_random_serves_the_same_number():
    eligible = np.array([True, True, False, True, True, True])
    suits = np.array([0.0, 1.0, 1.0, 0.0, 1.0, 0.0])  # household 2 suits but is not eligible
    by_cause = choose(eligible, 2, suits, np.random.default_rng(1), True)
    assert by_cause.tolist() == [False, True, False, False, True, False]
    at_random = choose(eligible, 2, suits, np.random.default_rng(1), False)
    assert at_random.sum() == 2 and not (at_random & ~eligible).any()


def test_random_choice_spreads_over_the_eligible_without_regard_to_suitability():
    eligible = np.ones(10_000, bool)
    suits = (np.arange(10_000) < 1_000).astype(float)
    picked = choose(eligible, 1_000, suits, np.random.default_rng(2), False)
    # about a tenth of the suited households, as of everyone (binomial sd ~ 9.5)
    assert 60 < (picked & (suits > 0)).sum() < 140
    assert choose(eligible, 1_000, suits, np.random.default_rng(2), True)[suits > 0].all()


def test_k_beyond_the_eligible_serves_all_of_them_and_none_for_zero():
    eligible = np.array([True, False, True])
    assert choose(eligible, 5, np.zeros(3), np.random.default_rng(0), True).tolist() == [True, False, True]
    assert not choose(eligible, 0, np.zeros(3), np.random.default_rng(0), True).any()


def test_how_many_scales_the_rate_by_intensity_and_caps_at_everyone():
    eligible = np.ones(100_000, bool)
    assert abs(how_many(eligible, 0.1, np.random.default_rng(0)) - 10_000) < 400
    assert abs(how_many(eligible, 0.1, np.random.default_rng(0), intensity=2.0) - 20_000) < 500
    assert how_many(eligible, 0.6, np.random.default_rng(0), intensity=2.0) == 100_000


def test_focus_puts_the_poor_village_households_first_in_both_modes():
    """A focus of 2 (this year's batch of poor villages) outranks any suits + u (below 2); in the
    random mode it still counts, so by cause against at random differs only in the cause match."""
    eligible = np.ones(6, bool)
    suits = np.array([1.0, 1.0, 1.0, 0.0, 0.0, 0.0])
    focus = np.array([0.0, 0.0, 0.0, 2.0, 2.0, 0.0])
    for by_cause in (True, False):
        picked = choose(eligible, 2, suits, np.random.default_rng(3), by_cause, focus)
        assert picked.tolist() == [False, False, False, True, True, False]
    # an empty focus (no villages) changes nothing: the same draws, the same choice
    plain = choose(eligible, 3, suits, np.random.default_rng(4), True)
    assert (choose(eligible, 3, suits, np.random.default_rng(4), True, np.zeros(0)) == plain).all()


def test_a_focus_of_one_ranks_an_unsuited_poor_village_household_level_with_a_suited_one_elsewhere():
    """focus 1 + suits 0 against focus 0 + suits 1: the same key distribution, so about half each."""
    n = 20_000
    eligible = np.ones(n, bool)
    half = np.arange(n) < n // 2
    suits = np.where(half, 0.0, 1.0)
    focus = np.where(half, 1.0, 0.0)
    picked = choose(eligible, n // 4, suits, np.random.default_rng(5), True, focus)
    assert abs(picked[half].sum() - n // 8) < 300
