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
import multiprocessing
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from ..parameters import catalog

OUTPUTS = {"exits": ("exits declared by the final year", "累计宣布脱贫"),
           "relapses": ("relapses over the run", "累计返贫")}
METHODS = ("morris", "sobol")
DEFAULT_SAMPLES = {"morris": 10, "sobol": 64}  # Morris trajectories; Sobol base sample (a power of two)
MORRIS_LEVELS = 4
# mu* of an effect that is pure noise, per standard error of a point: E|N(0, sqrt(2) se / delta)|
# with the Morris step delta = 2/3 of the range (4 levels): sqrt(2/pi) * sqrt(2) / (2/3) ~ 1.7
NOISE_TO_MU_STAR = math.sqrt(2 / math.pi) * math.sqrt(2) / (MORRIS_LEVELS / (2 * (MORRIS_LEVELS - 1)))
DEFAULT_SAMPLE = 20            # sampled mode for large populations: 1 household in 20 (Jingzhou: ~7,000 simulated)
AUTO_SAMPLE_HOUSEHOLDS = 40_000


class SensitivityError(Exception):
    """Bad options (method, samples, parameter selection): one message, exit status 2."""


def auto_sample(loaded) -> int:
    """The default sampled mode: 1 in 20 for synthetic populations of 40,000 households or more
    (a Morris screening of Jingzhou then takes minutes, not an hour), else the whole population.
    The ranking needs differences between points, which common seeds keep sharp at 1 in 20."""
    pop = loaded.spec.population
    if pop.sample > 1 or pop.registry or pop.households < AUTO_SAMPLE_HOUSEHOLDS:
        return pop.sample
    return DEFAULT_SAMPLE


# -- the design ------------------------------------------------------------------------------------

def parameters(only: str | None = None) -> list[str]:
    """The uncertain, non-switch catalog parameters, optionally restricted by comma-separated
    glob patterns (``income.*,pressure.strength``)."""
    names = [n for n, p in catalog().items() if p.uncertain and not isinstance(p.default, bool)]
    if only:
        patterns = [g.strip() for g in only.split(",") if g.strip()]
        names = [n for n in names if any(fnmatch.fnmatchcase(n, g) for g in patterns)]
        if not names:
            raise SensitivityError(f"--params {only!r} matches no uncertain parameter (see `tuopin params --grep`)")
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


def _merge(a: dict, b: dict) -> dict:
    out = {k: dict(v) if isinstance(v, dict) else v for k, v in a.items()}
    for k, v in b.items():
        out[k] = _merge(out.get(k, {}), v) if isinstance(v, dict) else v
    return out


def evaluate_point(setup: Setup, params: dict) -> list[tuple[float, float]]:
    """Exits declared by the final year and relapses over the run (people), one pair per common
    replicate seed, for the scenario with ``params`` overriding the catalog."""
    from ..runs.ensemble import run_replicate
    from ..inputs.scenario import load_scenario

    base_params = setup.base.get("parameters", {})
    loaded = load_scenario(setup.scenario, {**setup.base, "parameters": _merge(base_params, params)})
    out = []
    for i, s in enumerate(setup.seeds):
        r = run_replicate(loaded, i, s, origin=False)
        out.append((sum(row["exits_declared"] for row in r.annual), sum(row["relapses"] for row in r.annual)))
    return out


def _evaluate_chunk(setup: Setup, chunk: list[dict]) -> list[list[tuple[float, float]]]:
    return [evaluate_point(setup, p) for p in chunk]


def evaluate(setup: Setup, points: list[dict], workers: int = 1, progress: bool = False) -> np.ndarray:
    """Outputs of every point and replicate, shape (len(points), replicates, 2), in point order. With ``workers`` > 1 the
    points run in a forkserver process pool in small chunks (a chunk amortises task overhead; the
    numbers do not depend on the chunking since each point is evaluated alone)."""
    from tqdm.auto import tqdm

    bar = tqdm(total=len(points), desc="sensitivity", unit="point", disable=not progress)
    out: list[list[tuple[float, float]]] = []
    if workers <= 1:
        for p in points:
            out.append(evaluate_point(setup, p))
            bar.update()
    else:
        size = max(1, min(8, len(points) // (workers * 4)))
        chunks = [points[i:i + size] for i in range(0, len(points), size)]
        with ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("forkserver")) as ex:
            for res in ex.map(_evaluate_chunk, [setup] * len(chunks), chunks):  # map keeps order
                out.extend(res)
                bar.update(len(res))
    bar.close()
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


# -- figures ---------------------------------------------------------------------------------------

def tornado_figure(tornado: pd.DataFrame, title: str, top: int = 15):
    """Classic tornado, one panel per output: the output with each parameter at its low (light) and
    high (dark) end minus the output at defaults, the largest swings on top."""
    from matplotlib.figure import Figure
    from matplotlib.ticker import MaxNLocator

    from ..outputs.plots import label, plain, style

    with style():
        fig = Figure(figsize=(13, 0.32 * top + 1.6), layout="constrained")
        axes = fig.subplots(1, len(OUTPUTS))
        for ax, (out, (en, zh)) in zip(axes, OUTPUTS.items()):
            t = tornado.nlargest(top, f"{out}_swing").iloc[::-1]
            base = t[f"{out}_baseline"].iloc[0] if len(t) else 0.0
            y = np.arange(len(t))
            lo, hi = t[f"{out}_at_low"] - base, t[f"{out}_at_high"] - base
            # low and high side by side (half bars), so neither hides the other when both go the same way
            ax.barh(y + 0.2, lo, height=0.4, color="#9ecae1", label=label("parameter at its low end", "取低值"))
            ax.barh(y - 0.2, hi, height=0.4, color="#1f5fa8", label=label("at its high end", "取高值"))
            ax.set_yticks(y, t["parameter"], fontsize=8)
            ax.axvline(0, color="black", lw=0.8)
            ax.set_title(label(en, zh) + f"\n{label('baseline (scenario as given)', '基准')}: {base:,.0f}", fontsize=10)
            ax.set_xlabel(label("difference from baseline, people", "与基准之差 人"))
            ax.xaxis.set_major_formatter(lambda v, _: f"{v:+,.0f}")
            ax.xaxis.set_major_locator(MaxNLocator(5))
            ax.spines[["top", "right"]].set_visible(False)
            ax.grid(axis="x", alpha=0.3)
        fig.legend(*axes[0].get_legend_handles_labels(), loc="outside lower center", ncols=2, fontsize=9, frameon=False)
        fig.suptitle(plain(title) + " — " + label("one parameter at a time over its plausible range", "单参数敏感性"),
                     fontsize=12)
    return fig


def indices_figure(table: pd.DataFrame, method: str, title: str, top: int = 15):
    """Bars of the main indices with their 95 % intervals, one panel per output: Sobol S1 and ST,
    or Morris mu* (with sigma as a second bar: large sigma = interactions or non-linearity)."""
    from matplotlib.figure import Figure
    from matplotlib.ticker import MaxNLocator

    from ..outputs.plots import label, plain, style

    if method == "sobol":
        bars = (("S1", "S1_conf", "#9ecae1", ("first order S1", "一阶")), ("ST", "ST_conf", "#1f5fa8", ("total ST", "总效应")))
    else:
        bars = (("mu_star", "mu_star_conf", "#1f5fa8", ("mu*", "平均绝对效应")), ("sigma", None, "#9ecae1", ("sigma", "标准差")))
    with style():
        fig = Figure(figsize=(13, 0.32 * top + 1.6), layout="constrained")
        axes = fig.subplots(1, len(OUTPUTS))
        for ax, (out, (en, zh)) in zip(axes, OUTPUTS.items()):
            t = table.nlargest(top, f"{out}_{bars[1][0] if method == 'sobol' else 'mu_star'}").iloc[::-1]
            y = np.arange(len(t))
            h = 0.4
            for k, (col, conf, color, (ben, bzh)) in enumerate(bars):
                err = t[f"{out}_{conf}"].to_numpy() if conf else None
                ax.barh(y + (k - 0.5) * h, t[f"{out}_{col}"], height=h, xerr=err, color=color, capsize=2,
                        error_kw={"lw": 0.8}, label=label(ben, bzh))
            ax.set_yticks(y, t["parameter"], fontsize=8)
            ax.set_title(label(en, zh), fontsize=10)
            ax.set_xlabel(label("share of output variance", "方差占比") if method == "sobol"
                          else label("people per plausible range", "人 每个合理区间"))
            if method == "sobol":
                ax.set_xlim(left=min(0.0, float((t[f"{out}_S1"] - t[f"{out}_S1_conf"]).min())))
            ax.xaxis.set_major_locator(MaxNLocator(5))
            if method != "sobol":
                ax.xaxis.set_major_formatter(lambda v, _: f"{v:,.0f}")
            ax.axvline(0, color="black", lw=0.8)
            ax.spines[["top", "right"]].set_visible(False)
            ax.grid(axis="x", alpha=0.3)
        fig.legend(*axes[0].get_legend_handles_labels(), loc="outside lower center", ncols=2, fontsize=9, frameon=False)
        what = label("Sobol indices, 95 % intervals", "Sobol 指数") if method == "sobol" else \
            label("Morris elementary effects, 95 % intervals", "Morris 基本效应")
        fig.suptitle(plain(title) + " — " + what, fontsize=12)
    return fig


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

    from ..runs.ensemble import seeds
    from ..inputs.scenario import load_scenario

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


def report(a: Analysis, title: str, options: dict, top: int = 5) -> str:
    """sensitivity.md: what was run and the top sensitivities in words."""
    key = "mu_star" if a.method == "morris" else "ST"
    lines = [f"# Sensitivity: {title}", "",
             f"{a.method.capitalize()} over {len(a.names)} uncertain parameters, {a.evaluations} model evaluations "
             f"({len(a.design)} design points and {2 * len(a.names) + 1} one-at-a-time points), "
             f"{options['replicates']} common replicate seed(s) each, sampled mode 1 in {options['sample']}, "
             f"{a.seconds:,.0f} s.", "",
             "Ranges: each parameter's plausible range from the catalog (`plausible`), or default × (1 ± 0.5) within "
             "its validation range where the catalog gives none (column `range_source` of sensitivity.csv).", ""]
    for out, (en, _) in OUTPUTS.items():
        t = a.table.sort_values(f"rank_{out}").head(top)
        base = a.tornado[f"{out}_baseline"].iloc[0]
        lines += [f"## {en.capitalize()} (baseline, the scenario as given: {base:,.0f} people)", ""]
        for _, r in t.iterrows():
            idx = (f"mu* {r[f'{out}_mu_star']:,.0f} ± {r[f'{out}_mu_star_conf']:,.0f} people, sigma {r[f'{out}_sigma']:,.0f}"
                   if a.method == "morris" else
                   f"ST {r[f'{out}_ST']:.2f} ± {r[f'{out}_ST_conf']:.2f}, S1 {r[f'{out}_S1']:.2f} ± {r[f'{out}_S1_conf']:.2f}")
            lo, hi = r[f"{out}_at_low"] - base, r[f"{out}_at_high"] - base
            lines.append(f"{int(r[f'rank_{out}'])}. **{r['parameter']}** ({idx}): from {r['plausible_low']:g} to "
                         f"{r['plausible_high']:g}, the others as given, {en} move by {lo:+,.0f} / {hi:+,.0f} people.")
        lines.append("")
    if all(np.isfinite(v) for v in a.noise.values()):
        floor = {o: NOISE_TO_MU_STAR * v for o, v in a.noise.items()}
        lines += [f"Monte Carlo noise: one point's output has a standard error of about "
                  + " and ".join(f"{v:,.0f} {o}" for o, v in a.noise.items())
                  + (f" (between its {options['replicates']} common seeds); pure noise would "
                     "show as mu* of about " + " and ".join(f"{v:,.0f}" for v in floor.values())
                     + " — parameters below that are not distinguishable from no effect (an upper bound: common "
                     "seeds cancel most of it for parameters that do not change the population's draws)."
                     if a.method == "morris" else "."), ""]
    inert = a.table.loc[(a.table[[f"{o}_swing" for o in OUTPUTS]].sum(axis=1) == 0) &
                        (a.table[[f"{o}_{key}" for o in OUTPUTS]].abs().sum(axis=1) == 0), "parameter"].tolist()
    if inert:
        lines += [f"No effect at all ({len(inert)}): {', '.join(inert)} — typically parameters of a lever switched "
                  "off in this scenario (e.g. pressure.* without pressure.enabled) or outside its years.", ""]
    if a.method == "morris":
        lines += ["mu* is the mean absolute change of the output when the parameter moves across its plausible range; "
                  "sigma large against mu* means the effect depends on the other parameters (interactions or "
                  "non-linearity). Monte Carlo noise left after common random numbers also shows up in sigma.", ""]
    else:
        lines += ["S1: share of the output's variance due to the parameter alone; ST: including its interactions. "
                  "Negative or > 1 values within their intervals are sampling error: raise --samples.", ""]
    lines += [f"Ranked by {key} on exits in sensitivity.csv; the design and outputs are in samples.csv.", ""]
    return "\n".join(lines)


def write_folder(out: Path, a: Analysis, loaded, options: dict) -> list[str]:
    """Write the results folder atomically: tables, figures, report and manifest."""
    from ..outputs import plots
    from ..outputs import results

    with results.atomic_folder(out) as tmp:
        a.table.to_csv(tmp / "sensitivity.csv", index=False, float_format="%.6g")
        a.design.to_csv(tmp / "samples.csv", index=False, float_format="%.8g")
        figures = plots.save(tornado_figure(a.tornado, loaded.spec.region), tmp, "tornado")
        figures += plots.save(indices_figure(a.table, a.method, loaded.spec.region), tmp, a.method)
        md = report(a, loaded.spec.region, options) + "\n" + "".join(f"![{f}]({f})\n" for f in figures if f.endswith(".png"))
        (tmp / "sensitivity.md").write_text(md, encoding="utf-8")
        files = ["sensitivity.csv", "samples.csv", "sensitivity.md", *figures]
        results.write_manifest(tmp, scenario=str(loaded.path), scenario_sha256=loaded.sha256, method=a.method,
                               salib=_salib_version(),
                               parameters=a.names, evaluations=a.evaluations, seconds=round(a.seconds, 1),
                               files=files, **options)
    return files


def _salib_version() -> str:
    from importlib import metadata

    return metadata.version("SALib")
