"""Calibration recovers parameters it generated data from (ABC-PMC and rejection), gives the same draws on
one worker or two; the backtest never lets the calibration see the years it scores, and its scores
and verdict match a hand calculation; bad data is one clear message."""

from dataclasses import replace

import numpy as np
import pandas as pd
import pytest

from conftest import ROOT, SMALL
from tuopin import load_scenario
from tuopin.analysis.backtest import backtest, later_inputs, scores, verdict
from tuopin.analysis.calibrate import SERIES, CalibrationError, calibrate, read_data, simulated
from tuopin.analysis.sampler import effective_size, weighted_quantile
from tuopin.cli import main
from tuopin.runs.ensemble import run_ensemble

TRUTH = {"income.wage_growth": 0.115, "population.income_ratio_median": 0.68}
DATA = ROOT / "data" / "national_series.csv"


def synthetic_data(loaded, values: dict, seed: int = 99, replicates: int = 4) -> pd.DataFrame:
    """The model's own series at ``values`` (mean of replicates), in the observed format, with the
    year before the start holding the registered people as the headcount (scale 1)."""
    scn = replace(loaded, spec=loaded.spec.model_copy(update={"seed": seed})).with_values(values)
    sim = simulated(run_ensemble(scn, replicates, progress=False), 1.0,
                    loaded.spec.population.people).groupby("year")[list(SERIES)].mean()
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


def test_abc_pmc_recovers_the_parameters_it_generated_data_from(small, truth_data):
    """The default method on a synthetic target: the starting income pinned down, its truth inside the weighted
    5-95 %. Income growth, which the seven years' series say less about, is in the ABC posterior's upper tail
    whichever sampler (ABC rejection from 512 prior draws, 5 % kept: median 0.091, 5-95 % [0.049, 0.122]; the
    truth 0.115); here its median agrees with that reference within 0.02 (a quarter of the prior's width) and its
    95 % is above the reference's median. The posterior is the last generation's accepted draws (at least a
    quarter of its 80), most of them carrying weight."""
    post = calibrate(small, truth_data, through=small.spec.last_year, params=tuple(TRUTH), draws=160, workers=2)
    s, acc = post.summary.set_index("parameter"), post.accepted
    name = "population.income_ratio_median"
    width = s.at[name, "prior_high"] - s.at[name, "prior_low"]
    assert s.at[name, "posterior_p5"] <= TRUTH[name] <= s.at[name, "posterior_p95"]
    assert abs(s.at[name, "posterior_p50"] - TRUTH[name]) < 0.05 * width
    assert s.at[name, "posterior_p95"] - s.at[name, "posterior_p5"] < 0.25 * width
    name = "income.wage_growth"
    assert abs(s.at[name, "posterior_p50"] - 0.091) < 0.02 and s.at[name, "posterior_p95"] > 0.091
    assert set(acc["generation"]) == {4} and (post.draws["generation"] == 4).sum() == 80 and len(acc) >= 20
    assert acc["weight"].sum() == pytest.approx(1) and (post.draws.loc[~post.draws["accepted"], "weight"] == 0).all()
    assert post.effective_size >= 0.5 * len(acc)


def test_tpe_abc_searches_then_starts_its_generations_around_the_best_trials(small, truth_data):
    post = calibrate(small, truth_data, through=small.spec.last_year, params=tuple(TRUTH), trials=16, draws=16,
                     workers=2, method="tpe-abc")
    search = post.draws[post.draws["stage"] == "search"]
    assert len(search) == 16 and (search["generation"] == 0).all() and not search["accepted"].any()
    assert set(post.accepted["generation"]) == {2}


def test_the_same_seed_gives_the_same_calibration_on_one_worker_or_two(small, truth_data):
    kw = dict(through=small.spec.last_year, params=tuple(TRUTH), draws=16, seed=5)
    one, two = calibrate(small, truth_data, workers=1, **kw), calibrate(small, truth_data, workers=2, **kw)
    pd.testing.assert_frame_equal(one.draws, two.draws)
    other = calibrate(small, truth_data, workers=1, **dict(kw, seed=6))
    assert not other.draws[list(TRUTH)].equals(one.draws[list(TRUTH)])


def test_rejection_recovers_the_parameters_it_generated_data_from(small, truth_data):
    # 256 prior draws, the closest 10 % kept: since the 2018 self-pay share (fewer fall by medical cost) and exits that
    # wait for a safe house (三保障) the seven years' series say less about income growth; with 5 % kept (13 draws) the
    # truth fell just outside the 5-95 %
    post = calibrate(small, truth_data, through=small.spec.last_year, params=tuple(TRUTH), draws=256, accept=0.1,
                     replicates=1, workers=2, method="rejection")
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
    kw = dict(params=tuple(TRUTH), draws=16, predictive=4)
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
    assert main(["calibrate", str(SMALL), "--data", str(DATA), "--draws", "6", "--params",
                 "income.wage_growth", "--out", str(out), "--quiet"]) == 0
    for f in ("posterior.csv", "parameters.csv", "fit.csv", "fit.png", "calibrate.md", "manifest.json", "small_calibrated.toml"):
        assert (out / f).is_file(), f
    calibrated = load_scenario(out / "small_calibrated.toml")
    fitted = pd.read_csv(out / "parameters.csv").set_index("parameter").at["income.wage_growth", "posterior_p50"]
    assert calibrated.params["income.wage_growth"] == pytest.approx(fitted, rel=1e-5)
    # the calibrated scenario carries its accepted draws: forecasts from it hold parameter uncertainty
    # (weighted draws: resampled into as many equally weighted rows, each about n × weight times)
    acc = pd.read_csv(out / "posterior.csv").query("accepted")
    assert set(acc["stage"]) == {"posterior"} and acc["weight"].sum() == pytest.approx(1, abs=1e-5)  # 6 digits in the CSV
    assert len(calibrated.posterior) == (acc["weight"] > 0).sum()
    assert {d["income.wage_growth"] for d in calibrated.posterior} <= set(acc["income.wage_growth"])
    bt = tmp_path / "bt"
    assert main(["backtest", str(SMALL), "--data", str(DATA), "--cutoff", "2016", "--draws", "6",
                 "--params", "income.wage_growth", "--out", str(bt), "--quiet"]) == 0
    sc = pd.read_csv(bt / "scores.csv")
    assert set(sc["year"]) == {2017, 2018} and len(sc) == 4
    vd = pd.read_csv(bt / "verdict.csv")
    assert vd["criterion"].iloc[-1] == "all targets" and len(vd) == 5
    md = (bt / "backtest.md").read_text(encoding="utf-8")
    assert "## Backtest" in md and "## Verdict" in md and "`poverty_line (2017-2018)`" in md


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


def test_a_backtest_on_bad_data_exits_2_and_writes_nothing(tmp_path, capsys):
    bad = tmp_path / "nobase.csv"
    bad.write_text("year,poor_headcount_10k,lifted_out_10k\n2015,5575,1442\n2016,4335,1240\n2017,3046,1289\n", encoding="utf-8")
    out = tmp_path / "out"
    assert main(["backtest", str(SMALL), "--data", str(bad), "--cutoff", "2016", "--draws", "4",
                 "--out", str(out), "--quiet"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "poor_headcount_10k" in err[0] and "2014" in err[0]
    assert main(["backtest", str(SMALL), "--data", str(DATA), "--cutoff", "2016", "--trials", "4", "--out", str(out),
                 "--quiet"]) == 2
    assert "--trials: only with --method tpe-abc" in capsys.readouterr().err
    assert main(["backtest", str(SMALL), "--data", str(DATA), "--cutoff", "2016", "--method", "tpe-abc", "--trials", "4",
                 "--out", str(out), "--quiet"]) == 2
    assert "--trials: at least" in capsys.readouterr().err
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


def _fit(rows, cutoff=2016):
    """A backtest fit table from (year, series, observed, p50, p5, p95)."""
    out = []
    for y, c, o, p50, p5, p95 in rows:
        r = {"year": y, "series": c, "observed": o, "simulated_p50": p50, "simulated_p5": p5, "simulated_p95": p95,
             "observation_p5": p5, "observation_p95": p95, "period": "fitted" if y <= cutoff else "forecast"}
        if pd.notna(o):
            r.update(error=p50 - o, abs_error=abs(p50 - o), pct_error=100 * (p50 - o) / o if o else np.nan,
                     covered_5_95=bool(p5 <= o <= p95))
        out.append(r)
    return pd.DataFrame(out)


H, L = "poor_headcount_10k", "lifted_out_10k"
HAND = _fit([(2016, H, 4335, 4000, 3900, 4100), (2016, L, 1240, 1200, 1100, 1300),  # fitted: not scored
             (2017, H, 3046, 3350.6, 3000, 3400), (2017, L, 1289, 1160.1, 1000, 1200),
             (2018, H, 1660, 1826, 1700, 1900), (2018, L, 1386, 1386, 1300, 1500),
             (2019, H, 551, 551, 500, 600), (2019, L, 1109, 1109, 1000, 1200),
             (2020, H, 0, 150, 0, 300), (2020, L, 551, 606.1, 500, 700)])


def test_scores_and_verdict_match_a_hand_calculation():
    """By hand: headcount errors +10 %, +10 %, 0 % (2020's 0 has no percentage) -> MAPE 6.67 %;
    lifted out -10 %, 0, 0, +10 % -> 5 %; covered: 2017 H yes, L no; 2018 H no, L yes; 2019 both;
    2020 both -> 6 of 8; 2020 median 150万 <= 200万 (8249万 at the start): every target met."""
    sc = scores(HAND)
    assert list(sc["year"]) == [2017, 2017, 2018, 2018, 2019, 2019, 2020, 2020]
    assert list(sc["covered_5_95"]) == [True, False, False, True, True, True, True, True]
    assert sc["pct_error"].round(6).tolist()[:6] == [10.0, -10.0, 10.0, 0.0, 0.0, 0.0]
    assert np.isnan(sc["pct_error"].iloc[6])
    vd = verdict(HAND, base=8249).set_index("criterion")
    assert vd["value"].iloc[0] == pytest.approx(20 / 3) and vd["value"].iloc[1] == pytest.approx(5.0)
    assert vd.index[0] == "MAPE, poor at year end (2017-2019, observed > 0)"
    assert vd.at["observations inside the 5-95 % interval of an observation", "measured"] == "6 of 8"
    assert vd.at["observations inside the 5-95 % interval of an observation", "target"].startswith("≥ 6 of 8")
    left = vd.loc[vd.index.str.startswith("declared poor left at the end of 2020")]
    assert left["value"].item() == 150 and left["target"].item().startswith("≤ 200万")
    assert vd["passed"].tolist() == [True] * 5


@pytest.mark.parametrize("change, failed", [
    ({(2018, H): {"simulated_p50": 2324}}, "MAPE, poor at year end (2017-2019, observed > 0)"),  # 10, 40, 0 -> 16.7 %
    ({(2017, L): {"simulated_p50": 500}}, "MAPE, people lifted out (2017-2020, observed > 0)"),   # 61.2, 0, 0, 10 -> 17.8 %
    ({(2019, L): {"simulated_p5": 1150}}, "observations inside the 5-95 % interval of an observation"),            # 5 of 8
    ({(2020, H): {"simulated_p50": 250}}, "declared poor left at the end of 2020 (median)"),     # 250万 > 200万
])
def test_the_verdict_fails_the_one_criterion_that_is_missed(change, failed):
    rows = []
    for r in HAND.itertuples():
        d = {**r._asdict(), **change.get((r.year, r.series), {})}
        rows.append((d["year"], d["series"], d["observed"], d["simulated_p50"], d["simulated_p5"], d["simulated_p95"]))
    vd = verdict(_fit(rows), base=8249).set_index("criterion")
    assert vd.index[vd["passed"] == False].tolist() == [failed, "all targets"]  # noqa: E712


def test_a_poor_forecast_misses_every_target():
    rows = [(int(r.year), r.series, r.observed, 2 * r.simulated_p50 + 500, 3 * r.simulated_p50 + 400,
             4 * r.simulated_p50 + 600) for r in HAND.itertuples()]
    vd = verdict(_fit(rows), base=8249)
    assert not vd["passed"].any()


def test_later_inputs_lists_what_the_forecast_takes_as_known(small):
    spec = load_scenario(ROOT / "scenarios" / "national_2014_2020.toml").spec
    later = later_inputs(spec, 2016)
    assert "poverty_line (2017-2020)" in later and "targets.people (2017-2020)" in later
    assert "parameters.dibao.aligned_from_year = 2018" in later
    assert not any("relocation.end_year" in x for x in later)  # running to the last year says nothing
    assert not any("households_per_year" in x for x in later)  # a rate, not a year


def test_weighted_quantiles_and_effective_size_by_hand():
    # values 1, 2, 3 with weights 1/4, 1/2, 1/4: cumulative midpoints 1/8, 1/2, 7/8
    assert weighted_quantile([3, 1, 2], [0.25, 0.25, 0.5], 0.5) == 2
    assert weighted_quantile([1, 2, 3], [0.25, 0.5, 0.25], 0.125) == 1
    assert weighted_quantile([1, 2, 3], [0.25, 0.5, 0.25], 0.6875) == pytest.approx(2.5)
    assert effective_size([1, 1, 1, 1]) == 4 and effective_size([1, 0, 0]) == 1
    assert effective_size([0.25, 0.5, 0.25]) == pytest.approx(1 / (0.0625 + 0.25 + 0.0625))


def test_lifted_out_is_the_fall_in_the_headcount_as_the_observed_series():
    """NBS lifted out = last year's poor less this year's (1232 = 8249 - 7017); the model's the same,
    not its declared exits (here 300 declared in 2015 with 150 relapsed and re-declared: 150 net)."""
    from types import SimpleNamespace

    rep = SimpleNamespace(index=0, annual=[{"year": 2014, "poor_end": 800.0, "exits_declared": 250.0},
                                           {"year": 2015, "poor_end": 650.0, "exits_declared": 300.0}])
    sim = simulated([rep], 2.0, 1000.0).set_index("year")
    assert sim.at[2014, "lifted_out_10k"] == pytest.approx((1000 - 800) * 2 / 1e4)
    assert sim.at[2015, "lifted_out_10k"] == pytest.approx((800 - 650) * 2 / 1e4)
    assert sim.at[2015, "poor_headcount_10k"] == pytest.approx(650 * 2 / 1e4)
    obs = pd.read_csv(DATA).set_index("year")
    for y in range(2014, 2021):
        assert obs.at[y, "lifted_out_10k"] == obs.at[y - 1, "poor_headcount_10k"] - obs.at[y, "poor_headcount_10k"]


def test_a_forecast_draws_the_goals_pressure_only_where_the_fit_cannot_inform_it():
    """The national scenario presses its yearly goals (pressure.enabled): the forecast draws pressure.strength from
    the goal as stated (1, 以上: at least) to the catalog's plausible upper end (1.2); not when it is fitted, nor
    where the goals do not press (Jingzhou's base scenario)."""
    from tuopin.analysis.backtest import uninformed
    from tuopin.inputs.scenario import load_scenario

    national = load_scenario(ROOT / "scenarios" / "national_2014_2020.toml")
    assert uninformed(national, ("income.wage_growth",)) == {"pressure.strength": (1.0, 1.2)}
    assert uninformed(national, ("pressure.strength",)) == {}
    assert uninformed(load_scenario(ROOT / "scenarios" / "jingzhou_2015_2018.toml"), ()) == {}


def test_a_posterior_that_a_few_draws_carry_is_flagged():
    """Kish's effective sample size under 10 gets a warning in the report and on stderr: 20 equal weights do not
    (ESS 20), one weight of 0.9 among them does ((Σw)² / Σw² = 1 / (0.81 + 19 · 0.005²) ≈ 1.2)."""
    from tuopin.analysis.calibrate import Posterior

    def post(weights):
        draws = pd.DataFrame({"draw": range(20), "accepted": True, "weight": weights})
        return Posterior(draws, pd.DataFrame(), pd.DataFrame(), 1.0)

    assert post([0.05] * 20).thin() == ""
    warning = post([0.9] + [0.1 / 19] * 19).thin()
    assert warning.startswith("Warning: the effective sample size is 1.2 (under 10)")


def test_the_observation_error_is_the_accepted_draws_residual_and_widens_the_band_of_an_observation():
    """By hand: accepted distances 0.01 and 0.02 (shares of a base of 100万) weighted 1/4 and 3/4 ->
    √(0.25 · 0.01² + 0.75 · 0.02²) · 100 = √0.000325 · 100 = 1.8028万 (a rejected draw counts for nothing).
    A forecast of observations adds a normal error of that size: around a constant 50 its 5-95 % is
    50 ∓ 1.645 σ, a headcount of 0 stays at 0 or more; an observation outside the model's band but inside
    that of an observation is covered, and ``model_covered_5_95`` says the model's own band missed it."""
    from tuopin.analysis.calibrate import Posterior, fit_table, quantiles
    draws = pd.DataFrame({"draw": range(3), "accepted": [True, True, False], "weight": [0.25, 0.75, 0.0],
                          "distance": [0.01, 0.02, 0.5]})
    post = Posterior(draws, pd.DataFrame(), pd.DataFrame(), 1.0, base=100.0)
    assert post.observation_error == pytest.approx(np.sqrt(0.000325) * 100)
    assert Posterior(draws, pd.DataFrame(), pd.DataFrame(), 1.0).observation_error == 0.0   # no base: unknown
    sims = [pd.DataFrame({"year": [2017, 2018], "poor_headcount_10k": [50.0, 0.0], "lifted_out_10k": [50.0, 50.0]})
            for _ in range(20_000)]
    q = quantiles(sims, 10.0, np.random.default_rng(1)).set_index("year")
    assert q.at[2017, "poor_headcount_10k_p5"] == q.at[2017, "poor_headcount_10k_p95"] == 50.0
    assert q.at[2017, "poor_headcount_10k_obs_p5"] == pytest.approx(50 - 16.45, abs=0.5)
    assert q.at[2017, "lifted_out_10k_obs_p95"] == pytest.approx(50 + 16.45, abs=0.5)
    assert q.at[2018, "poor_headcount_10k_obs_p5"] == 0.0 and q.at[2018, "poor_headcount_10k_obs_p95"] > 10
    obs = pd.DataFrame({"year": [2017, 2018], "poor_headcount_10k": [60.0, 0.0], "lifted_out_10k": [90.0, 50.0]})
    fit = fit_table(obs, q.reset_index(), through=2016).set_index(["year", "series"])
    assert fit.at[(2017, "poor_headcount_10k"), "covered_5_95"] and not fit.at[(2017, "poor_headcount_10k"), "model_covered_5_95"]
    assert not fit.at[(2017, "lifted_out_10k"), "covered_5_95"]                # 90 is 4 σ out
    assert fit.at[(2018, "poor_headcount_10k"), "covered_5_95"]
    assert quantiles(sims[:3]).columns.tolist() == ["year", *(f"{c}_{k}" for c in SERIES for k in ("p50", "p5", "p95"))]
