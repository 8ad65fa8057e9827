"""The calibration's and the backtest's results folders: posterior draws, parameters, the fit
table and figure, the scores and the verdict (backtest), a calibrated scenario file (calibrate),
the report and the manifest."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from ..analysis.backtest import coverage_note, later_inputs, scores, uninformed, verdict
from ..analysis.calibrate import Posterior, base_headcount
from ..parameters import catalog
from . import plots, results


def calibrated_toml(loaded, posterior: Posterior, where: Path, method: str, draws_file: str) -> str:
    """A scenario file that extends the calibrated one, sets the posterior medians and names the file of
    accepted draws, so its forecasts carry the parameter uncertainty (one draw per replicate). Written
    by a TOML writer (tomli-w), so no name or path can break the file or add lines to it; the comments
    are made of numbers and catalog names only."""
    import os

    import tomli_w

    rel = os.path.relpath(loaded.path, where.parent).replace(os.sep, "/")
    comments = [f"# calibrated: {method}", "# posterior median; 5-95 %; prior; default"]
    params: dict[str, dict] = {}
    for _, r in posterior.summary.iterrows():
        section, key = r["parameter"].split(".", 1)
        v = r["posterior_p50"]
        params.setdefault(section, {})[key] = int(v) if isinstance(catalog()[r["parameter"]].default, int) else float(f"{v:.6g}")
        comments.append(f"# {r['parameter']}: {v:.6g}; [{r['posterior_p5']:.4g}, {r['posterior_p95']:.4g}]; "
                        f"[{r['prior_low']:.4g}, {r['prior_high']:.4g}]; {r['default']}")
    comments.append("# posterior: the accepted draws (with their weights); each replicate of a forecast runs one")
    body = tomli_w.dumps({"extends": rel, "name": f"{loaded.spec.name[:189]}_calibrated", "posterior": draws_file,
                          "parameters": params})
    return "\n".join(comments) + "\n\n" + body


def _report(title: str, lines: list[str], posterior: Posterior, fit: pd.DataFrame) -> str:
    md = [f"# {title}", "", *lines, "", "## Parameters (weighted median and 5-95 % of the accepted draws)", "",
          "| parameter | default | prior | posterior median | 5-95 % |", "|---|---|---|---|---|"]
    for _, r in posterior.summary.iterrows():
        md.append(f"| `{r['parameter']}` | {r['default']:g} | [{r['prior_low']:.4g}, {r['prior_high']:.4g}] | "
                  f"{r['posterior_p50']:.4g} | [{r['posterior_p5']:.4g}, {r['posterior_p95']:.4g}] |")
    md += ["", "## Fit (万 people)", "", "| year | series | period | observed | model p50 [5-95 %] | 5-95 % of an observation "
           "| before calibration | error % |", "|---|---|---|---|---|---|---|---|"]
    for _, r in fit.iterrows():
        obs = f"{r['observed']:,.0f}" if pd.notna(r["observed"]) else "–"
        err = _pct(r.get("pct_error"))
        dflt = f"{r['default_p50']:,.0f}" if pd.notna(r.get("default_p50")) else "–"
        md.append(f"| {r['year']} | {SERIES_NAMES[r['series']]} | {r['period']} | {obs} | {r['simulated_p50']:,.0f} "
                  f"[{r['simulated_p5']:,.0f}, {r['simulated_p95']:,.0f}] | [{r['observation_p5']:,.0f}, "
                  f"{r['observation_p95']:,.0f}] | {dflt} | {err} |")
    return "\n".join(md) + "\n"


def _pct(v) -> str:
    return f"{v:+.1f}" if pd.notna(v) else "–"  # no percentage of an observed zero


SERIES_NAMES = {"poor_headcount_10k": "poor at year end", "lifted_out_10k": "lifted out"}


def write_folder(out: Path, loaded, data_path: Path, data: pd.DataFrame, posterior: Posterior, fit: pd.DataFrame,
                 options: dict, seconds: float, cutoff: int | None = None) -> list[str]:
    """Write a calibration (``cutoff`` None) or a backtest results folder, atomically."""
    kind = "backtest" if cutoff is not None else "calibrate"
    method = posterior.describe(data_path.name)
    opts = {k: v for k, v in options.items() if k not in ("seed", "replicates", "workers")}
    with results.results_folder(out, kind, [loaded], seed=options["seed"], replicates=options["replicates"],
                                workers=options["workers"], options=opts, data=data_path,
                                timings={"wall_seconds": round(seconds, 4)}) as f:
        f.table("posterior.csv", posterior.draws)
        f.table("parameters.csv", posterior.summary)
        f.table("fit.csv", fit)
        title = f"{loaded.spec.region}: " + ("backtest" if cutoff else "calibration")
        f.figure(plots.calibration_fit(fit, title, cutoff), "fit")
        fitted = fit[fit["period"] == "fitted"].dropna(subset=["observed"])
        lines = [f"Scenario `{loaded.path.name}` · {method}.", "",
                 f"Distance of the accepted draws (RMS, share of the starting headcount): "
                 f"{posterior.accepted['distance'].min():.4f}-{posterior.accepted['distance'].max():.4f}; "
                 f"mean absolute error over the fitted years: {fitted['abs_error'].mean():,.0f}万."]
        if warning := posterior.thin():
            lines += ["", f"**{warning}**"]
        if cutoff is not None:
            sc, vd = scores(fit), verdict(fit, base_headcount(data, loaded.spec))
            f.table("scores.csv", sc)
            f.table("verdict.csv", vd)
            later = later_inputs(loaded.spec, cutoff)
            lines += ["", f"## Backtest: calibrated on years up to {cutoff}, scored on the years after it", "",
                      f"The calibration saw only the observations up to {cutoff}. The forecast runs the whole scenario, "
                      "so its inputs for the later years are used as known plans (a budget, a line or a target is set "
                      "before its year): " + ("; ".join(f"`{x}`" for x in later) if later else "none") + ". "
                      "Observed inputs (" + ", ".join(f"`campaign.{x}`" for x in loaded.spec.campaign.OBSERVED) +
                      f") are not used after {cutoff}: the calibration carries them on at their mean growth up to it, the forecast "
                      "at yearly growths each posterior draw draws from their spread up to it (flat from one year). "
                      "Parameters the fitted years cannot inform are drawn per posterior draw too: "
                      + (", ".join(f"`{p}` in [{lo:g}, {hi:g}]" for p, (lo, hi) in uninformed(loaded, options["params"]).items())
                         or "none") + ".", "",
                      f"The bands of an observation are the model's (parameters, inputs, the model's randomness) plus "
                      f"the calibration's observation error, {posterior.observation_error:,.0f}万 (the residual its "
                      "accepted draws leave in the fitted years; ABC's tolerance read as an error model, Wilkinson 2013).", "",
                      "| year | series | observed | forecast p50 | 5-95 % of an observation | the model's 5-95 % | error "
                      "| error % | covered |", "|---|---|---|---|---|---|---|---|---|"]
            lines += [f"| {r['year']} | {SERIES_NAMES[r['series']]} | {r['observed']:,.0f} | {r['simulated_p50']:,.0f} | "
                      f"[{r['observation_p5']:,.0f}, {r['observation_p95']:,.0f}] | "
                      f"[{r['simulated_p5']:,.0f}, {r['simulated_p95']:,.0f}] | {r['error']:+,.0f} | {_pct(r['pct_error'])} | "
                      f"{'yes' if r['covered_5_95'] else 'no'} |" for _, r in sc.iterrows()]
            if len(sc):
                lines += ["", f"Mean absolute error {sc['abs_error'].mean():,.0f}万; the 5-95 % bands of an observation cover "
                              f"{int(sc['covered_5_95'].sum())} of the {len(sc)} scored observations, the model's own "
                              f"{int(sc['model_covered_5_95'].sum())}" + (f"; {note}" if (note := coverage_note(sc)) else "") + "."]
            lines += ["", "## Verdict (the targets of issue 16, computed from the scores above)", "",
                      "| criterion | target | measured | met |", "|---|---|---|---|"]
            lines += [f"| {r['criterion']} | {r['target']} | {r['measured']} | "
                      f"{'–' if r['passed'] is None else 'yes' if r['passed'] else 'no'} |" for _, r in vd.iterrows()]
        else:
            name, draws = f"{loaded.stem}_calibrated.toml", f"{loaded.stem}_posterior.csv"
            f.table(draws, posterior.accepted[[*posterior.summary["parameter"], "weight"]])
            f.text(name, calibrated_toml(loaded, posterior, out / name, method, draws))
            lines += ["", f"The calibrated scenario is `{name}` (it extends `{loaded.path.name}`; its forecasts "
                          f"draw parameters from `{draws}`, one accepted draw per replicate, by weight)."]
        f.text(f"{kind}.md", _report(title, lines, posterior, fit) + "\n![fit](fit.png)\n")
    return f.files
