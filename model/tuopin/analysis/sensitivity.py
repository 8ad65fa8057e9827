"""Global sensitivity analysis of a scenario over the catalog's uncertain parameters (SALib).

Why: most behavioural parameters are assumptions (see their ``source``). Before trusting a
forecast, or spending effort on calibrating or measuring a parameter, we want to know which of
them move the answers. Two outputs per run: the people declared out of poverty over the whole
run (cumulative ``exits_declared`` to the final year) and the people who fell back (``relapses``).

- Ranges: each parameter's :meth:`~tuopin.parameters.Param.plausible_range` (the same ranges
  calibration uses as priors), never the wide validation range. A whole-number parameter is drawn
  over [lo - 0.5, hi + 0.5] and rounded, so each whole value in [lo, hi] is equally likely.
  Switches (true/false) are left out: they are policy choices, compared with ``tuopin compare``.
- Methods: Morris elementary effects (mu*, sigma; cheap screening, r x (D + 1) runs) or Sobol
  indices (S1, ST; N x (2D + 2) runs, N a power of two).
- Tornado: one parameter at a time at its low and high end, the others at their defaults
  (2D + 1 runs), the classic swing chart.
- Common random numbers: every design point runs the same R replicate seeds, so differences
  between points are the parameters' effect, not different draws. Points are independent tasks;
  each is the same whatever process runs it, so 1 or W workers give identical numbers.
"""

from __future__ import annotations

import fnmatch
import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from ..inputs.scenario import load_scenario
from ..parameters import catalog, suggest
from ..runs.ensemble import seeds
from ..runs.runner import Point, Runner

OUTPUTS = {"exits": ("exits declared by the final year", "累计宣布脱贫"),
           "relapses": ("relapses over the run", "累计返贫")}
METHODS = ("morris", "sobol")
DEFAULT_SAMPLES = {"morris": 10, "sobol": 64}  # Morris trajectories; Sobol base sample (a power of two)
MORRIS_LEVELS = 4
# mu* of an effect that is pure noise, per standard error of a point: E|N(0, sqrt(2) se / delta)|
# with the Morris step delta = 2/3 of the range (4 levels): sqrt(2/pi) * sqrt(2) / (2/3) ~ 1.7
NOISE_TO_MU_STAR = math.sqrt(2 / math.pi) * math.sqrt(2) / (MORRIS_LEVELS / (2 * (MORRIS_LEVELS - 1)))


class SensitivityError(Exception):
    """Bad options (method, samples, parameter selection): one message, exit status 2."""


# -- the design ------------------------------------------------------------------------------------

def parameters(only: str | None = None) -> list[str]:
    """The uncertain, non-switch catalog parameters, optionally restricted by comma-separated
    glob patterns (``income.*,pressure.strength``)."""
    names = [n for n, p in catalog().items() if p.uncertain and not isinstance(p.default, bool)]
    if only:
        patterns = [g.strip() for g in only.split(",") if g.strip()]
        names = [n for n in names if any(fnmatch.fnmatchcase(n, g) for g in patterns)]
        if not names:
            hints = "".join(suggest(g, [n for n, p in catalog().items() if p.uncertain]) for g in patterns
                            if not any(ch in g for ch in "*?["))
            raise SensitivityError(f"--params {only!r} matches no uncertain parameter{hints} (see `tuopin params --grep`)")
    return names


def problem(names: list[str]) -> dict:
    """The SALib problem: each parameter over its plausible range (whole numbers widened by half a
    step either side, rounded back in :func:`overrides`)."""
    bounds = []
    for n in names:
        p = catalog()[n]
        lo, hi = p.plausible_range()
        bounds.append([lo - 0.5, hi + 0.5] if isinstance(p.default, int) else [lo, hi])
    return {"num_vars": len(names), "names": list(names), "bounds": bounds}


def design(prob: dict, method: str, samples: int, seed: int) -> np.ndarray:
    """The SALib design matrix, one row per model evaluation."""
    if method == "morris":
        from SALib.sample import morris

        return morris.sample(prob, samples, num_levels=MORRIS_LEVELS, seed=seed)
    from SALib.sample import sobol

    return sobol.sample(prob, samples, calc_second_order=False, seed=seed % 2**32)


def overrides(names: list[str], row) -> dict:
    """One design row as nested scenario overrides: ``{"income": {"wage_growth": 0.1}}``. Whole
    numbers rounded and kept in their plausible range; floats as plain Python floats."""
    tree: dict = {}
    for name, x in zip(names, row):
        p = catalog()[name]
        if isinstance(p.default, int):
            lo, hi = p.plausible_range()
            value = int(min(max(round(float(x)), lo), hi))
        else:
            value = float(x)
        section, key = name.split(".", 1)
        tree.setdefault(section, {})[key] = value
    return tree


def oat_points(names: list[str]) -> tuple[list[dict], pd.DataFrame]:
    """Tornado points: all defaults first, then each parameter at its low and at its high end."""
    points, rows = [{}], []
    for n in names:
        lo, hi = catalog()[n].plausible_range()
        section, key = n.split(".", 1)
        points += [{section: {key: lo}}, {section: {key: hi}}]
        rows.append({"parameter": n, "low": lo, "high": hi})
    return points, pd.DataFrame(rows)


# -- evaluating points -----------------------------------------------------------------------------

@dataclass(frozen=True)
class Setup:
    """What every evaluation shares: the scenario file, the overrides every point gets (seed,
    sampled mode) and the replicate seeds (common random numbers)."""
    scenario: str
    base: dict
    seeds: tuple


def outputs(r) -> tuple[float, float]:
    """Exits declared by the final year and relapses over the run (people) of one replicate."""
    return sum(row["exits_declared"] for row in r.annual), sum(row["relapses"] for row in r.annual)


def evaluate(setup: Setup, points: list[dict], workers: int = 1, progress: bool = False) -> np.ndarray:
    """Outputs of every point and replicate, shape (len(points), replicates, 2), in point order: each
    point's scenario (``params`` overriding the catalog) on each common seed is one run for the
    runner, so 1 or W workers give the same numbers."""
    runs = []
    for params in points:
        loaded = load_scenario(setup.scenario, {**setup.base, "parameters": params})
        runs += [Point(loaded, i, s, origin=False) for i, s in enumerate(setup.seeds)]
    with Runner(workers) as runner:
        out = list(runner.run(runs, outputs, progress=progress, desc="sensitivity", unit="run"))
    return np.asarray(out, dtype=float).reshape(len(points), len(setup.seeds), len(OUTPUTS))


# -- analysis --------------------------------------------------------------------------------------

def analyze(prob: dict, X: np.ndarray, Y: np.ndarray, method: str, seed: int = 0) -> pd.DataFrame:
    """Indices of one output ``Y`` (1-D), one row per parameter. Morris: mu (signed), mu_star,
    mu_star_conf, sigma, in output units per full plausible range. Sobol: S1, S1_conf, ST, ST_conf.
    The bootstrap confidence intervals are 95 %."""
    Y = np.asarray(Y, dtype=float)
    if method == "morris":
        from SALib.analyze import morris

        si = morris.analyze(prob, X, Y, num_levels=MORRIS_LEVELS, conf_level=0.95, seed=seed)
        cols = ("mu", "mu_star", "mu_star_conf", "sigma")
    else:
        from SALib.analyze import sobol

        si = sobol.analyze(prob, Y, calc_second_order=False, conf_level=0.95, seed=seed % 2**32)
        cols = ("S1", "S1_conf", "ST", "ST_conf")
    return pd.DataFrame({"parameter": prob["names"], **{c: np.asarray(si[c], dtype=float) for c in cols}})


def tornado_table(oat: pd.DataFrame, Y: np.ndarray) -> pd.DataFrame:
    """Swings from the one-at-a-time runs (``Y`` rows: defaults, then low/high per parameter)."""
    t = oat.copy()
    for j, out in enumerate(OUTPUTS):
        base = Y[0, j]
        t[f"{out}_at_low"], t[f"{out}_at_high"] = Y[1::2, j], Y[2::2, j]
        t[f"{out}_swing"] = (t[f"{out}_at_high"] - t[f"{out}_at_low"]).abs()
        t[f"{out}_baseline"] = base
    return t


def ranking(names: list[str], method: str, indices: dict[str, pd.DataFrame], tornado: pd.DataFrame) -> pd.DataFrame:
    """One row per parameter: defaults, plausible range, each output's indices and tornado swing,
    ranked by the main index on exits (Morris mu*, Sobol ST)."""
    key = "mu_star" if method == "morris" else "ST"
    cat = catalog()
    table = pd.DataFrame({"parameter": names,
                          "default": [cat[n].default for n in names],
                          "plausible_low": [cat[n].plausible_range()[0] for n in names],
                          "plausible_high": [cat[n].plausible_range()[1] for n in names],
                          "range_source": ["catalog" if cat[n].plausible else "default x (1 ± 0.5)" for n in names]})
    for out, df in indices.items():
        table = table.merge(df.rename(columns={c: f"{out}_{c}" for c in df.columns if c != "parameter"}), on="parameter")
        table[f"rank_{out}"] = table[f"{out}_{key}"].rank(ascending=False, method="min").astype(int)
    swing = tornado[["parameter", *[c for c in tornado.columns if c.startswith(tuple(OUTPUTS)) and "baseline" not in c]]]
    table = table.merge(swing, on="parameter")
    return table.sort_values(["rank_exits", "rank_relapses", "parameter"]).reset_index(drop=True)


# -- the whole analysis ----------------------------------------------------------------------------

@dataclass
class Analysis:
    method: str
    names: list[str]
    design: pd.DataFrame   # one row per evaluation: parameter values and both outputs
    table: pd.DataFrame    # ranked parameters (sensitivity.csv)
    tornado: pd.DataFrame
    evaluations: int
    seconds: float
    noise: dict            # mean Monte Carlo standard error of one point's output, by output (nan for R = 1)


def run(scenario: str | Path, *, method: str = "morris", samples: int | None = None, replicates: int = 2,
        workers: int = 1, sample: int | None = None, seed: int | None = None, only: str | None = None,
        progress: bool = False) -> Analysis:
    """Sample, evaluate (design and tornado points with common seeds) and analyse."""
    import time
    import warnings

    if method not in METHODS:
        raise SensitivityError(f"--method must be one of {', '.join(METHODS)}, got {method!r}")
    samples = samples or DEFAULT_SAMPLES[method]
    if method == "sobol" and samples & (samples - 1):
        warnings.warn(f"Sobol: --samples {samples} is not a power of 2; the Sobol sequence loses its balance "
                      f"properties (use {1 << (samples - 1).bit_length()})", stacklevel=2)
    if method == "morris" and samples < 2:
        raise SensitivityError("Morris needs at least 2 trajectories (--samples 2)")
    names = parameters(only)
    base: dict = {}
    if sample and sample > 1:
        base["population"] = {"sample": sample}
    loaded = load_scenario(scenario, base or None)  # ScenarioError for a bad file or sample
    if loaded.spec.shards:
        raise SensitivityError(f"{scenario} is sharded; analyse one of its shards' scenarios instead")
    seed = loaded.spec.seed if seed is None else seed
    base["seed"] = seed
    setup = Setup(str(scenario), base, tuple(seeds(seed, replicates)))

    t0 = time.perf_counter()
    prob = problem(names)
    with warnings.catch_warnings():  # SALib's note on the Sobol sample size is repeated by our own
        warnings.filterwarnings("ignore", message=".*[Cc]onvergence properties.*")
        X = design(prob, method, samples, seed)
    points = [overrides(names, row) for row in X]
    oat, oat_table = oat_points(names)
    Yr = evaluate(setup, points + oat, workers=workers, progress=progress)
    Y = Yr.mean(axis=1)  # the common-seed average is the model output of a point
    Yd, Yo = Y[: len(points)], Y[len(points):]
    # Monte Carlo error of one point's average (between-replicate spread / sqrt(R)); an upper bound
    # for the error of a difference between points, which common seeds make smaller
    se = Yr.std(axis=1, ddof=1) / np.sqrt(replicates) if replicates > 1 else np.full(Y.shape, np.nan)
    indices = {out: analyze(prob, X, Yd[:, j], method, seed) for j, out in enumerate(OUTPUTS)}
    tornado = tornado_table(oat_table, Yo)
    table = ranking(names, method, indices, tornado)
    frame = pd.DataFrame(X, columns=names)
    for n in names:  # the values actually run (whole numbers rounded)
        if isinstance(catalog()[n].default, int):
            frame[n] = [overrides([n], [x])[n.split(".")[0]][n.split(".", 1)[1]] for x in frame[n]]
    frame.insert(0, "point", np.arange(len(frame)))
    for j, out in enumerate(OUTPUTS):
        frame[out] = Yd[:, j]
        frame[f"{out}_se"] = se[: len(points), j]
    noise = {out: float(se[:, j].mean()) for j, out in enumerate(OUTPUTS)}  # nan with one replicate
    return Analysis(method, names, frame, table, tornado, len(points) + len(oat), time.perf_counter() - t0, noise)
