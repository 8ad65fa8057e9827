"""The ABC-PMC sampler (analysis/sampler.py) on toys with a known posterior: a normal mean under a uniform
prior, where the ABC posterior at tolerance ε is N(y, s²) convolved with U(-ε, ε); its weights and kernel
against hand calculations; the same seed gives the same table."""

import numpy as np
import pandas as pd
import pytest

from tuopin.analysis.sampler import effective_size, abc_pmc, kernel_cov, pmc_weights, sizes

Y, S = 0.5, 0.2  # observed mean; sd of the simulated mean (25 draws of N(θ, 1))
BOUNDS = {"theta": (-3.0, 3.0)}


def normal_mean(seed: int):
    """Distance |mean of 25 N(θ, 1) - Y|; the noise from a generator of its own (each draw its own numbers)."""
    rng = np.random.default_rng(seed)
    return lambda pts: np.abs(np.array([p["theta"] for p in pts]) + S * rng.standard_normal(len(pts)) - Y)


@pytest.mark.parametrize("draws", [320, 4000])
def test_the_posterior_is_the_abc_posterior_of_a_normal_mean(draws):
    """The last generation's weighted accepted draws have the ABC posterior's mean Y and sd √(S² + ε²/3) at its
    tolerance ε (within 4 standard errors of the weighted estimates: sd/√ESS for the mean, a relative 1/√(2 ESS)
    for the sd), and Kish's effective size is at
    least half the accepted count (the prior box is 6 wide, the posterior's sd about 0.2-0.3: a prior draw is
    accepted about 1 time in 10 at the final tolerance)."""
    t = abc_pmc(normal_mean(7), BOUNDS, None, draws, 0.5, seed=11)
    post = t[t["posterior"]]
    eps = post["tolerance"].iloc[0]
    assert (post["generation"] == 4).all() and eps < t.loc[t["generation"] == 1, "tolerance"].iloc[0]
    w = post["weight"].to_numpy()
    ess = effective_size(w)
    mean = np.average(post["theta"], weights=w)
    sd = np.sqrt(np.average((post["theta"] - mean) ** 2, weights=w))
    want = np.sqrt(S ** 2 + eps ** 2 / 3)
    assert mean == pytest.approx(Y, abs=4 * want / np.sqrt(ess))
    assert sd == pytest.approx(want, rel=4 / np.sqrt(2 * ess))
    assert ess >= 0.5 * len(post)
    assert w.sum() == pytest.approx(1) and (t.loc[~t["accepted"], "weight"] == 0).all()


def test_a_first_generation_around_search_trials_is_reweighted_to_the_prior():
    """Distance |θ - 0.3| under a uniform prior on [0, 1]: the ABC posterior at tolerance ε is uniform on
    [0.3 - ε, 0.3 + ε] (sd ε/√3). The first proposal crowds around the search's best trials; weighted by
    prior over proposal the last generation recovers the uniform's spread."""
    bounds = {"x": (0.0, 1.0)}
    search = pd.DataFrame({"x": np.linspace(0.27, 0.33, 12), "distance": np.abs(np.linspace(0.27, 0.33, 12) - 0.3)})
    t = abc_pmc(lambda pts: np.array([abs(p["x"] - 0.3) for p in pts]), bounds, search, draws=8000,
                             accept=0.5, seed=3)
    post = t[t["posterior"]]
    eps = post["tolerance"].iloc[0]
    mean = np.average(post["x"], weights=post["weight"])
    sd = np.sqrt(np.average((post["x"] - mean) ** 2, weights=post["weight"]))
    assert mean == pytest.approx(0.3, abs=0.02 * eps + 1e-4)
    assert sd == pytest.approx(eps / np.sqrt(3), rel=0.05)


def test_weights_and_kernel_of_two_particles_by_hand():
    """Previous generation: 0.4 (weight 1/4) and 0.6 (3/4), kernel sd 0.1 on [0, 1]. New draws 0.45 and 0.7:
    mixture densities 1/4 φ(0.5)/0.1 + 3/4 φ(1.5)/0.1 = 1.85155 and 1/4 φ(3)/0.1 + 3/4 φ(1)/0.1 = 1.82586;
    weights 1/q normalised: 0.49651, 0.50349 (the truncation to the box is one constant, it cancels). A third
    draw beyond the tolerance weighs 0."""
    lo, width = np.array([0.0]), np.array([1.0])
    proposal = {"centres": np.array([[0.4], [0.6]]), "log_cw": np.log([0.25, 0.75]), "cov": np.array([[0.01]]),
                "log_inside": np.log(0.97)}
    w = pmc_weights(np.array([[0.45], [0.7], [0.5]]), np.array([True, True, False]), proposal, 0.0, lo, width)
    assert w == pytest.approx([0.49651, 0.50349, 0.0], abs=1e-5)
    # the kernel (Filippi et al. 2013): Σ_i Σ_k w_i w̃_k (x̃_k - x_i)², x̃ = {0.4} within the next tolerance:
    # 1/4 · 0 + 3/4 · 0.2² = 0.03, plus the floor (0.005 · 1)²
    cov = kernel_cov(np.array([[0.4], [0.6]]), np.array([0.25, 0.75]), np.array([True, False]), width)
    assert cov[0, 0] == pytest.approx(0.03 + 0.005 ** 2)


def test_generation_sizes():
    assert sizes(320) == [54, 53, 53, 160] and sum(sizes(321)) == 321 and sizes(321)[-1] == 161
    assert sizes(6) == [6] and sizes(16) == [8, 8]


def test_the_same_seed_gives_the_same_table():
    run = lambda seed: abc_pmc(normal_mean(1), BOUNDS, None, 64, 0.5, seed=seed)
    pd.testing.assert_frame_equal(run(4), run(4))
    assert not run(4)["theta"].equals(run(5)["theta"])
