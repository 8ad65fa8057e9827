"""Calibration to observed aggregates: behavioural parameters fitted to national (or regional) series.

Method (:mod:`.sampler`, ``--method``): by default ``abc-pmc``, ABC population Monte Carlo from the
prior box in generations with a falling tolerance, whose last generation's weighted accepted draws are the
posterior (an effective sample size in the tens at 320 draws, where the pooled sampler before it had 1-3 on
the 2016 backtest; see :mod:`.sampler` for why). ``tpe-abc`` runs an Optuna TPE search first and starts the
generations around its best trials (kept for comparison: where the data leave a ridge its posterior comes out
too narrow). ``rejection`` (the first method, kept for comparison) draws from a scrambled Sobol design over
the prior box and accepts the closest; it needs exponentially more draws as parameters are added. Priors are
each parameter's plausible range in the catalog, uniform. The search and the rejection draws are simulated on
the same replicate seeds (common random numbers: differences between draws are the parameters', which helps a
search); the ABC-PMC draws each on seeds of its own, as ABC's likelihood needs (with common numbers the
posterior would condition on one realisation of the model's noise and come out too narrow). The posterior's
weighted median is the calibrated value and its weighted 5-95 % range the interval.

Observed series (``data/national_series.csv`` or a file like it): the poor at each year
end (``poor_headcount_10k``) and the people lifted out in the year (``lifted_out_10k``: the year's
fall in the headcount, as the NBS series is; the model's is the same, not its gross declared exits), in 万.
The registry and the survey count different people (8962万 registered in 2014 against 8249万 poor
by the survey at the end of 2013), so the model is compared in proportion: its people are scaled
by the observed headcount of the year before the scenario starts over its registered people. The
distance is the root mean square of the differences over all observed years up to the cut-off, in
shares of that starting headcount.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
import pandas as pd

from tqdm.auto import tqdm

from ..inputs.posterior import resample
from ..parameters import catalog, suggest
from ..runs.ensemble import ensembles
from ..runs.runner import Runner
from .sampler import abc_pmc, default_trials, effective_size, tpe_search, weighted_quantile

SERIES = ("poor_headcount_10k", "lifted_out_10k")
# behavioural parameters fitted by default: how fast incomes grow and vary, how far below the line
# the registered start, how many take up industry support. Not relapse detection: the headcount says
# little about it and its catalog entry fits it to the 2016 relapse figure (fit it with --params)
DEFAULT_PARAMS = ("income.wage_growth", "income.wage_sigma", "population.income_ratio_median",
                  "industry.take_up")


THIN_ESS = 10  # an effective sample size under this is flagged in the report (Posterior.thin)
METHODS = ("abc-pmc", "tpe-abc", "rejection")
ERROR_STREAM = 0x657272  # "err": the observation errors a forecast of observations adds, apart from every seed
# abc-pmc, tpe-abc: the quantile of a generation's accepted distances that is the next one's tolerance (and the
# share of the first generation accepted); rejection: the share of the draws accepted
DEFAULT_ACCEPT = {"abc-pmc": 0.5, "tpe-abc": 0.5, "rejection": 0.1}


class CalibrationError(Exception):
    """Bad observed data or options: one message naming the file, the field and what is allowed."""


def prior_range(name: str) -> tuple[float, float]:
    """The prior of a calibrated parameter: its plausible range from the catalog."""
    return catalog()[name].plausible_range()


def read_data(path: str | Path) -> pd.DataFrame:
    """The observed series: one row a year with the columns of :data:`SERIES` (blank = not observed)."""
    path = Path(path)
    try:
        df = pd.read_csv(path)
    except (OSError, ValueError) as e:
        raise CalibrationError(f"{path}: (file): cannot read as CSV ({str(e)[:100]})") from None
    for col in ("year", *SERIES):
        if col not in df:
            raise CalibrationError(f"{path}: {col}: is a required column (allowed: year and any of {', '.join(SERIES)} "
                                   "in 万 people, as in data/national_series.csv)")
    for col in ("year", *SERIES):
        values = pd.to_numeric(df[col], errors="coerce")
        bad = df[col].notna() & (values.isna() | (values < 0) | (values.abs() == np.inf))  # finite numbers only
        if bad.any():
            line = int(np.flatnonzero(bad)[0]) + 2
            raise CalibrationError(f"{path}: {col}: line {line} has {df[col][bad].iloc[0]!r}; must be a finite number ≥ 0")
        df[col] = values
    if df["year"].isna().any() or df["year"].duplicated().any() or (df["year"] % 1 != 0).any():
        raise CalibrationError(f"{path}: year: must be whole, present and unique on every line")
    df["year"] = df["year"].astype(int)
    return df[["year", *SERIES]].sort_values("year").reset_index(drop=True)


def observed(data: pd.DataFrame, spec, through: int, source: str = "data") -> pd.DataFrame:
    """The observations a calibration may use: scenario years up to ``through``. Refuses data that
    goes past ``through``: a backtest must cut it off before it gets here. ``source``: the file, for messages."""
    if (data["year"] > through).any() and data.loc[data["year"] > through, list(SERIES)].notna().any().any():
        raise CalibrationError(f"data after the cut-off {through} given to the calibration "
                               f"(years {sorted(data.loc[data['year'] > through, 'year'])}); cut it off first")
    base = spec.first_year - 1
    if base not in set(data["year"]) or pd.isna(data.set_index("year").at[base, "poor_headcount_10k"]):
        raise CalibrationError(f"{source}: poor_headcount_10k: needs the year before the scenario starts ({base}) to "
                               "scale the registry to the observed headcount")
    obs = data[(data["year"] >= spec.first_year) & (data["year"] <= min(through, spec.last_year))]
    if obs[list(SERIES)].notna().sum().sum() < 2:
        raise CalibrationError(f"{source}: {', '.join(SERIES)}: fewer than two observations in {spec.first_year}-{min(through, spec.last_year)}")
    return obs.reset_index(drop=True)


def base_headcount(data: pd.DataFrame, spec) -> float:
    return float(data.set_index("year").at[spec.first_year - 1, "poor_headcount_10k"])


def simulated(reps, scale: float, start: float) -> pd.DataFrame:
    """Per replicate and year, the model's people as the observed series (万, scaled). People lifted
    out are the year's fall in the poor headcount, as the observed series is (NBS: 1232 = 8249 - 7017
    in 2014, and every year after): declared exits less relapses and newly identified poor, which
    declared exits alone would overstate (a household that relapses and is declared out again in one
    year is not lifted out twice). ``start``: the model's poor at the start (its registered people)."""
    rows = []
    for r in reps:
        before = start
        for row in r.annual:
            rows.append({"replicate": r.index, "year": row["year"], "poor_headcount_10k": row["poor_end"] * scale / 1e4,
                         "lifted_out_10k": (before - row["poor_end"]) * scale / 1e4})
            before = row["poor_end"]
    return pd.DataFrame(rows)


def distance(sim: pd.DataFrame, obs: pd.DataFrame, base: float) -> float:
    """RMS difference of the replicate-mean simulated series from the observed ones, in shares of
    the starting headcount, over every observed (year, series)."""
    mean = sim.groupby("year")[list(SERIES)].mean()
    diffs = [(mean.at[y, c] - v) / base for _, row in obs.iterrows() for c in SERIES
             if pd.notna(v := row[c]) and (y := int(row["year"])) in mean.index]
    return float(math.sqrt(np.mean(np.square(diffs))))


@dataclass
class Posterior:
    draws: pd.DataFrame      # every draw: draw, stage, generation, parameters, distance, accepted (in the posterior), weight
    summary: pd.DataFrame    # per parameter: prior range, posterior median and 5-95 % (weighted)
    observed: pd.DataFrame   # what was fitted
    scale: float             # observed people (万 x 1e4) per model person
    method: str = "abc-pmc"
    base: float = math.nan   # the observed headcount the year before the scenario (万): distances are shares of it

    @property
    def accepted(self) -> pd.DataFrame:
        return self.draws[self.draws["accepted"]]

    @property
    def values(self) -> dict[str, float]:
        """The calibrated parameters: posterior medians."""
        return dict(zip(self.summary["parameter"], self.summary["posterior_p50"]))

    @property
    def observation_error(self) -> float:
        """The error of one observation about the model, in 万 (0 if unknown): the root of the accepted draws'
        weighted mean squared distance (each distance is the RMS over the fitted observations, in shares of
        ``base``). ABC that accepts draws within a tolerance of the data is exact for a model whose
        observations are the simulation plus an error of that size (Wilkinson 2013, Statistical Applications
        in Genetics and Molecular Biology 12: 129-141), so a forecast of observations adds it; without it
        the bands hold the parameters' and the model's randomness only, and miss the fitted years themselves."""
        acc = self.accepted
        w = acc["weight"].to_numpy(float)
        if not len(acc) or not w.sum() > 0 or not math.isfinite(self.base):
            return 0.0
        return float(math.sqrt(np.sum(w * np.square(acc["distance"].to_numpy(float))) / w.sum()) * self.base)

    @property
    def effective_size(self) -> float:
        """The accepted draws' effective sample size (their number when equally weighted)."""
        return effective_size(self.accepted["weight"])

    def thin(self) -> str:
        """A warning when a few draws carry the posterior (effective sample size under :data:`THIN_ESS`): its
        median is then one draw's value and its bands leave out most of what the data leave open; else ''."""
        ess = self.effective_size
        if ess >= THIN_ESS:
            return ""
        return (f"Warning: the effective sample size is {ess:.1f} (under {THIN_ESS}): a few draws carry the posterior, so its "
                "medians are those draws' values and the forecast's bands leave out most of the parameter uncertainty; "
                "another seed can give a different answer (more --draws, or more observations, would help).")

    def describe(self, data_name: str) -> str:
        """The method in one sentence, with this calibration's numbers (for reports and files)."""
        n, acc = len(self.draws), int(self.draws["accepted"].sum())
        fitted = f"fitted to {data_name} up to {int(self.observed['year'].max())}"
        if self.method == "rejection":
            kind = "scrambled-Sobol" if n & (n - 1) == 0 else "Latin-hypercube"
            return (f"ABC rejection, {n} {kind} draws over the catalog's plausible ranges, the closest {acc} accepted, "
                    f"common random numbers; {fitted}")
        search = int((self.draws["stage"] == "search").sum())
        pmc = self.draws[self.draws["stage"] == "posterior"]
        gens = int(pmc["generation"].max())
        last = pmc[pmc["generation"] == gens]
        start = (f"Optuna TPE search ({search} trials, common random numbers) then ABC population Monte Carlo (ABC-PMC) "
                 "from its best trials" if search else "ABC population Monte Carlo (ABC-PMC) from the prior box")
        return (f"{start}: {len(pmc)} draws in {gens} generations with a falling tolerance, the posterior the last "
                f"generation's {acc} of {len(last)} draws within its tolerance ({last.loc[last['accepted'], 'distance'].max():.4f}), "
                f"weighted by prior over the previous generation's kernel mixture: effective sample size "
                f"{self.effective_size:.1f}; each draw on seeds of its own; {fitted}")


def _simulate(runner: Runner, loaded, designs: list[dict], replicates: int, seed: int | list[int],
              scale: float) -> list[pd.DataFrame]:
    """Simulate every design point on ``runner``, on the replicate seeds of ``seed`` (one for all:
    common random numbers) or of its own seed each (a list); the simulated series of each, in design
    order. A posterior the scenario carries is set aside: each design point is one parameter set.
    ``loaded``: one scenario, or one per design point (a forecast's drawn inputs)."""
    seeds = seed if isinstance(seed, list) else [seed] * len(designs)
    bases = loaded if isinstance(loaded, list) else [loaded] * len(designs)
    scenarios = [replace(base, spec=base.spec.model_copy(update={"seed": s}), posterior=()).with_values(values)
                 for base, values, s in zip(bases, designs, seeds)]
    people = bases[0].spec.population.people
    return [simulated(r, scale, people) for r in ensembles(scenarios, replicates, runner, origin=False)]


def _evaluate(loaded, designs: list[dict], replicates: int, seed: int, scale: float, workers: int) -> list[pd.DataFrame]:
    with Runner(workers) as runner:
        return _simulate(runner, loaded, designs, replicates, seed, scale)


def calibrate(loaded, data: pd.DataFrame, through: int, params=DEFAULT_PARAMS, draws: int = 320,
              accept: float | None = None, replicates: int = 1, seed: int | None = None, workers: int = 1,
              progress: bool = False, method: str = "abc-pmc", trials: int | None = None) -> Posterior:
    """Fit ``params`` to ``data`` (years up to ``through`` only); see the module and :mod:`.sampler`.
    ``abc-pmc``: ``draws`` in generations from the prior box, each generation's tolerance the ``accept``
    quantile of the previous one's accepted distances; ``tpe-abc``: the same after ``trials`` TPE search
    trials (default :func:`~.sampler.default_trials`), its first generation around their best; ``rejection``:
    ``draws`` draws from the prior box, the ``accept`` share closest accepted."""
    unknown = [p for p in params if p not in catalog()]
    if unknown:
        raise CalibrationError("--params: " + "; ".join(f"{u} is not a catalog parameter{suggest(u)}" for u in unknown)
                               + " (see `tuopin params`)")
    if not params:
        raise CalibrationError("--params: name at least one catalog parameter to fit")
    if method not in METHODS:
        raise CalibrationError(f"--method: must be one of {', '.join(METHODS)}, got {method!r}")
    accept = DEFAULT_ACCEPT[method] if accept is None else accept
    if not 0 < accept <= 1 or draws < 2:
        raise CalibrationError("--accept: must be in (0, 1] with at least 2 draws")
    if trials is not None and method != "tpe-abc":
        raise CalibrationError(f"--trials: only with --method tpe-abc (the search's trials), not {method}")
    trials = default_trials(len(params)) if trials is None else trials
    if method == "tpe-abc" and trials < 2 * len(params) + 1:
        raise CalibrationError(f"--trials: at least {2 * len(params) + 1} for {len(params)} parameters, got {trials}")
    obs = observed(data, loaded.spec, through)
    base = base_headcount(data, loaded.spec)
    scale = base * 1e4 / loaded.spec.population.people
    seed = loaded.spec.seed if seed is None else seed
    bounds = {p: prior_range(p) for p in params}
    total = draws + (trials if method == "tpe-abc" else 0)
    with Runner(workers) as runner, tqdm(total=total, desc="calibrate", unit="draw", disable=not progress) as bar:
        def evaluate(points: list[dict], seeds: int | list[int] = seed) -> np.ndarray:
            designs = [{p: _typed(p, v) for p, v in point.items()} for point in points]
            sims = _simulate(runner, loaded, designs, replicates, seeds, scale)
            bar.update(len(points))
            return np.array([distance(sim, obs, base) for sim in sims])

        if method == "rejection":
            table = _rejection(evaluate, bounds, draws, accept, seed).assign(generation=1)
        else:
            seeds = iter(own_seeds(seed, draws))  # each importance draw its own, across generations too
            search = (tpe_search(evaluate, bounds, trials, seed).assign(stage="search", accepted=False, weight=0.0, generation=0)
                      if method == "tpe-abc" else None)
            post = abc_pmc(lambda pts: evaluate(pts, [next(seeds) for _ in pts]), bounds, search, draws, accept, seed)
            post = post.assign(stage="posterior", accepted=post["posterior"], weight=post["weight"] * post["posterior"])
            table = pd.concat([search, post.drop(columns=["posterior", "tolerance"])], ignore_index=True)
    for p in params:
        table[p] = [_typed(p, v) for v in table[p]]
    table.insert(0, "draw", np.arange(len(table)))
    table = table[["draw", "stage", "generation", *params, "distance", "accepted", "weight"]]
    acc = table[table["accepted"]]
    rows = []
    for p, (lo, hi) in bounds.items():
        q = {k: weighted_quantile(acc[p], acc["weight"], v) for k, v in (("p50", 0.5), ("p5", 0.05), ("p95", 0.95))}
        rows.append({"parameter": p, "default": catalog()[p].default, "prior_low": lo, "prior_high": hi,
                     "posterior_p50": _typed(p, q["p50"]), "posterior_p5": q["p5"], "posterior_p95": q["p95"]})
    return Posterior(table, pd.DataFrame(rows), obs, scale, method, base)


def own_seeds(seed: int, n: int) -> list[int]:
    """A seed of its own for each of ``n`` draws, from ``seed`` (a stream apart from the replicates')."""
    return [int(s) for s in np.random.SeedSequence([seed, 0x6F776E]).generate_state(n, np.uint32)]


def _rejection(evaluate, bounds: dict, draws: int, accept: float, seed: int) -> pd.DataFrame:
    """ABC rejection: a scrambled Sobol design over the prior box when ``draws`` is a power of two
    (its balance needs that), else a Latin hypercube; the closest ``accept`` share accepted, equally weighted."""
    from scipy.stats import qmc

    lo, hi = (np.array([b[i] for b in bounds.values()], float) for i in (0, 1))
    design = qmc.Sobol if draws & (draws - 1) == 0 else qmc.LatinHypercube
    table = pd.DataFrame(qmc.scale(design(len(bounds), scramble=True, seed=seed).random(draws), lo, hi),
                         columns=list(bounds))
    dist = evaluate(table.to_dict("records"))
    keep = max(2, int(round(accept * draws)))
    accepted = np.zeros(draws, bool)
    accepted[np.argsort(dist, kind="stable")[:keep]] = True
    table["distance"], table["accepted"], table["weight"], table["stage"] = dist, accepted, accepted / keep, "prior"
    return table


def _typed(name: str, value: float):
    return int(round(value)) if isinstance(catalog()[name].default, int) else float(value)


def predict(loaded, posterior: Posterior, replicates: int, seed: int, workers: int = 1, draws: int = 40,
            inputs=None) -> pd.DataFrame:
    """Posterior predictive series: ``draws`` parameter sets resampled from the accepted draws by
    their weights (systematic resampling: no random numbers), ``replicates`` each, on seeds other
    than the calibration's; per year and series the median and 5-95 %. ``inputs`` (optional): a
    function of the draw's index giving the scenario it runs (a backtest's drawn input paths)."""
    acc = posterior.accepted
    designs = [{p: _typed(p, acc.iloc[k][p]) for p in posterior.summary["parameter"]}
               for k in resample(acc["weight"].to_numpy(float), draws)]
    scenarios = [inputs(k) for k in range(len(designs))] if inputs else loaded
    return quantiles(_evaluate(scenarios, designs, replicates, seed + 1, posterior.scale, workers),
                     posterior.observation_error, np.random.default_rng([seed, ERROR_STREAM]))


def at_defaults(loaded, posterior: Posterior, replicates: int, seed: int, workers: int = 1) -> pd.DataFrame:
    """The uncalibrated model's series (catalog and scenario values), on the prediction seeds."""
    return quantiles(_evaluate(loaded, [{}], replicates, seed + 1, posterior.scale, workers))


def quantiles(sims: list[pd.DataFrame], error: float = 0.0, rng: np.random.Generator | None = None) -> pd.DataFrame:
    """Per year and series the simulations' median and 5-95 %; with an observation ``error`` (万, the
    posterior's), the 5-95 % of an observation too (``_obs_p5``, ``_obs_p95``): each simulated value plus a
    normal error of that size, drawn from ``rng`` independently by year and series (an assumption: the
    fitted years' residuals are too few to estimate their correlation), the headcount kept at 0 or more."""
    long = pd.concat(sims, ignore_index=True)
    g = long.groupby("year")
    out = {}
    for c in SERIES:
        out[f"{c}_p50"], out[f"{c}_p5"], out[f"{c}_p95"] = g[c].median(), g[c].quantile(0.05), g[c].quantile(0.95)
        if error > 0:
            noisy = long[c] + error * rng.standard_normal(len(long))
            noisy = noisy.clip(lower=0) if c == "poor_headcount_10k" else noisy
            gn = noisy.groupby(long["year"])
            out[f"{c}_obs_p5"], out[f"{c}_obs_p95"] = gn.quantile(0.05), gn.quantile(0.95)
    return pd.DataFrame(out).reset_index()


def fit_table(obs_all: pd.DataFrame, pred: pd.DataFrame, through: int) -> pd.DataFrame:
    """Long table: year, series, observed, simulated median and 5-95 %, error, whether the year was
    fitted or held out, and whether the interval covers the observation."""
    rows = []
    for _, r in pred.iterrows():
        y = int(r["year"])
        o = obs_all.set_index("year")[list(SERIES)].reindex([y]).iloc[0]
        for c in SERIES:
            ob = o[c]
            lo, hi = (r.get(f"{c}_obs_{q}", r[f"{c}_{q}"]) for q in ("p5", "p95"))
            row = {"year": y, "series": c, "observed": ob, "simulated_p50": r[f"{c}_p50"],
                   "simulated_p5": r[f"{c}_p5"], "simulated_p95": r[f"{c}_p95"], "observation_p5": lo,
                   "observation_p95": hi, "period": "fitted" if y <= through else "forecast"}
            if pd.notna(ob):
                row["error"] = r[f"{c}_p50"] - ob
                row["abs_error"] = abs(row["error"])
                row["pct_error"] = 100 * row["error"] / ob if ob else np.nan
                row["covered_5_95"] = bool(lo <= ob <= hi)
                row["model_covered_5_95"] = bool(r[f"{c}_p5"] <= ob <= r[f"{c}_p95"])
            rows.append(row)
    return pd.DataFrame(rows)


def calibration_fit_table(loaded, data: pd.DataFrame, posterior: Posterior, through: int, replicates: int,
                          seed: int, workers: int) -> pd.DataFrame:
    """Fit table of a calibration: the posterior predictive and the uncalibrated model, every year."""
    pred = predict(loaded, posterior, replicates=max(replicates, 2), seed=seed, workers=workers)
    return with_defaults(fit_table(data[data["year"] <= through], pred, through), loaded, posterior, replicates,
                          seed, workers)


def with_defaults(table: pd.DataFrame, loaded, posterior: Posterior, replicates: int, seed: int, workers: int):
    """``table`` with the uncalibrated model's medians (``default_p50``) beside the calibrated ones."""
    default = at_defaults(loaded, posterior, max(replicates, 2), seed, workers)
    default = default.melt(id_vars="year", value_vars=[f"{c}_p50" for c in SERIES], var_name="series",
                           value_name="default_p50").assign(series=lambda d: d["series"].str.removesuffix("_p50"))
    return table.merge(default, on=["year", "series"], how="left")
