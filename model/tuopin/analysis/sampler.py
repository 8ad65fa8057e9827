"""The calibration's samplers: where the fit lies, and the posterior around it.

Why not ABC rejection alone: drawing from the whole prior box and keeping the closest draws needs
a number of draws that grows exponentially with the number of fitted parameters, because the
well-fitting region is an ever smaller share of the box. The default method, ``tpe-abc``, has two
stages whose cost grows about linearly with the number of parameters:

1. **Search** with Optuna's tree-structured Parzen estimator (TPE; Bergstra et al. 2011), a
   well-kept library (pinned in pyproject.toml): it concentrates its trials where the distance is
   small. Its trials find the fit but are not a posterior (they are drawn from TPE's densities,
   not the prior).
2. **Posterior** by ABC importance sampling, one generation of ABC population Monte Carlo
   (Beaumont, Cornuet, Marin & Robert 2009, *Biometrika* 96: 983-990): draws from a mixture of
   Gaussians centred on the best search trials with twice their covariance, kept inside the prior
   box, and a tenth from the box itself (a defensive mixture, Hesterberg 1995, *Technometrics* 37:
   185-194, so that no weight can dominate); a draw whose distance is within the tolerance (the ``accept`` quantile of the distances)
   gets the weight prior density / proposal density, the others 0. The weighted draws are the ABC
   posterior at that tolerance; their effective sample size is reported. Each importance draw is
   simulated on seeds of its own (the caller's ``evaluate`` sees to it), so the posterior holds
   the model's noise as well as the parameters'.

pyabc (ABC-SMC) was considered: its samplers start processes of their own (in tuopin only
runs/runner.py may) and draw from numpy's global random state, so it could not give the same
numbers on one worker or many. Here every simulation is a point on the runner; TPE is seeded and
asked for batches of a fixed size (not the number of workers), and the proposal is drawn from a
seeded generator, so the result depends on the seed only.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable

import numpy as np
import pandas as pd

BATCH = 8              # TPE trials asked before their results are told: fixed, so workers do not change the search
STREAM = 0x616263      # "abc": the proposal's generator, apart from the simulations' seeds
DEFENSIVE = 0.1        # share of the importance draws from the prior box (Hesterberg 1995): bounds the weights
Evaluate = Callable[[list[dict]], np.ndarray]  # parameter sets -> their distances, in order


def default_trials(k: int) -> int:
    """Search trials for ``k`` parameters: 16 per parameter and 16 more, in whole batches."""
    return BATCH * -(-16 * (k + 1) // BATCH)


def tpe_search(evaluate: Evaluate, bounds: dict[str, tuple[float, float]], trials: int, seed: int) -> pd.DataFrame:
    """Optuna TPE minimising the distance over the prior box; every trial (parameters, distance)."""
    import optuna

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", optuna.exceptions.ExperimentalWarning)  # multivariate, constant_liar
        sampler = optuna.samplers.TPESampler(seed=seed % 2**32, multivariate=True, constant_liar=True,
                                             n_startup_trials=min(trials, 2 * BATCH))
        study = optuna.create_study(direction="minimize", sampler=sampler)
        rows = []
        while len(rows) < trials:
            asked = [study.ask() for _ in range(min(BATCH, trials - len(rows)))]
            points = [{p: t.suggest_float(p, lo, hi) for p, (lo, hi) in bounds.items()} for t in asked]
            for trial, point, d in zip(asked, points, evaluate(points)):
                study.tell(trial, float(d))
                rows.append({**point, "distance": float(d)})
    return pd.DataFrame(rows)


def importance_posterior(evaluate: Evaluate, bounds: dict[str, tuple[float, float]], search: pd.DataFrame,
                         draws: int, accept: float, seed: int) -> pd.DataFrame:
    """ABC importance sampling around the search's best trials (see the module): every draw with
    its distance, ``accepted`` (within the tolerance) and normalised ``weight`` (0 if not accepted)."""
    from scipy.special import logsumexp

    names = list(bounds)
    lo, hi = (np.array([b[i] for b in bounds.values()], float) for i in (0, 1))
    best = search.sort_values("distance", kind="stable").head(max(2 * len(names) + 1, len(search) // 10))
    centres = best[names].to_numpy(float)
    width = hi - lo
    # twice the best trials' covariance (Beaumont et al.), at least (2 % of the prior width)^2 on the diagonal
    cov = 2 * np.atleast_2d(np.cov(centres, rowvar=False)) + np.diag((0.02 * width) ** 2)
    rng = np.random.default_rng([seed, STREAM])
    chol = np.linalg.cholesky(cov)
    uniform = int(round(DEFENSIVE * draws))  # a share from the prior box itself: keeps every weight ≤ draws / uniform
    out = np.empty((draws, len(names)))
    out[:uniform] = lo + rng.random((uniform, len(names))) * width
    filled, tried, inside = uniform, 0, 0
    for _ in range(10_000):  # the Gaussian part truncated to the box: redraw what falls outside it
        if filled == draws:
            break
        x = centres[rng.integers(len(centres), size=draws)] + rng.standard_normal((draws, len(names))) @ chol.T
        x = x[((x >= lo) & (x <= hi)).all(axis=1)]
        tried, inside = tried + draws, inside + len(x)
        x = x[: draws - filled]
        out[filled:filled + len(x)] = x
        filled += len(x)
    else:
        raise RuntimeError("the proposal keeps falling outside the prior box")
    dist = np.asarray(evaluate([dict(zip(names, row)) for row in out]), float)
    # the proposal's density q times the box's volume V: (1 - a) * Gaussian mixture / P(inside) * V + a, with a
    # the uniform share and P(inside) estimated by the redraws; the prior is 1/V on the box, so the weight is 1/(qV)
    share = uniform / draws
    inv = np.linalg.inv(cov)
    diff = out[:, None, :] - centres[None, :, :]
    log_norm = -0.5 * np.linalg.slogdet(2 * np.pi * cov)[1]
    log_mix = logsumexp(-0.5 * np.einsum("dci,ij,dcj->dc", diff, inv, diff), axis=1) - np.log(len(centres)) + log_norm
    log_gauss = np.log1p(-share) + log_mix + np.log(width).sum() - (np.log(inside / tried) if tried else 0.0)
    log_qv = np.logaddexp(log_gauss, np.log(share)) if uniform else log_gauss
    tol = float(np.quantile(dist, accept))
    accepted = dist <= tol
    w = np.where(accepted, np.exp(log_qv[accepted].min() - log_qv), 0.0)
    table = pd.DataFrame(out, columns=names)
    table["distance"], table["accepted"], table["weight"] = dist, accepted, w / w.sum()
    return table


def effective_size(weights) -> float:
    """Kish's effective sample size of importance weights: (Σw)² / Σw²."""
    w = np.asarray(weights, float)
    return float(w.sum() ** 2 / np.square(w).sum()) if w.sum() > 0 else 0.0


def weighted_quantile(values, weights, q: float) -> float:
    """The ``q`` quantile of weighted values (the inverse of the weighted empirical distribution,
    interpolated between the midpoints of the sorted values' weights)."""
    v, w = np.asarray(values, float), np.asarray(weights, float)
    order = np.argsort(v, kind="stable")
    v, w = v[order], w[order]
    keep = w > 0
    v, w = v[keep], w[keep]
    mid = (np.cumsum(w) - 0.5 * w) / w.sum()
    return float(np.interp(q, mid, v))
