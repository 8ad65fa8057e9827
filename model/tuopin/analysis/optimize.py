"""Budget planning: split a yearly budget over the policy levers to do the most good.

A *split* is a yearly cap (yuan) for each lever, summing to the budget; the model's ledger enforces
it (past a cap whole households are paid poorest first, the rest is shortfall). Every split is run
on the same replicate seeds (common random numbers), so two splits differ by what the money does,
not by luck. The optimiser is scipy's differential evolution (a fixed seed, no gradient polish) on
a box that maps onto the constrained simplex (:func:`split_from_x`); each generation's candidates x
replicates are one batch in a process pool, returned in order, so 1 or 2 workers give the same
numbers. The best split is then re-run with seed allocation and uniform split on fresh seeds
(confirmation replicates), because a best-of-many chosen on R seeds flatters itself on those seeds.

The same split holds every year (the scenarios do not carry per-year budgets).
"""

from __future__ import annotations

import multiprocessing
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from ..inputs.scenario import FieldProblem, LoadedScenario, ScenarioError, read_toml

OBJECTIVES = {  # name: (sign that makes "larger is better", what it counts)
    "sustained_exits": (1, "people exited (cohorts observed 24 months) who did not relapse"),
    "shortfall": (-1, "people short of the yearly exit targets (declared exits), summed over years"),
    "relapse": (-1, "relapses (people), summed over years"),
}
FRONTIER = (0.5, 0.75, 1.0, 1.25, 1.5)
DOUDI = "dibao"          # the 兜底 lever: 低保 and 五保 transfers
AUTO_SAMPLE_HOUSEHOLDS = 10_000  # sampled mode by default simulates about this many registered households


# ---------------------------------------------------------------- constraints


class ConstraintsError(ScenarioError):
    """One problem with a constraints file (same message shape and exit status as a scenario)."""


class LeverRule(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    min: float | None = Field(default=None, ge=0, lt=1e13, description="yuan a year, at least")
    max: float | None = Field(default=None, ge=0, lt=1e13, description="yuan a year, at most")
    min_share: float | None = Field(default=None, ge=0, le=1, description="share of the budget, at least")
    max_share: float | None = Field(default=None, ge=0, le=1, description="share of the budget, at most")
    fixed: float | None = Field(default=None, ge=0, lt=1e13, description="yuan a year, exactly")
    exclude: bool = Field(default=False, description="no money (cap 0)")

    @model_validator(mode="after")
    def _check(self):
        bounded = [k for k in ("min", "max", "min_share", "max_share") if getattr(self, k) is not None]
        if (self.fixed is not None or self.exclude) and bounded:
            raise FieldProblem(bounded[0], "cannot be combined with fixed or exclude")
        if self.fixed is not None and self.exclude:
            raise FieldProblem("exclude", "cannot be combined with fixed")
        if self.min is not None and self.max is not None and self.min > self.max:
            raise FieldProblem("min", f"must not exceed max ({self.max:,.0f}), got {self.min:,.0f}")
        if self.min_share is not None and self.max_share is not None and self.min_share > self.max_share:
            raise FieldProblem("min_share", f"must not exceed max_share ({self.max_share}), got {self.min_share}")
        return self


class Constraints(BaseModel):
    """A constraints file: ``doudi_coverage`` (the 兜底 lever's cap at least this share of its
    largest uncapped yearly need, and the lever paid at least this share of what it asks on every
    search replicate; 1 = full cover) and ``[levers.<name>]`` rules (yuan a year or budget shares)."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    doudi_coverage: float | None = Field(default=None, ge=0, le=2, description="dibao cap >= this x its uncapped need")
    levers: dict[str, LeverRule] = Field(default_factory=dict)


def load_constraints(path: str | Path | None, levers: list[str]) -> Constraints:
    """Read and validate a constraints file; every problem is one :class:`ConstraintsError` naming
    the file, the field and what is allowed (as scenarios do)."""
    if path is None:
        return Constraints()
    path = Path(path)
    if not path.is_file():
        raise ConstraintsError(path, "(file)", "no such constraints file")
    raw = read_toml(path, ConstraintsError)
    for name in (raw.get("levers") or {}) if isinstance(raw.get("levers"), dict) else ():
        if name not in levers:
            raise ConstraintsError(path, f"levers.{name}", f"is not a lever; allowed: {', '.join(sorted(levers))}")
    try:
        return Constraints.model_validate(raw)
    except ValidationError as e:
        first = e.errors()[0]
        loc, msg = [str(p) for p in first["loc"]], first["msg"].removeprefix("Value error, ")
        problem = first.get("ctx", {}).get("error")
        if isinstance(problem, FieldProblem):
            loc, msg = [*loc, problem.field], str(problem)
        if first["type"] == "extra_forbidden":
            msg = "is not a known field; allowed: " + (", ".join(LeverRule.model_fields) if len(loc) == 3
                                                      else ", ".join(Constraints.model_fields))
        more = f" (and {len(e.errors()) - 1} more)" if len(e.errors()) > 1 else ""
        raise ConstraintsError(path, ".".join(loc) or "(top level)", msg + more) from None


@dataclass(frozen=True)
class Bounds:
    """Where a split may lie at one budget: ``free`` levers in [lo, hi] sharing ``remaining``
    yuan, plus ``fixed`` amounts (excluded levers and levers with no spend in the scenario: 0)."""

    budget: float
    free: tuple[str, ...]
    lo: np.ndarray
    hi: np.ndarray
    fixed: dict[str, float]

    @property
    def remaining(self) -> float:
        return self.budget - sum(self.fixed.values())

    def caps(self, c: np.ndarray) -> dict[str, float]:
        return {**self.fixed, **{k: float(v) for k, v in zip(self.free, c)}}


def bounds_for(constraints: Constraints, budget: float, active: list[str], need: dict[str, float],
               source: str = "constraints") -> Bounds:
    """The box and fixed amounts at ``budget``; a :class:`ConstraintsError` when no split fits.

    ``active``: levers that spend anything in the uncapped scenario (money given to the others
    would buy nothing, so they get 0 unless a rule says otherwise); ``need``: uncapped yearly need
    by lever (the 兜底 coverage rule)."""
    rules = constraints.levers
    fixed, free, lo, hi = {}, [], [], []
    for lever in sorted(set(active) | set(rules)):
        r = rules.get(lever, LeverRule())
        if r.exclude or (lever not in active and r.fixed is None and not (r.min or r.min_share)):
            fixed[lever] = 0.0
        elif r.fixed is not None:
            fixed[lever] = r.fixed
        else:
            free.append(lever)
            lo.append(max(r.min or 0.0, (r.min_share or 0.0) * budget))
            hi.append(min(r.max if r.max is not None else np.inf, (r.max_share if r.max_share is not None else 1) * budget))
    for lever, a, b in zip(free, lo, hi):
        if a > b:
            raise ConstraintsError(source, f"levers.{lever}", f"its minimum ({a:,.0f} yuan) is above its maximum "
                                                              f"({b:,.0f}) at a budget of {budget:,.0f}")
    if constraints.doudi_coverage is not None and DOUDI in free:
        i = free.index(DOUDI)
        lo[i] = max(lo[i], constraints.doudi_coverage * need.get(DOUDI, 0.0))
        if lo[i] > hi[i]:
            raise ConstraintsError(source, "doudi_coverage", f"needs {lo[i]:,.0f} yuan a year for {DOUDI}, above its "
                                                             f"maximum ({hi[i]:,.0f})")
    b = Bounds(budget, tuple(free), np.array(lo, float), np.array(hi, float), fixed)
    if b.remaining < -1e-6 * budget:
        raise ConstraintsError(source, "levers", f"fixed amounts ({sum(fixed.values()):,.0f} yuan) exceed the budget "
                                                 f"({budget:,.0f})")
    if b.lo.sum() > b.remaining * (1 + 1e-9):
        what = "minimums (with doudi_coverage)" if constraints.doudi_coverage else "minimums"
        raise ConstraintsError(source, "levers", f"the {what} add up to {b.lo.sum() + sum(fixed.values()):,.0f} yuan, "
                                                 f"more than the budget ({budget:,.0f})")
    if not free and abs(b.remaining) > 1e-6 * budget or free and np.minimum(b.hi, b.remaining).sum() < b.remaining * (1 - 1e-9):
        raise ConstraintsError(source, "levers", f"the maximums (and fixed amounts) add up to less than the budget "
                                                 f"({budget:,.0f}); raise a maximum or lower --budget")
    return b


def split_from_x(x: np.ndarray, lo: np.ndarray, hi: np.ndarray, total: float) -> np.ndarray:
    """Map a point of the unit box onto {lo <= c <= hi, sum c = total}: weights x / sum x share out
    what is left above the minimums, and whatever a maximum cuts off goes to the other levers in
    proportion to their weights (water-filling). Every x gives a feasible split, so the optimiser
    needs no penalty terms; the uniform box point (all ones) gives minimums plus equal shares."""
    x = np.clip(np.asarray(x, float), 0, None)
    w = x / x.sum() if x.sum() > 0 else np.full(len(x), 1 / len(x))
    hi = np.minimum(hi, total)
    c = lo.copy()
    open_ = c < hi
    for _ in range(len(x) + 1):
        left = total - c.sum()
        if left <= 1e-9 * max(total, 1) or not open_.any():
            break
        ww = np.where(open_, w, 0)
        if ww.sum() <= 0:  # all weight is on levers at their maximum: the rest goes evenly to the open ones
            ww = open_.astype(float)
        c = c + left * (ww / ww.sum())
        over = c > hi
        c[over] = hi[over]
        open_ &= ~over & (c < hi)
    return c


def project(shares: np.ndarray, lo: np.ndarray, hi: np.ndarray, total: float) -> np.ndarray:
    """The split closest in proportion to ``shares`` that the bounds allow: clip(t * shares, lo, hi)
    with t such that it sums to ``total``. The sum is piecewise linear and rising in t, with kinks
    where a lever reaches a bound, so t is solved exactly on the right piece. This is how the seed
    allocation and the uniform split are fitted to the constraints: a lever below its minimum is
    raised to it and the others are scaled down together, not shifted."""
    n = len(lo)
    if n == 0:
        return np.zeros(0)
    sh = np.asarray(shares, float)
    sh = sh / sh.sum() if sh.sum() > 0 else np.full(n, 1 / n)
    hi = np.minimum(hi, total)
    pos = sh > 0

    def g(t):
        return np.clip(t * sh, lo, hi).sum()

    with np.errstate(over="ignore"):  # a vanishing share puts its kinks at infinity: dropped below
        kinks = np.unique(np.concatenate([[0.0], lo[pos] / sh[pos], hi[pos] / sh[pos]]))
    kinks = kinks[np.isfinite(kinks)]
    values = np.array([g(t) for t in kinks])
    k = int(np.searchsorted(values, total))  # first kink where the sum reaches the total
    if k == 0:
        t = kinks[0]
    elif k == len(kinks):
        t = kinks[-1]
    else:
        t0, t1, v0, v1 = kinks[k - 1], kinks[k], values[k - 1], values[k]
        t = t0 + (total - v0) * (t1 - t0) / (v1 - v0) if v1 > v0 else t1
    c = np.clip(t * sh, lo, hi)
    left = total - c.sum()  # rounding, or what levers with no share must take: to those below their maximum
    room = hi - c
    if left > 0 and room.sum() > 0:
        c = c + left * room / room.sum()
    return c


def box_point(c: np.ndarray, lo: np.ndarray) -> np.ndarray:
    """A point x of the unit box with ``split_from_x(x) == c`` (for a feasible split ``c``)."""
    d = np.maximum(np.asarray(c, float) - lo, 0)
    return d / d.max() if len(d) and d.max() > 0 else np.ones(len(d))


# ---------------------------------------------------------------- evaluation

@dataclass(frozen=True)
class Outcome:
    """One replicate under one split: every objective, and yearly mean spend and shortfall by lever."""

    values: dict[str, float]
    spend: dict[str, float]
    shortfall: dict[str, float]
    need_max: dict[str, float]  # the largest yearly request by lever (spend + shortfall)


def objectives(annual: list[dict], sustained: int) -> dict[str, float]:
    short = sum(max(0.0, r["target_exits"] - r["exits_declared"]) for r in annual
                if r.get("target_exits") is not None and not pd.isna(r["target_exits"]))
    return {"sustained_exits": float(sustained), "shortfall": float(short),
            "relapse": float(sum(r["relapses"] for r in annual))}


def with_caps(loaded: LoadedScenario, caps: dict[str, float] | None) -> LoadedScenario:
    """``loaded`` with its ``[budget.cap]`` table replaced by ``caps`` (None: no caps at all). The
    caps are checked by :func:`bounds_for`, so the schema is not run again for every candidate."""
    budget = loaded.spec.budget.model_copy(update={"cap": dict(caps or {})})
    return replace(loaded, spec=loaded.spec.model_copy(update={"budget": budget}))


_BASE: LoadedScenario | None = None


def _init_worker(loaded: LoadedScenario) -> None:
    global _BASE
    _BASE = loaded


def run_split(caps: dict[str, float] | None, index: int, seed: np.random.SeedSequence,
              loaded: LoadedScenario | None = None) -> Outcome:
    """Run replicate ``index`` (seed ``seed``) of the scenario under ``caps``; the compact outcome."""
    from ..runs.ensemble import run_replicate

    r = run_replicate(with_caps(loaded or _BASE, caps), index, seed, origin=False)
    s = pd.DataFrame(r.spend)
    years = s["year"].nunique() if len(s) else 1
    by = s.groupby(["lever", "year"])[["spend_yuan", "shortfall_yuan"]].sum() if len(s) else None
    spend = by["spend_yuan"].groupby("lever").sum() / years if by is not None else pd.Series(dtype=float)
    short = by["shortfall_yuan"].groupby("lever").sum() / years if by is not None else pd.Series(dtype=float)
    need = by.sum(axis=1).groupby("lever").max() if by is not None else pd.Series(dtype=float)
    return Outcome(objectives(r.annual, r.sustained_people), spend.to_dict(), short.to_dict(), need.to_dict())


class Evaluator:
    """Runs splits on fixed replicate seeds, in a forkserver process pool when ``workers`` > 1. Each
    batch goes out as (split, replicate) tasks and comes back in order, so results do not depend
    on the number of workers. Use as a context manager (it owns the pool)."""

    def __init__(self, loaded: LoadedScenario, seeds: list[np.random.SeedSequence], workers: int = 1):
        self.loaded, self.seeds, self.workers = loaded, list(seeds), workers
        self.pool = None

    def __enter__(self):
        if self.workers > 1:
            self.pool = ProcessPoolExecutor(self.workers, mp_context=multiprocessing.get_context("forkserver"),
                                            initializer=_init_worker, initargs=(self.loaded,))
        return self

    def __exit__(self, *exc):
        if self.pool is not None:
            self.pool.shutdown(cancel_futures=True)

    def run(self, splits: list[dict[str, float] | None], seeds: list[np.random.SeedSequence] | None = None,
            first: int = 0) -> list[list[Outcome]]:
        """Outcomes of each split on each seed (replicate indices ``first``, ``first`` + 1, …)."""
        seeds = self.seeds if seeds is None else seeds
        tasks = [(c, first + i, s) for c in splits for i, s in enumerate(seeds)]
        if self.pool is None:
            flat = [run_split(c, i, s, self.loaded) for c, i, s in tasks]
        else:
            flat = list(self.pool.map(run_split, *zip(*tasks), chunksize=max(1, len(tasks) // (4 * self.workers))))
        n = len(seeds)
        return [flat[k * n:(k + 1) * n] for k in range(len(splits))]


def summarise(outcomes: list[Outcome], objective: str) -> dict[str, float]:
    v = np.array([o.values[objective] for o in outcomes], float)
    return {"mean": float(v.mean()), "p50": float(np.percentile(v, 50)), "p5": float(np.percentile(v, 5)),
            "p95": float(np.percentile(v, 95))}


# ---------------------------------------------------------------- the optimiser

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


def doudi_paid(outs: list[Outcome]) -> float:
    """The smallest share of its requests the 兜底 lever was paid over the replicates (1: no request)."""
    shares = [o.spend.get(DOUDI, 0.0) / (o.spend.get(DOUDI, 0.0) + o.shortfall.get(DOUDI, 0.0))
              for o in outs if o.spend.get(DOUDI, 0.0) + o.shortfall.get(DOUDI, 0.0) > 0]
    return float(min(shares, default=1.0))


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


# ---------------------------------------------------------------- the whole planning run

def auto_sample(loaded: LoadedScenario) -> int:
    """Sampled mode for planning: about ``AUTO_SAMPLE_HOUSEHOLDS`` simulated registered households
    (a scenario that sets its own sample keeps it)."""
    pop = loaded.spec.population
    if pop.sample > 1 or pop.registry or loaded.spec.shards:
        return pop.sample
    return max(1, pop.households // AUTO_SAMPLE_HOUSEHOLDS)


@dataclass
class Plan:
    objective: str
    budget: float
    split: pd.DataFrame
    frontier: pd.DataFrame
    candidates: pd.DataFrame
    comparison: pd.DataFrame
    need: dict[str, float]
    notes: list[str]


def _mean(outs: list[Outcome], key: str) -> dict[str, float]:
    levers = sorted({k for o in outs for k in getattr(o, key)})
    return {k: float(np.median([getattr(o, key).get(k, 0.0) for o in outs])) for k in levers}


def plan(loaded: LoadedScenario, budget: float, objective: str = "sustained_exits", constraints: Constraints | None = None,
         replicates: int = 3, confirm: int = 20, evaluations: int = 100, workers: int = 1, seed: int | None = None,
         fractions: tuple[float, ...] = FRONTIER, constraints_file: str = "constraints", progress=None) -> Plan:
    """Optimise the split at ``budget`` and at each frontier fraction of it; confirm each best split
    against the seed allocation and the uniform split on ``confirm`` fresh common seeds."""
    from ..runs.ensemble import seeds as spawn

    if loaded.spec.shards:  # the evaluator runs whole replicates of one scenario
        raise ScenarioError(loaded.path, "shards", "tuopin optimize needs an unsharded scenario; optimise one shard's "
                                                   "region as a scenario of its own")
    constraints = constraints or Constraints()
    fractions = tuple(sorted(set(fractions) | {1.0}))
    seed = loaded.spec.seed if seed is None else seed
    children = spawn(seed, replicates + confirm)
    search_seeds, confirm_seeds = children[:replicates], children[replicates:]
    say = progress or (lambda msg: None)
    notes = []
    with Evaluator(loaded, search_seeds, workers) as ev:
        say("uncapped run (the seed allocation)")
        base = ev.run([None])[0]
        spend, need = _mean(base, "spend"), {k: max(o.need_max.get(k, 0.0) for o in base) for k in _mean(base, "need_max")}
        active = [k for k, v in spend.items() if v > 0]
        total_spend = sum(spend.values())
        seed_shares = {k: spend[k] / total_spend for k in active}
        uncapped = summarise(base, objective)["mean"]
        notes.append(f"uncapped, the scenario spends {total_spend:,.0f} yuan a year (median over {replicates} "
                     f"replicates) on {len(active)} levers, for {objective} {uncapped:,.0f} (mean on the search seeds); "
                     "levers with no spend get no money")
        bounds = {f: None for f in fractions}
        for f in fractions:
            try:
                bounds[f] = bounds_for(constraints, budget * f, active, need, constraints_file)
            except ConstraintsError as e:
                if f == 1.0:
                    raise
                notes.append(f"{f:.0%} of the budget: no split fits the constraints ({e.message})")
        searches, tried = {}, []
        for f in fractions:
            if bounds[f] is None:
                continue
            say(f"optimising at {f:.0%} of the budget ({budget * f:,.0f} yuan a year)")
            s = search(ev, bounds[f], objective, evaluations, seed, seed_shares, f, constraints.doudi_coverage)
            tried.append(s)
            if s.best is None:
                msg = (f"no split tried pays {DOUDI} {constraints.doudi_coverage:.0%} of what it asks on every replicate "
                       f"at {budget * f:,.0f} yuan a year; raise the budget or lower doudi_coverage")
                if f == 1.0:
                    raise ConstraintsError(constraints_file, "doudi_coverage", msg)
                notes.append(f"{f:.0%} of the budget: {msg}")
                continue
            searches[f] = s
        say(f"confirming on {confirm} fresh replicates")
        order = [(f, role) for f in searches for role in ("optimised", "seed_allocation", "uniform")]
        splits = [_reference(searches[f], role) for f, role in order]
        order, splits = order + [(None, "uncapped")], splits + [None]  # no caps: the reference point
        conf = ev.run(splits, confirm_seeds, first=replicates) if confirm else [[] for _ in splits]
    results = dict(zip(order, conf))
    sign = OBJECTIVES[objective][0]
    frontier, comparison = [], []
    for f, s in searches.items():
        row = {"budget_fraction": f, "budget_yuan": s.bounds.budget, "evaluations": len(s.candidates),
               "search_mean": sign * s.best_score,
               "optimised_spend_p50_yuan": float(np.median([sum(o.spend.values()) for o in results[(f, "optimised")]]))}
        for role in ("optimised", "seed_allocation", "uniform"):
            outs = results[(f, role)] or []
            st = summarise(outs, objective) if outs else {}
            row.update({f"{role}_{q}": st.get(q, np.nan) for q in ("p50", "p5", "p95")})
            if role != "optimised" and outs:
                d = np.array([sign * (a.values[objective] - b.values[objective]) for a, b in zip(results[(f, "optimised")], outs)])
                row[f"gain_vs_{role}_p50"] = float(np.percentile(d, 50))
                row[f"gain_vs_{role}_p5"] = float(np.percentile(d, 5))
                row[f"gain_vs_{role}_p95"] = float(np.percentile(d, 95))
                row[f"share_better_than_{role}"] = float(np.mean(d > 0))
                row[f"beats_{role}"] = bool(np.mean(d) > 0)
        frontier.append(row)
        if f == 1.0:
            for role in ("optimised", "seed_allocation", "uniform"):
                outs = results[(f, role)]
                cand = next((c for c in s.candidates if c["role"] == role), None)
                comparison.append({"split": role, **{f"{objective}_{q}": v for q, v in summarise(outs, objective).items()},
                                   "search_mean": cand[f"{objective}_mean"] if cand else sign * s.best_score,
                                   **{f"{k}_p50": float(np.median([o.values[k] for o in outs])) for k in OBJECTIVES},
                                   "spend_yuan_p50": float(np.median([sum(o.spend.values()) for o in outs]))})
            outs = results[(None, "uncapped")]
            comparison.append({"split": "uncapped", **{f"{objective}_{q}": v for q, v in summarise(outs, objective).items()},
                               "search_mean": uncapped,
                               **{f"{k}_p50": float(np.median([o.values[k] for o in outs])) for k in OBJECTIVES},
                               "spend_yuan_p50": float(np.median([sum(o.spend.values()) for o in outs]))})
    main = searches[1.0]
    ref = {role: _reference(main, role) for role in ("seed_allocation", "uniform")}
    outs = results[(1.0, "optimised")]
    spend_best, short_best = _mean(outs, "spend"), _mean(outs, "shortfall")
    levers = sorted(set(main.best) | set(spend))
    split = pd.DataFrame([{"lever": k, "cap_yuan": main.best.get(k, 0.0), "share": main.best.get(k, 0.0) / budget,
                           "seed_allocation_yuan": ref["seed_allocation"].get(k, 0.0),
                           "uniform_yuan": ref["uniform"].get(k, 0.0), "uncapped_spend_yuan": spend.get(k, 0.0),
                           "uncapped_need_max_yuan": need.get(k, 0.0), "spend_p50_yuan": spend_best.get(k, 0.0),
                           "shortfall_p50_yuan": short_best.get(k, 0.0)} for k in levers])
    split = split.sort_values("cap_yuan", ascending=False, kind="stable").reset_index(drop=True)
    unspent = budget - sum(spend_best.values())
    if unspent > 0.01 * budget:
        notes.append(f"the best split leaves {unspent:,.0f} yuan a year ({unspent / budget:.0%}) unspent (median): some caps "
                     "are above what their lever asks for in some years; the same cap holds every year")
    peak = sum(need.get(k, 0.0) for k in active)
    if sign * main.best_score < sign * uncapped and budget < peak:
        notes.append(f"no caps at all does better ({objective} {uncapped:,.0f} on the search seeds): each lever then "
                     f"spends what it asks each year, and the levers' largest years add up to {peak:,.0f} yuan a year "
                     f"({yi(peak)}). Needs are not level from year to year, so one cap for every year cuts some lever "
                     "in its peak year (a per-year split would do better; the scenarios carry no per-year budgets)")
    if main.best_score > sign * uncapped and sum(short_best.values()) > 0:
        notes.append(f"the best split does better than no caps at all ({objective} {sign * main.best_score:,.0f} against "
                     f"{uncapped:,.0f} on the search seeds) while some caps bind: past a cap the ledger pays the poorest "
                     "households first, so a binding cap re-targets a lever's money as well as cutting it")
    if short_best.get(DOUDI, 0) > 0:
        notes.append(f"兜底: the best split pays {DOUDI} {short_best[DOUDI]:,.0f} yuan a year less than it asks for "
                     "(median); put `doudi_coverage = 1` in a --constraints file to guarantee it")
    if objective == "relapse":
        notes.append("fewer exits also mean fewer relapses: read the relapse objective with the exits it costs "
                     "(comparison.csv has every objective)")
    cands = pd.DataFrame([c for s in tried for c in s.candidates]).fillna(0.0)
    return Plan(objective, budget, split, pd.DataFrame(frontier), cands, pd.DataFrame(comparison), need, notes)


def _reference(s: Search, role: str) -> dict[str, float]:
    """The best split, or the seed allocation / uniform split as evaluated in the search."""
    if role == "optimised":
        return s.best
    c = next((c for c in s.candidates if c["role"] == role), None)
    if c is None:
        return s.best
    return {k.removeprefix("cap_"): v for k, v in c.items() if k.startswith("cap_")}


# ---------------------------------------------------------------- report

def yi(v: float) -> str:
    """Yuan as 亿 (1e8) with 万 for small amounts: how budgets are spoken of."""
    return f"{v / 1e8:,.2f}亿" if abs(v) >= 1e7 else f"{v / 1e4:,.0f}万"


def markdown(p: Plan, loaded: LoadedScenario, options: dict, figures: list[str]) -> str:
    sign, what = OBJECTIVES[p.objective]
    direction = "higher" if sign > 0 else "lower"
    c = p.comparison.set_index("split")
    fr = p.frontier.set_index("budget_fraction").loc[1.0]
    obj = p.objective

    def interval(role):
        r = c.loc[role]
        return f"{r[f'{obj}_p50']:,.0f} ({r[f'{obj}_p5']:,.0f}–{r[f'{obj}_p95']:,.0f})"

    lines = [f"# Budget split — {loaded.spec.region}", "",
             (f"Scenario `{loaded.path.name}`, {loaded.spec.first_year}-{loaded.spec.last_year}; budget "
             f"**{p.budget:,.0f} yuan a year** ({yi(p.budget)}); objective **{obj}** ({what}; {direction} is better). "
             f"{options['evaluations']} evaluations per budget level, each on the same {options['replicates']} replicate "
             f"seeds (common random numbers); the comparison below is on {options['confirm']} further common seeds "
             f"(not those the search saw). Sampled mode: 1 household in {options['sample']}. "
             "One split holds every year (no per-year budgets)."), "",
             "## Best split", "", "| lever | yuan a year | share | seed allocation | uniform | spend (p50) | shortfall (p50) |",
             "|---|---:|---:|---:|---:|---:|---:|"]
    for _, r in p.split.iterrows():
        lines.append(f"| {r['lever']} | {r['cap_yuan']:,.0f} | {r['share']:.1%} | {r['seed_allocation_yuan']:,.0f} | "
                     f"{r['uniform_yuan']:,.0f} | {r['spend_p50_yuan']:,.0f} | {r['shortfall_p50_yuan']:,.0f} |")
    lines += ["", f"## Against the seed allocation and a uniform split ({obj}, median and 5–95 % over replicates)", "",
              f"- optimised: {interval('optimised')}",
              f"- seed allocation (the scenario's uncapped spend by lever, scaled to the budget): {interval('seed_allocation')}",
              f"- uniform split: {interval('uniform')}"]
    if "uncapped" in c.index:
        lines.append(f"- for reference, no caps at all (each lever spends what it asks, "
                     f"{c.loc['uncapped', 'spend_yuan_p50']:,.0f} yuan a year on average): {interval('uncapped')}")
    for role, name in (("seed_allocation", "the seed allocation"), ("uniform", "the uniform split")):
        if f"gain_vs_{role}_p50" in fr:
            verdict = "beats" if fr[f"beats_{role}"] else "does **not** beat"
            lines.append(f"- the optimised split {verdict} {name}: paired gain (positive = better) {fr[f'gain_vs_{role}_p50']:+,.0f} "
                         f"({fr[f'gain_vs_{role}_p5']:+,.0f} to {fr[f'gain_vs_{role}_p95']:+,.0f}), better in "
                         f"{fr[f'share_better_than_{role}']:.0%} of replicates")
    lines += ["", "## Budget–outcome frontier", "", f"| budget | yuan a year | optimised {obj} (5–95 %) | seed allocation | uniform |",
              "|---:|---:|---:|---:|---:|"]
    for _, r in p.frontier.iterrows():
        lines.append(f"| {r['budget_fraction']:.0%} | {r['budget_yuan']:,.0f} | {r['optimised_p50']:,.0f} "
                     f"({r['optimised_p5']:,.0f}–{r['optimised_p95']:,.0f}) | {r['seed_allocation_p50']:,.0f} | {r['uniform_p50']:,.0f} |")
    lines += ["", "## Notes", ""] + [f"- {n}" for n in p.notes] + [
        "- Caps replace the scenario's own `[budget.cap]` table; past a cap, whole households are paid poorest first.",
        "- Per-lever costs interact: a lever's cap changes who exits and so what the other levers are asked to pay.",
        ""] + [f"![{f}]({f})" for f in figures if f.endswith(".png")]
    return "\n".join(lines) + "\n"


def frontier_figure(p: Plan, title: str):
    from ..outputs import plots

    sign, _ = OBJECTIVES[p.objective]
    names = {"sustained_exits": ("sustained exits", "稳定脱贫人数"), "shortfall": ("shortfall against targets", "未完成目标人数"),
             "relapse": ("relapses", "返贫人数")}[p.objective]
    with plots.style():
        fig = plots._figure()
        fig.set_figheight(4.8)  # room for the legend below
        ax = fig.subplots()
        f = p.frontier.sort_values("budget_yuan")
        unit, zh = (1e8, "亿") if f["budget_yuan"].max() >= 1e8 else (1e4, "万")
        x = f["budget_yuan"] / unit
        ax.fill_between(x, f["optimised_p5"], f["optimised_p95"], color="#1f5fa8", alpha=0.2, lw=0)
        ax.plot(x, f["optimised_p50"], "o-", color="#1f5fa8", label=plots.label("optimised split", "优化分配") + " (p50, 5-95 %)")
        ax.plot(x, f["seed_allocation_p50"], "s--", color="#d9730d", ms=4, label=plots.label("seed allocation, scaled", "现行结构"))
        ax.plot(x, f["uniform_p50"], "^:", color="#7f7f7f", ms=4, label=plots.label("uniform split", "平均分配"))
        if "uncapped" in set(p.comparison["split"]):
            u = p.comparison.set_index("split").loc["uncapped"]
            obj = p.objective
            ax.errorbar([u["spend_yuan_p50"] / unit], [u[f"{obj}_p50"]], yerr=[[u[f"{obj}_p50"] - u[f"{obj}_p5"]],
                        [u[f"{obj}_p95"] - u[f"{obj}_p50"]]], fmt="*", color="black", ms=10, capsize=3,
                        label=plots.label("no caps (each lever spends what it asks)", "不设上限"))
        ax.axvline(p.budget / unit, color="black", lw=0.8, ls=":")
        ax.set_xlabel(plots.label(f"budget, {zh} yuan a year", f"年度预算 {zh}元"))
        ax.xaxis.set_major_formatter(lambda v, _: f"{v:,.2f}".rstrip("0").rstrip("."))
        plots._style(ax, plots.label("Budget–outcome frontier", "预算—效果前沿"), plots.label(*names))
        fig.legend(*ax.get_legend_handles_labels(), frameon=False, fontsize=8, loc="outside lower center", ncols=2)
        fig.suptitle(plots.plain(title), fontsize=12)
    return fig


def split_figure(p: Plan, title: str):
    from ..outputs import plots

    with plots.style():
        fig = plots._figure(width=8.4)
        ax = fig.subplots()
        s = p.split[(p.split[["cap_yuan", "seed_allocation_yuan", "uniform_yuan"]].sum(axis=1) > 0)].iloc[::-1]
        y = np.arange(len(s))
        h = 0.27
        for k, (col, color, en, zh) in enumerate((("cap_yuan", "#1f5fa8", "optimised", "优化分配"),
                                                  ("seed_allocation_yuan", "#d9730d", "seed allocation", "现行结构"),
                                                  ("uniform_yuan", "#bdbdbd", "uniform", "平均分配"))):
            ax.barh(y + (1 - k) * h, s[col] / 1e4, height=h, color=color, label=plots.label(en, zh))
        ax.plot(s["uncapped_spend_yuan"] / 1e4, y, "k|", ms=12, mew=1.5,
                label=plots.label("uncapped spend, yearly mean", "不设上限年均支出"))
        ax.plot(s["uncapped_need_max_yuan"] / 1e4, y, "kd", ms=5, mfc="white",
                label=plots.label("uncapped spend, largest year", "不设上限最高年支出"))
        ax.set_yticks(y, s["lever"])
        ax.set_xlabel(plots.label("万 yuan a year", "万元/年"))
        ax.xaxis.set_major_formatter(lambda v, _: f"{v:,.0f}")
        ax.set_title(plots.label(f"Split of {yi(p.budget)} yuan a year", "预算分配"), fontsize=11)
        ax.spines[["top", "right"]].set_visible(False)
        ax.grid(axis="x", alpha=0.3)
        ax.legend(frameon=False, fontsize=8, loc="upper left", bbox_to_anchor=(1.0, 1.0))
        fig.suptitle(plots.plain(title), fontsize=12)
    return fig


def write_folder(out: Path, p: Plan, loaded: LoadedScenario, options: dict) -> list[str]:
    """Write split.csv, frontier.csv, candidates.csv, comparison.csv, the figures, optimize.md and
    the manifest into ``out`` in one atomic rename."""
    from ..outputs import plots
    from ..outputs import results

    with results.atomic_folder(out) as tmp:
        p.split.to_csv(tmp / "split.csv", index=False, float_format="%.10g")
        p.frontier.to_csv(tmp / "frontier.csv", index=False, float_format="%.6g")
        p.candidates.to_csv(tmp / "candidates.csv", index=False, float_format="%.10g")
        p.comparison.to_csv(tmp / "comparison.csv", index=False, float_format="%.6g")
        figures = plots.save(frontier_figure(p, loaded.spec.region), tmp, "frontier")
        figures += plots.save(split_figure(p, loaded.spec.region), tmp, "split")
        (tmp / "optimize.md").write_text(markdown(p, loaded, options, figures), encoding="utf-8")
        files = ["split.csv", "frontier.csv", "candidates.csv", "comparison.csv", "optimize.md", *figures]
        results.write_manifest(tmp, scenario={"file": str(loaded.path), "sha256": loaded.sha256,
                                              "spec": loaded.spec.model_dump(mode="json")},
                               objective=p.objective, budget_yuan=p.budget, options=options, files=files)
    return files
