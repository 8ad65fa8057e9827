"""The calibration's samplers: the ABC posterior of the fitted parameters.

The default method, ``abc-pmc``, is ABC population Monte Carlo (Beaumont, Cornuet, Marin & Robert 2009,
*Biometrika* 96: 983-990) with an adaptive tolerance (Del Moral, Doucet & Jasra 2012, *Statistics and
Computing* 22: 1009-1020; Drovandi & Pettitt 2011, *Biometrics* 67: 225-233), in ``GENERATIONS``
generations of fixed size (:func:`sizes`):

1. The first generation is drawn from the prior box and its ``accept`` quantile of distances is its tolerance.
2. Each later generation's tolerance is the ``accept`` quantile (α, 0.5) of the previous generation's
   accepted distances, so it falls; its draws come from the previous generation's weighted accepted draws,
   each moved by a Gaussian kernel truncated to the box whose covariance is Filippi, Barnes, Cornebise &
   Stumpf's (2013, *SAGMB* 12: 87-107) optimal one (:func:`kernel_cov`); a draw within the tolerance weighs
   prior / Σ_j w_j K(θ | θ_j) (:func:`pmc_weights`). A generation accepts at least ``LEAST_SHARE`` of its
   draws: near the model's noise floor a falling tolerance would otherwise accept almost nothing (the
   schedules above stop there; this one, of fixed cost, holds its tolerance instead).
3. The posterior is the last generation's accepted draws with their weights; the last generation has half
   the draws (the earlier ones only lead the proposal there), and their Kish effective sample size is reported.

Why this method, and why from the prior. The sampler before this one (session 11 and earlier) started from
an Optuna TPE search (Bergstra et al. 2011) and pooled every generation's importance draws at one loose
tolerance: the ABC target was broad, the proposals narrow around the search's best trials, and the few
accepted draws from its defensive box share carried almost all the weight (effective sample size 1.2-3 on the
2016 backtest). On toy models with a known ABC posterior (4 parameters in a unit box, distance the RMS of
noisy summaries, 256-320 draws, 4 generations, α 0.5, 8 seeds each; benchmarks/README.md, session 12) a
first generation from the prior gives an effective sample size of 28-37 (median) and the reference
posterior's sd (ratio 0.96-0.99), while one around TPE's best trials (the search run first, as ``tpe-abc``
does) gives 14-16 and, where the summaries leave a ridge (3 summaries of 4 parameters, as 2014-2016's
headcount leaves the national fit), a posterior too narrow (sd ratio 0.59): TPE's trials say where the fit
is, not how far the posterior reaches. ``tpe-abc`` is kept for comparison. ``rejection`` (scrambled Sobol
draws over the box, the closest accepted) is the first method.

Each ABC-PMC draw is simulated on seeds of its own (the caller's ``evaluate`` sees to it), so the posterior
holds the model's noise as well as the parameters'. pyabc (ABC-SMC) was considered: its samplers start
processes of their own (in tuopin only runs/runner.py may) and draw from numpy's global random state, so it
could not give the same numbers on one worker or many. Here every simulation is a point on the runner;
generations have a fixed size, TPE is seeded and asked for batches of a fixed size (not the number of
workers), and the proposals are drawn from a seeded generator, so the result depends on the seed only.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable

import numpy as np
import pandas as pd

BATCH = 8              # TPE trials asked before their results are told: fixed, so workers do not change the search
STREAM = 0x616263      # "abc": the proposal's generator, apart from the simulations' seeds
DEFENSIVE = 0.1        # share of the first generation drawn from the prior box (Hesterberg 1995): bounds its weights
GENERATIONS = 4        # ABC-PMC generations the draws are split over (the last has half of them)
LEAST_SHARE = 0.25     # a generation accepts at least this share of its draws (its tolerance then falls less)
FLOOR = 0.005          # the kernel's least sd, a share of the prior width: keeps its covariance invertible
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


def abc_pmc(evaluate: Evaluate, bounds: dict[str, tuple[float, float]], search: pd.DataFrame | None,
                         draws: int, accept: float, seed: int, generations: int = GENERATIONS) -> pd.DataFrame:
    """ABC-PMC with a falling tolerance (see the module): ``draws`` in :func:`sizes` over ``generations``, the
    first from the prior box (``search`` None) or around the search's best trials; every draw with its
    ``generation`` (from 1), ``tolerance``, distance, ``accepted`` (within its generation's tolerance) and
    ``weight`` (prior over proposal, normalised within its generation, 0 if not accepted). The posterior is the
    last generation's accepted draws: ``posterior`` true."""
    names = list(bounds)
    lo, hi = (np.array([b[i] for b in bounds.values()], float) for i in (0, 1))
    width = hi - lo
    rng = np.random.default_rng([seed, STREAM])
    share, proposal = 1.0, {"centres": lo[None, :], "log_cw": np.zeros(1), "cov": np.diag(width ** 2)}
    if search is not None:  # around the search's best trials, twice their covariance (Beaumont et al.), a defensive share
        best = search.sort_values("distance", kind="stable").head(max(2 * len(names) + 1, len(search) // 10))
        centres = best[names].to_numpy(float)
        cov = 2 * np.atleast_2d(np.cov(centres, rowvar=False)) + np.diag((FLOOR * width) ** 2)
        share, proposal = DEFENSIVE, {"centres": centres, "log_cw": np.full(len(centres), -np.log(len(centres))), "cov": cov}
    n_of = sizes(draws, generations)
    least = min(len(names) + 1, min(n_of))  # a generation keeps at least this many (a covariance needs them)
    parts, tol = [], None
    for g, n in enumerate(n_of):
        if g:  # the next tolerance and kernel from the previous generation's weighted accepted draws
            px, pw, pdist = x[ok], w[ok], dist[ok]
            tol = float(np.quantile(pdist, accept))
            share, proposal = 0.0, {"centres": px, "log_cw": np.log(pw), "cov": kernel_cov(px, pw, pdist <= tol, width)}
        x, inside = _draw(rng, proposal, lo, hi, n, share)
        proposal["log_inside"] = np.log(inside)
        dist = np.asarray(evaluate([dict(zip(names, row)) for row in x]), float)
        if tol is None:  # the first generation: the ``accept`` quantile of its own distances
            tol = float(np.quantile(dist, accept))
        tol = max(tol, float(np.sort(dist)[max(least, int(np.ceil(LEAST_SHARE * n))) - 1]))  # never fewer than that
        ok = dist <= tol
        w = pmc_weights(x, ok, proposal, share, lo, width)
        part = pd.DataFrame(x, columns=names)
        part["generation"], part["tolerance"] = g + 1, tol
        part["distance"], part["accepted"], part["weight"] = dist, ok, w
        parts.append(part)
    table = pd.concat(parts, ignore_index=True)
    table["posterior"] = table["accepted"] & (table["generation"] == len(n_of))
    return table


def pmc_weights(x: np.ndarray, ok: np.ndarray, proposal: dict, share: float, lo: np.ndarray, width: np.ndarray) -> np.ndarray:
    """Importance weights of draws ``x`` from ``proposal`` (its ``share`` from the box): the uniform prior over the
    proposal's density, which for a later generation is the previous one's weighted kernel mixture
    Σ_j w_j K(x | x_j) (Beaumont et al. 2009); 0 where not ``ok`` (beyond the tolerance); normalised."""
    log_q = _log_qv(x, proposal, share, lo, width)
    w = np.where(ok, np.exp(log_q[ok].min() - log_q), 0.0)
    return w / w.sum()


def sizes(draws: int, generations: int = GENERATIONS) -> list[int]:
    """Draws per generation: the last, whose accepted draws are the posterior, has half of them; the others
    share the rest; fewer generations when there are under 8 draws a generation."""
    generations = max(1, min(generations, draws // 8))
    if generations == 1:
        return [draws]
    last, rest = draws - draws // 2, draws // 2
    return [rest // (generations - 1) + (g < rest % (generations - 1)) for g in range(generations - 1)] + [last]


def kernel_cov(x: np.ndarray, w: np.ndarray, closer: np.ndarray, width: np.ndarray) -> np.ndarray:
    """The perturbation kernel's covariance for the next generation (Filippi, Barnes, Cornebise & Stumpf 2013,
    SAGMB 12: 87-107, the optimal multivariate normal kernel): Σ_i Σ_k w_i w̃_k (x̃_k - x_i)(x̃_k - x_i)ᵀ over the
    previous generation's draws ``x`` (weights ``w``) and those of them within the next tolerance (``closer``,
    weights w̃ renormalised) = cov(x) + cov(x̃) + (mean x - mean x̃)(…)ᵀ; at least (FLOOR × prior width)² on the diagonal."""
    def moments(v, a):
        a = a / a.sum()
        m = a @ v
        return m, (v - m).T @ ((v - m) * a[:, None])

    m, c = moments(x, w)
    mt, ct = moments(x[closer], w[closer]) if closer.any() else (m, np.zeros_like(c))
    return c + ct + np.outer(m - mt, m - mt) + np.diag((FLOOR * width) ** 2)


def _draw(rng: np.random.Generator, proposal: dict, lo: np.ndarray, hi: np.ndarray, n: int,
          share: float) -> tuple[np.ndarray, float]:
    """``n`` draws: a ``share`` from the box, the rest from the mixture truncated to the box (redrawn where
    they fall outside); and the estimated share of the mixture inside the box."""
    k = lo.size
    uniform = int(round(share * n))
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
    """log of the proposal's density times the box's volume V at ``x``: (1 - a) * mixture / P(inside) * V + a,
    with ``a`` the uniform share (the prior is 1/V on the box, so a weight is 1/(qV))."""
    from scipy.special import logsumexp

    if share >= 1:  # the prior box itself
        return np.zeros(len(x))
    cov = proposal["cov"]
    inv = np.linalg.inv(cov)
    diff = x[:, None, :] - proposal["centres"][None, :, :]
    log_norm = -0.5 * np.linalg.slogdet(2 * np.pi * cov)[1]
    log_mix = logsumexp(-0.5 * np.einsum("dci,ij,dcj->dc", diff, inv, diff) + proposal["log_cw"], axis=1) + log_norm
    log_gauss = np.log1p(-share) + log_mix + np.log(width).sum() - proposal["log_inside"]
    return np.logaddexp(log_gauss, np.log(share)) if share > 0 else log_gauss


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
