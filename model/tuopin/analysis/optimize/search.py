"""The search: differential evolution over the box of splits at one budget, started from the
seed allocation and the uniform split, with the 兜底 coverage rule as a penalty."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .constraints import Bounds
from .evaluate import OBJECTIVES, Evaluator, doudi_paid, summarise
from .split import box_point, project, split_from_x


@dataclass
class Search:
    """One optimisation at one budget: every candidate evaluated and the best one."""

    bounds: Bounds
    candidates: list[dict] = field(default_factory=list)  # role, caps, the objective's mean / p50 / p5 / p95
    best: dict[str, float] | None = None
    best_score: float = -np.inf


NEAR_SIGMA = 0.3  # spread (log scale) of the first population around the first start


def optimise(score_batch, n: int, evaluations: int, seed: int, starts: list[np.ndarray]):
    """Maximise ``score_batch`` (a list of box points -> list of scores) over [0, 1]^n with
    differential evolution, at most ``evaluations`` points (the first population holds ``starts``,
    the rest a Latin hypercube). Returns (best x, best score). Kept free of the model so a test can
    check it finds a known optimum through exactly this code path."""
    from scipy.optimize import differential_evolution
    from scipy.stats import qmc

    size = int(min(max(5, 2 * n), max(5, evaluations)))
    rng = np.random.default_rng(seed)
    init = qmc.LatinHypercube(d=n, rng=rng).random(size)
    # the first population: the starts, then the first start with each weight scaled by a random
    # factor (about x/÷ 1.35), and a quarter from the Latin hypercube. With a few generations to
    # spend, the search does best near a good incumbent; the hypercube keeps it looking further afield
    near = [np.asarray(x, float) for x in starts]
    while len(near) < size - size // 4 and len(starts):
        near.append(np.clip(near[0] * np.exp(rng.normal(0, NEAR_SIGMA, n) - NEAR_SIGMA), 0, 1))
    for k, x in enumerate(near[:size]):
        init[k] = x
    best = {"x": init[0], "score": -np.inf}

    def batch(_func, xs):
        xs = [np.asarray(x, float) for x in xs]
        scores = score_batch(xs)
        for x, s in zip(xs, scores):
            if s > best["score"]:
                best.update(x=x.copy(), score=s)
        return [-s for s in scores]

    maxiter = max(0, evaluations // size - 1)
    differential_evolution(lambda x: 0.0, [(0.0, 1.0)] * n, maxiter=maxiter, popsize=1, init=init, rng=seed,
                           polish=False, updating="deferred", workers=batch, tol=0, mutation=(0.5, 1.0),
                           recombination=0.7)
    return best["x"], best["score"]


PENALTY = 1e12  # taken off the score of a split that does not pay 兜底 its coverage


def search(ev: Evaluator, bounds: Bounds, objective: str, evaluations: int, seed: int,
           seed_shares: dict[str, float], fraction: float, doudi: float | None = None) -> Search:
    """Optimise the split within ``bounds``; the seed allocation and the uniform split start the
    search, so the best split is never worse than either on these seeds. With ``doudi`` (the
    coverage rule), a split counts only if the 兜底 lever is paid at least that share of what it
    asks on every replicate: the lower bound from the uncapped need is not enough on its own,
    because capping the other levers leaves more households on 低保."""
    sign = OBJECTIVES[objective][0]
    out = Search(bounds)
    n = len(bounds.free)
    shares = np.array([seed_shares.get(k, 0.0) for k in bounds.free], float)
    starts = [box_point(project(w, bounds.lo, bounds.hi, bounds.remaining), bounds.lo) for w in (shares, np.ones(n))]
    roles = iter(["seed_allocation", "uniform"])

    def score_batch(xs):
        splits = [bounds.caps(split_from_x(x, bounds.lo, bounds.hi, bounds.remaining)) for x in xs]
        results = ev.run(splits)
        scores = []
        for caps, outs in zip(splits, results):
            s = summarise(outs, objective)
            role = next(roles, "search")
            paid = doudi_paid(outs)
            ok = doudi is None or paid >= min(doudi, 1.0) - 1e-9
            out.candidates.append({"budget_fraction": fraction, "budget_yuan": bounds.budget, "evaluation": len(out.candidates),
                                   "role": role, **{f"cap_{k}": v for k, v in sorted(caps.items())},
                                   **{f"{objective}_{q}": v for q, v in s.items()}, "doudi_paid_min": paid,
                                   "feasible": ok})
            score = sign * s["mean"] - (0 if ok else PENALTY * (1 + min(doudi, 1.0) - paid))
            scores.append(score)
            if ok and score > out.best_score:
                out.best, out.best_score = caps, score
        return scores

    if n <= 1:  # nothing to choose: the sum fixes the split
        score_batch([np.ones(n)])
    else:
        optimise(score_batch, n, evaluations, seed, starts)
    return out
