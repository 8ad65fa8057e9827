"""The calibration sampler's settings, chosen on toys with a known ABC posterior (not on the backtest).

Four parameters in the unit box (uniform prior), summaries A·θ + N(0, 0.03²) each, observed A·θ0, distance the
RMS of the differences (as the calibration's). ``ident``: A = I (every parameter informed); ``ridge``: 3 summaries
of 4 parameters (a ridge the data leave open, as 2014-2016's headcount leaves the national fit). For each
sampler setting and seed: the last generation's Kish effective sample size, accepted draws, tolerance ε, and
against a reference (rejection from 400,000 prior draws at the same ε): the weighted mean's error in reference
sds and the weighted sd over the reference sd, averaged over the parameters. ``tpe`` runs the 80-trial TPE
search first (common numbers) and starts the generations around its best trials; ``prior`` starts from the box.

    PYTHONPATH=model python benchmarks/sampler_toys.py      # about 2 minutes
"""

import warnings

import numpy as np
import pandas as pd

from tuopin.analysis import sampler as S

K, SIGMA = 4, 0.03
THETA0 = np.array([0.4, 0.6, 0.3, 0.55])
TOYS = {"ident": np.eye(K), "ridge": np.array([[1, 1, 0, 0], [0, 1, 1, 0], [0, 0, 1, 1.]]) / 1.5}
BOUNDS = {f"p{i}": (0.0, 1.0) for i in range(K)}


def run(A, start: str, draws: int, seed: int, generations: int = 4, alpha: float = 0.5) -> dict:
    obs = A @ THETA0

    def dist(X, rng):
        s = X @ A.T + SIGMA * rng.standard_normal((len(X), A.shape[0]))
        return np.sqrt(((s - obs) ** 2).mean(axis=1))

    points = lambda pts: np.array([[p[k] for k in BOUNDS] for p in pts])
    search = None
    if start == "tpe":
        search = S.tpe_search(lambda pts: dist(points(pts), np.random.default_rng(seed)), BOUNDS, 80, seed)
    rng = np.random.default_rng([seed, 1])
    t = S.abc_pmc(lambda pts: dist(points(pts), rng), BOUNDS, search, draws, alpha, seed, generations)
    post = t[t["posterior"]]
    eps = post["tolerance"].iloc[0]
    X = np.random.default_rng([seed, 2]).random((400_000, K))
    ref = X[dist(X, np.random.default_rng([seed, 3])) <= eps]
    w, P = post["weight"].to_numpy(), post[list(BOUNDS)].to_numpy()
    m = w @ P
    sd = np.sqrt(w @ (P - m) ** 2)
    return {"ess": S.effective_size(w), "accepted": len(post), "eps": eps,
            "mean_error_sd": float(np.abs((m - ref.mean(0)) / ref.std(0)).mean()), "sd_ratio": float((sd / ref.std(0)).mean())}


if __name__ == "__main__":
    warnings.simplefilter("ignore")
    rows = [{"toy": toy, "start": start, "draws": draws, "seed": seed, **run(A, start, draws, seed)}
            for toy, A in TOYS.items() for start, draws in (("prior", 320), ("tpe", 256), ("prior", 256)) for seed in range(8)]
    df = pd.DataFrame(rows)
    cols = ["ess", "accepted", "eps", "mean_error_sd", "sd_ratio"]
    print(df.groupby(["toy", "start", "draws"], sort=False)[cols].agg(["median", "min", "max"]).round(3).to_string())
