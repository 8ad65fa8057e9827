"""The backtest: calibrate on the years up to a cut-off, forecast every year, score the years after
it, and judge the scores against the targets the project set itself.

What the calibration sees: only the observed rows up to the cut-off (later rows are cut off here,
before the calibration is called; tested). What the forecast sees: the whole scenario, including
its inputs for the years after the cut-off (poverty line, targets, funds, policy start years).
Those are plans known when a forecast is made (a budget is voted, a line and a target announced
before the year), so they are inputs, not outcomes; :func:`later_inputs` lists them for the report.
The campaign's observed series (``Campaign.OBSERVED``: transfer income, registered labourers working away
and their earnings) are outcomes: after the cut-off both the calibration and the forecast see only their
extension from the years up to it (``Campaign.known_until``). The forecast draws that extension: each
posterior draw it runs goes on with yearly growths drawn from the spread of the series' growth up to the
cut-off, so its band holds the forecaster's ignorance of these inputs as well as the parameters' (a series
known in one year only has no spread to draw from and stays flat). It also draws the parameters the fitted
years cannot inform but that act after them (:func:`uninformed`: the pressure of the yearly goals).

The verdict (:func:`verdict`) is computed from the scores against the "done when"
of issue 16: mean absolute percentage error (MAPE) at most 15 % on the year-end headcount and on
the people lifted out, the 5-95 % intervals covering at least 6 of 8 (75 %) of the observations, and
at most 200万 declared poor left at the end (2.4 % of the 8249万 poor at the end of 2013; the same
share of the starting headcount for another series).
"""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np
import pandas as pd

from ..parameters import catalog
from .calibrate import DEFAULT_PARAMS, CalibrationError, Posterior, calibrate, fit_table, predict, with_defaults

MAPE_MAX = 15.0               # % (issue 16)
COVERAGE_MIN = 0.75           # share of the scored observations inside the 5-95 % interval (6 of 8)
LEFT_MAX_SHARE = 200 / 8249   # declared poor left at the end, share of the starting headcount (200万 of 8249万)
INPUTS_STREAM = 0x696E70     # "inp": the forecast's drawn input paths, apart from the simulations' seeds
SCORE_COLUMNS = ["year", "series", "observed", "simulated_p50", "simulated_p5", "simulated_p95", "observation_p5",
                 "observation_p95", "error", "abs_error", "pct_error", "covered_5_95", "model_covered_5_95"]


def backtest(loaded, data: pd.DataFrame, cutoff: int, replicates: int = 1, workers: int = 1, progress: bool = False,
             predictive: int = 40, **options) -> tuple[Posterior, pd.DataFrame]:
    """Calibrate on the years up to ``cutoff`` (the rows after it are cut off here, before the
    calibration sees anything), forecast every year from ``predictive`` posterior draws, and return
    the posterior and the fit table (``period`` fitted or forecast)."""
    if cutoff >= loaded.spec.last_year or cutoff < loaded.spec.first_year:
        raise CalibrationError(f"--cutoff: must be a year in {loaded.spec.first_year}-{loaded.spec.last_year - 1} "
                               f"so that there are years left to score, got {cutoff}")
    train = data[data["year"] <= cutoff].reset_index(drop=True)
    full = loaded.spec.campaign
    loaded = with_campaign(loaded, full.known_until(cutoff))
    post = calibrate(loaded, train, through=cutoff, replicates=replicates, workers=workers, progress=progress, **options)
    seed = loaded.spec.seed if options.get("seed") is None else options["seed"]
    rng = np.random.default_rng([seed, INPUTS_STREAM])
    paths = [full.known_until(cutoff, rng) for _ in range(predictive)]  # each posterior draw its own input path
    unfitted = uninformed(loaded, options.get("params") or DEFAULT_PARAMS)
    drawn = [{p: float(rng.uniform(lo, hi)) for p, (lo, hi) in unfitted.items()} for _ in range(predictive)]
    pred = predict(loaded, post, replicates=max(replicates, 2), seed=seed, workers=workers, draws=predictive,
                   inputs=lambda k: with_campaign(loaded, paths[k]).with_values(drawn[k]))
    return post, with_defaults(fit_table(data, pred, cutoff), loaded, post, replicates, seed, workers)


def uninformed(loaded, fitted) -> dict[str, tuple[float, float]]:
    """The parameters a forecast draws per posterior draw (uniformly over the range) because the years up to a
    cut-off do not inform them and they act after it, unless fitted: the pressure of the yearly goals
    (``pressure.strength``, where ``pressure.enabled``). The goals bind from 2017 in the national model, not in
    the fitted years, so the fit says nothing of how hard they pressed; the goals read 以上 (at least), so the
    range runs from the goal as stated (1) to the catalog's plausible upper end (somewhat over it, 层层加码)."""
    if not loaded.params.get("pressure.enabled") or "pressure.strength" in fitted:
        return {}
    return {"pressure.strength": (1.0, catalog()["pressure.strength"].plausible_range()[1])}


def with_campaign(loaded, campaign):
    return replace(loaded, spec=loaded.spec.model_copy(update={"campaign": campaign}))


def scores(fit: pd.DataFrame) -> pd.DataFrame:
    """The backtest's error table: the forecast years with an observation, per year and series."""
    table = fit[(fit["period"] == "forecast") & fit["observed"].notna()]
    return table.reindex(columns=SCORE_COLUMNS).reset_index(drop=True)


def verdict(fit: pd.DataFrame, base: float) -> pd.DataFrame:
    """Each target of the module (issue 16), measured on ``fit`` (a backtest's fit table;
    ``base``: the observed headcount the year before the scenario, 万): criterion, target, measured,
    passed (None when there is nothing to measure), and a last row ``all targets``."""
    sc = scores(fit)
    rows = []
    for series, name in (("poor_headcount_10k", "poor at year end"), ("lifted_out_10k", "people lifted out")):
        s = sc[(sc["series"] == series) & (sc["observed"] > 0)]
        years = f"{s['year'].min()}-{s['year'].max()}" if len(s) else "no year"
        mape = float(s["pct_error"].abs().mean()) if len(s) else math.nan
        rows.append({"criterion": f"MAPE, {name} ({years}, observed > 0)", "target": f"≤ {MAPE_MAX:g} %",
                     "measured": f"{mape:.1f} %" if len(s) else "–", "value": mape,
                     "passed": bool(mape <= MAPE_MAX) if len(s) else None})
    n, k = len(sc), int(sc["covered_5_95"].astype(bool).sum())
    need = math.ceil(COVERAGE_MIN * n)
    rows.append({"criterion": "observations inside the 5-95 % interval of an observation", "target": f"≥ {need} of {n} ({COVERAGE_MIN:.0%})",
                 "measured": f"{k} of {n}", "value": k / n if n else math.nan, "passed": bool(k >= need) if n else None})
    last = fit[(fit["series"] == "poor_headcount_10k") & (fit["period"] == "forecast")]
    limit = LEFT_MAX_SHARE * base
    if len(last):
        end = last.sort_values("year").iloc[-1]
        left = float(end["simulated_p50"])
        rows.append({"criterion": f"declared poor left at the end of {int(end['year'])} (median)",
                     "target": f"≤ {limit:,.0f}万 ({LEFT_MAX_SHARE:.1%} of the {base:,.0f}万 at the start)",
                     "measured": f"{left:,.0f}万", "value": left, "passed": bool(left <= limit)})
    ok = all(r["passed"] is True for r in rows)
    rows.append({"criterion": "all targets", "target": "every one met", "measured": "met" if ok else "not met",
                 "value": float(ok), "passed": ok})
    return pd.DataFrame(rows)


def later_inputs(spec, cutoff: int) -> list[str]:
    """The scenario's inputs for years after ``cutoff``: tables by year (poverty line, targets,
    funds…) and policy years (a ``…start_year``, ``…end_year`` or ``…from_year`` parameter after the
    cut-off, but not an end year at or after the scenario's last), as ``name (years)`` or ``name = year``."""
    found = []

    def walk(obj, name: str) -> None:
        if isinstance(obj, dict):
            years = sorted(int(k) for k in obj if str(k).isdigit() and int(k) > cutoff)
            if years:
                found.append(f"{name} ({years[0]}-{years[-1]})" if len(years) > 1 else f"{name} ({years[0]})")
            for k, v in obj.items():
                if not str(k).isdigit():
                    walk(v, f"{name}.{k}" if name else str(k))
        elif (name.startswith("parameters.") and name.rsplit(".", 1)[-1].endswith(("start_year", "end_year", "from_year"))
              and isinstance(obj, int) and obj > cutoff
              and not (name.endswith("end_year") and obj >= spec.last_year)):  # running to the end says nothing
            found.append(f"{name} = {obj}")

    dump = spec.model_dump()
    dump["campaign"] = {k: v for k, v in dump["campaign"].items() if k not in spec.campaign.OBSERVED}  # not plans
    walk({k: v for k, v in dump.items() if k not in ("shards", "first_year", "last_year")}, "")
    return found


def coverage_note(sc: pd.DataFrame) -> str:
    """How wide the bands of an observation are relative to the observations: the median of (p95 - p5) / observed."""
    s = sc[sc["observed"] > 0]
    if not len(s):
        return ""
    width = np.median((s["observation_p95"] - s["observation_p5"]) / s["observed"])
    return f"the median 5-95 % band of an observation is {width:.0%} of the observed value"
