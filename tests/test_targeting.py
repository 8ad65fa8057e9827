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



def test_focus_orders_equally_suited_households_in_both_modes():
    """Among equally suited households the batch (focus 2) comes first, then the other poor
    villages (1), then the rest (0), in both modes: (u + focus) / 3 puts the levels apart."""
    eligible = np.ones(9, bool)
    suits = np.full(9, 0.5)
    focus = np.array([0.0, 0, 0, 1, 1, 1, 2, 2, 2])
    for by_cause in (True, False):
        assert choose(eligible, 3, suits, np.random.default_rng(3), by_cause, focus)[6:].all()
        assert choose(eligible, 6, suits, np.random.default_rng(3), by_cause, focus)[3:].all()


def test_a_suited_household_elsewhere_still_comes_before_an_unsuited_one_in_a_poor_village():
    """Place is the tie-break, not the cause score: by cause, suits 1 outranks any focus."""
    eligible = np.ones(6, bool)
    suits = np.array([1.0, 1.0, 0.0, 0.0, 0.0, 0.0])
    focus = np.array([0.0, 0.0, 2.0, 2.0, 2.0, 2.0])
    picked = choose(eligible, 2, suits, np.random.default_rng(4), True, focus)
    assert picked.tolist() == [True, True, False, False, False, False]
    # an empty focus (no villages) changes nothing: the same draws, the same choice
    plain = choose(eligible, 3, suits, np.random.default_rng(5), True)
    assert (choose(eligible, 3, suits, np.random.default_rng(5), True, np.zeros(0)) == plain).all()


def test_choose_is_the_plain_numpy_rule_bit_for_bit():
    """choose builds its keys in one compiled pass (kernels.choice_keys): the households chosen and the
    generator's state after are those of the plain rule (flatnonzero, the draws, the focus, the cause
    score, argpartition), with and without focus, by cause and at random."""
    g = np.random.default_rng(5)
    n = 20_000
    eligible, suits = g.random(n) < 0.6, g.choice([0.0, 0.25, 0.5, 1.0], n)
    focus = np.where(g.random(n) < 0.3, g.choice([1.0, 2.0], n), 0.0)

    def plain(k, rng, by_cause, focus):
        idx = np.flatnonzero(eligible)
        u = rng.random(idx.size)
        out = np.zeros(n, bool)
        if focus is not None:
            u = (u + focus[idx]) / (1.0 + float(focus.max()))
        key = u + suits[idx] if by_cause else u
        out[idx[np.argpartition(-key, k - 1)[:k]]] = True
        return out

    for k in (1, 500, 9_000):
        for by_cause in (True, False):
            for f in (None, focus):
                a, b = np.random.default_rng(k), np.random.default_rng(k)
                np.testing.assert_array_equal(choose(eligible, k, suits, a, by_cause, f), plain(k, b, by_cause, f))
                assert a.random() == b.random()


def test_serving_no_one_takes_the_draws():
    """Serving no one leaves the generator where drawing the keys' uniforms would (a PCG64 jumps ahead, unless it
    holds half a 64-bit output: then it draws)."""
    g = np.random.default_rng(9)
    eligible = g.random(30_000) < 0.5
    a, b = np.random.default_rng(4), np.random.default_rng(4)
    assert not choose(eligible, 0, np.zeros(30_000), a, True).any()
    b.random(int(eligible.sum()))
    assert a.bit_generator.state == b.bit_generator.state
    a.integers(0, 9, dtype=np.int32), b.integers(0, 9, dtype=np.int32)  # half a 64-bit output held: drawn, not jumped
    choose(eligible, -1, np.zeros(30_000), a, False)
    b.random(int(eligible.sum()))
    assert a.bit_generator.state == b.bit_generator.state
