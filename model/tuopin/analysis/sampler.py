"""The calibration's samplers: where the fit lies, and the posterior around it.

Why not ABC rejection alone: drawing from the whole prior box and keeping the closest draws needs
a number of draws that grows exponentially with the number of fitted parameters, because the
well-fitting region is an ever smaller share of the box. The default method, ``tpe-abc``, has two
stages whose cost grows about linearly with the number of parameters:

1. **Search** with Optuna's tree-structured Parzen estimator (TPE; Bergstra et al. 2011), a
   well-kept library (pinned in pyproject.toml): it concentrates its trials where the distance is
   small. Its trials find the fit but are not a posterior (they are drawn from TPE's densities,
   not the prior).
2. **Posterior** by ABC population Monte Carlo (ABC-PMC; Beaumont, Cornuet, Marin & Robert 2009,
   *Biometrika* 96: 983-990) in ``GENERATIONS`` generations over which the draws are split. The
   first proposes from a mixture of Gaussians centred on the best search trials with twice their
   covariance; each later one from a mixture on the previous generations' weighted accepted draws
   with twice their weighted covariance, so the proposal moves to the posterior's shape. Every
   generation keeps a tenth from the prior box itself (a defensive mixture, Hesterberg 1995,
   *Technometrics* 37: 185-194, so that no weight can dominate). All generations' draws are pooled
   at one tolerance (the ``accept`` quantile of their distances) and weighted prior density over
   the proposals' mixture in proportion to their draws (the balance heuristic of multiple
   importance sampling: Veach & Guibas 1995; Owen & Zhou 2000, *JASA* 95: 135-143): no draw is
   wasted, and a draw the early, narrow proposal reaches only from its box share gets the later,
   wider one's density too, which is what kept the effective sample size small with one
   generation. The weighted draws are the ABC posterior at that tolerance; their effective sample
   size is reported. Each importance draw is simulated on seeds of its own (the caller's
   ``evaluate`` sees to it), so the posterior holds the model's noise as well as the parameters'.

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
GENERATIONS = 2        # ABC-PMC generations the importance draws are split over
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
                         draws: int, accept: float, seed: int, generations: int = GENERATIONS) -> pd.DataFrame:
    """ABC population Monte Carlo around the search's best trials (see the module): ``draws`` split over
    ``generations``, each proposed around the previous one's weighted accepted draws; every draw with
    its ``generation``, distance, ``accepted`` (within the common tolerance) and normalised ``weight``
    (0 if not accepted)."""
    names = list(bounds)
    lo, hi = (np.array([b[i] for b in bounds.values()], float) for i in (0, 1))
    width = hi - lo
    best = search.sort_values("distance", kind="stable").head(max(2 * len(names) + 1, len(search) // 10))
    centres, cw = best[names].to_numpy(float), np.full(len(best), 1.0 / len(best))
    rng = np.random.default_rng([seed, STREAM])
    sizes = [draws // generations + (g < draws % generations) for g in range(generations)]
    proposals, points, dists = [], [], []
    for g, n in enumerate(sizes):
        if g:  # the next proposal: the weighted accepted draws so far, at the tolerance so far
            x, d = np.concatenate(points), np.concatenate(dists)
            w = _weights(x, d, np.quantile(d, accept), proposals, sizes, lo, width)
            keep = w > 0
            centres, cw = x[keep], w[keep] / w[keep].sum()
        proposal = _proposal(centres, cw, width)
        x, inside = _draw(rng, proposal, lo, hi, n)
        proposal["log_inside"] = np.log(inside)
        proposals.append(proposal)
        points.append(x)
        dists.append(np.asarray(evaluate([dict(zip(names, row)) for row in x]), float))
    out, dist = np.concatenate(points), np.concatenate(dists)
    tol = float(np.quantile(dist, accept))
    w = _weights(out, dist, tol, proposals, sizes, lo, width)
    table = pd.DataFrame(out, columns=names)
    table["generation"] = np.repeat(np.arange(generations), sizes)
    table["distance"], table["accepted"], table["weight"] = dist, dist <= tol, w / w.sum()
    return table


def _proposal(centres: np.ndarray, cw: np.ndarray, width: np.ndarray) -> dict:
    """A Gaussian mixture on ``centres`` (weights ``cw``) with twice their weighted covariance
    (Beaumont et al.), at least (2 % of the prior width)^2 on the diagonal."""
    cov = np.atleast_2d(np.cov(centres, rowvar=False, aweights=cw)) if len(centres) > 1 else np.zeros((width.size,) * 2)
    cov = 2 * cov + np.diag((0.02 * width) ** 2)
    return {"centres": centres, "log_cw": np.log(cw), "cov": cov}


def _draw(rng: np.random.Generator, proposal: dict, lo: np.ndarray, hi: np.ndarray, n: int) -> tuple[np.ndarray, float]:
    """``n`` draws: the defensive share from the box, the rest from the mixture truncated to the box
    (redrawn where they fall outside); and the estimated share of the mixture inside the box."""
    k = lo.size
    uniform = int(round(DEFENSIVE * n))  # a share from the prior box itself: keeps every weight ≤ n / uniform
    out = np.empty((n, k))
    out[:uniform] = lo + rng.random((uniform, k)) * (hi - lo)
    chol = np.linalg.cholesky(proposal["cov"])
    cp = np.exp(proposal["log_cw"])
    filled, tried, inside = uniform, 0, 0
    for _ in range(10_000):
        if filled == n:
            break
        x = proposal["centres"][rng.choice(len(cp), size=n, p=cp / cp.sum())] + rng.standard_normal((n, k)) @ chol.T
        x = x[((x >= lo) & (x <= hi)).all(axis=1)]
        tried, inside = tried + n, inside + len(x)
        x = x[: n - filled]
        out[filled:filled + len(x)] = x
        filled += len(x)
    else:
        raise RuntimeError("the proposal keeps falling outside the prior box")
    return out, (inside / tried if tried else 1.0)


def _log_qv(x: np.ndarray, proposal: dict, share: float, lo: np.ndarray, width: np.ndarray) -> np.ndarray:
    """log of one proposal's density times the box's volume V at ``x``: (1 - a) * mixture / P(inside) * V + a,
    with ``a`` the uniform share (the prior is 1/V on the box, so a weight is 1/(qV))."""
    from scipy.special import logsumexp

    cov = proposal["cov"]
    inv = np.linalg.inv(cov)
    diff = x[:, None, :] - proposal["centres"][None, :, :]
    log_norm = -0.5 * np.linalg.slogdet(2 * np.pi * cov)[1]
    log_mix = logsumexp(-0.5 * np.einsum("dci,ij,dcj->dc", diff, inv, diff) + proposal["log_cw"], axis=1) + log_norm
    log_gauss = np.log1p(-share) + log_mix + np.log(width).sum() - proposal["log_inside"]
    return np.logaddexp(log_gauss, np.log(share)) if share > 0 else log_gauss


def _weights(x: np.ndarray, dist: np.ndarray, tol: float, proposals: list[dict], sizes: list[int],
             lo: np.ndarray, width: np.ndarray) -> np.ndarray:
    """Importance weights of the pooled draws of every generation so far at tolerance ``tol``: prior over
    the mixture of the proposals in proportion to their draws (the balance heuristic: Veach & Guibas
    1995; Owen & Zhou 2000, JASA 95: 135-143), 0 beyond the tolerance; the largest is 1."""
    n = sizes[:len(proposals)]
    log_q = np.stack([_log_qv(x, p, round(DEFENSIVE * m) / m, lo, width) + np.log(m / sum(n))
                      for p, m in zip(proposals, n)])
    from scipy.special import logsumexp

    log_q = logsumexp(log_q, axis=0)
    ok = dist <= tol
    return np.where(ok, np.exp(log_q[ok].min() - log_q), 0.0) if ok.any() else np.zeros(len(x))


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
