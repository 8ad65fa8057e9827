"""Calibration recovers parameters it generated data from; the backtest never lets the calibration
see the years it scores; bad data is one clear message."""

from dataclasses import replace

import numpy as np
import pandas as pd
import pytest

from conftest import ROOT, SMALL
from tuopin import load_scenario
from tuopin.analysis.calibrate import SERIES, CalibrationError, backtest, calibrate, read_data, scores, simulated
from tuopin.cli import main
from tuopin.runs.ensemble import run_ensemble

TRUTH = {"income.wage_growth": 0.115, "population.income_ratio_median": 0.68}
DATA = ROOT / "data" / "national_series.csv"


def synthetic_data(loaded, values: dict, seed: int = 99, replicates: int = 4) -> pd.DataFrame:
    """The model's own series at ``values`` (mean of replicates), in the observed format, with the
    year before the start holding the registered people as the headcount (scale 1)."""
    scn = replace(loaded, spec=loaded.spec.model_copy(update={"seed": seed})).with_values(values)
    sim = simulated(run_ensemble(scn, replicates, progress=False), 1.0).groupby("year")[list(SERIES)].mean()
    base = pd.DataFrame({"year": [loaded.spec.first_year - 1], "poor_headcount_10k": [loaded.spec.population.people / 1e4],
                         "lifted_out_10k": [np.nan]})
    return pd.concat([base, sim.reset_index()], ignore_index=True)


@pytest.fixture(scope="module")
def small():
    """3,000 households over seven years (2014-2020), long enough for income growth to show."""
    return load_scenario(SMALL, {"first_year": 2014, "last_year": 2020,
                                 "poverty_line": {"2014": 2800, "2019": 3218, "2020": 3300}})


@pytest.fixture(scope="module")
def truth_data(small):
    return synthetic_data(small, TRUTH)


def test_calibration_recovers_the_parameters_it_generated_data_from(small, truth_data):
    post = calibrate(small, truth_data, through=small.spec.last_year, params=tuple(TRUTH), draws=128, accept=0.1,
                     replicates=1, workers=2)
    s = post.summary.set_index("parameter")
    for name, true in TRUTH.items():
        lo, hi = s.at[name, "prior_low"], s.at[name, "prior_high"]
        assert s.at[name, "posterior_p5"] <= true <= s.at[name, "posterior_p95"], name
        # the posterior is narrower than the prior: the data said something
        assert s.at[name, "posterior_p95"] - s.at[name, "posterior_p5"] < 0.9 * (hi - lo), name
    # the starting income is pinned down closely; income growth (a 7-year aggregate) less so
    name = "population.income_ratio_median"
    assert abs(s.at[name, "posterior_p50"] - TRUTH[name]) < 0.05 * (s.at[name, "prior_high"] - s.at[name, "prior_low"])
    assert s.at[name, "posterior_p95"] - s.at[name, "posterior_p5"] < 0.25 * (s.at[name, "prior_high"] - s.at[name, "prior_low"])
    assert post.accepted["distance"].max() < post.draws.loc[~post.draws["accepted"], "distance"].min()


def test_the_calibration_refuses_data_after_its_cut_off(small, truth_data):
    with pytest.raises(CalibrationError, match="after the cut-off 2016"):
        calibrate(small, truth_data, through=2016, params=tuple(TRUTH), draws=4)


def test_the_backtest_never_sees_the_years_it_scores(small, truth_data):
    """Changing the observations after the cut-off changes the scores but not the calibration."""
    kw = dict(params=tuple(TRUTH), draws=8, accept=0.25)
    post_a, fit_a = backtest(small, truth_data, 2016, **kw)
    tampered = truth_data.copy()
    tampered.loc[tampered["year"] > 2016, list(SERIES)] *= 3
    post_b, fit_b = backtest(small, tampered, 2016, **kw)
    pd.testing.assert_frame_equal(post_a.draws, post_b.draws)
    assert post_a.observed["year"].max() == 2016
    sa, sb = scores(fit_a), scores(fit_b)
    assert list(sa["year"].unique()) == [2017, 2018, 2019, 2020]
    assert (sb["abs_error"] > sa["abs_error"]).all()
    assert sa["covered_5_95"].dtype == bool


def test_cli_calibrate_and_backtest_write_their_folders(tmp_path):
    out = tmp_path / "cal"
    assert main(["calibrate", str(SMALL), "--data", str(DATA), "--draws", "6", "--params", "income.wage_growth",
                 "--out", str(out), "--quiet"]) == 0
    for f in ("posterior.csv", "parameters.csv", "fit.csv", "fit.png", "calibrate.md", "manifest.json", "small_calibrated.toml"):
        assert (out / f).is_file(), f
    calibrated = load_scenario(out / "small_calibrated.toml")
    fitted = pd.read_csv(out / "parameters.csv").set_index("parameter").at["income.wage_growth", "posterior_p50"]
    assert calibrated.params["income.wage_growth"] == pytest.approx(fitted, rel=1e-5)
    # the calibrated scenario carries its accepted draws: forecasts from it hold parameter uncertainty
    accepted = pd.read_csv(out / "posterior.csv").query("accepted")["income.wage_growth"]
    assert sorted(d["income.wage_growth"] for d in calibrated.posterior) == pytest.approx(sorted(accepted))
    bt = tmp_path / "bt"
    assert main(["backtest", str(SMALL), "--data", str(DATA), "--cutoff", "2016", "--draws", "6",
                 "--params", "income.wage_growth", "--out", str(bt), "--quiet"]) == 0
    sc = pd.read_csv(bt / "scores.csv")
    assert set(sc["year"]) == {2017, 2018} and len(sc) == 4
    assert "## Backtest" in (bt / "backtest.md").read_text(encoding="utf-8")


@pytest.mark.parametrize("content, field", [
    ("year,poor_headcount_10k\n2014,7017\n", "lifted_out_10k"),
    ("year,poor_headcount_10k,lifted_out_10k\n2014,lots,1\n", "poor_headcount_10k"),
    ("year,poor_headcount_10k,lifted_out_10k\n2014,1,1\n2014,2,2\n", "year"),
])
def test_bad_data_is_one_message_exit_2_nothing_written(tmp_path, capsys, content, field):
    bad = tmp_path / "bad.csv"
    bad.write_text(content, encoding="utf-8")
    out = tmp_path / "out"
    assert main(["calibrate", str(SMALL), "--data", str(bad), "--draws", "4", "--out", str(out), "--quiet"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and str(bad) in err[0] and f": {field}:" in err[0]
    assert not out.exists()


def test_bad_options(tmp_path, capsys):
    assert main(["backtest", str(SMALL), "--data", str(DATA), "--cutoff", "2018", "--out", str(tmp_path / "o")]) == 2
    assert "--cutoff" in capsys.readouterr().err
    assert main(["calibrate", str(SMALL), "--data", str(DATA), "--params", "income.nope", "--out", str(tmp_path / "o")]) == 2
    assert "income.nope" in capsys.readouterr().err
    assert not (tmp_path / "o").exists()


def test_read_data_reads_the_national_series():
    df = read_data(DATA)
    assert df.set_index("year").at[2013, "poor_headcount_10k"] == 8249
    assert df.set_index("year").at[2019, "lifted_out_10k"] == 1109
