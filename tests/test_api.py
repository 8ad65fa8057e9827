"""The Python API (tuopin.run and friends): the same numbers as the command's forecast, readable
summaries, paired comparisons on common random numbers, did-you-mean on misspelt names."""

import matplotlib
import pandas as pd
import pytest

import tuopin
from tuopin.analysis.forecast import forecast

SMALL = "tests/data/small.toml"


@pytest.fixture(scope="module")
def base():
    return tuopin.run(SMALL, replicates=3)


@pytest.fixture(scope="module")
def cliff(base):
    return tuopin.run(base.scenario.with_parameters(**{"after_exit.transition_years": 0}), replicates=3)


def test_everything_is_exported_and_documented():
    for name in tuopin.__all__:
        obj = getattr(tuopin, name)
        assert obj.__doc__ and len(obj.__doc__) > 40, name


def test_run_gives_the_forecast_tables_of_the_command(base):
    assert isinstance(base.annual, pd.DataFrame)
    assert list(base.annual["year"]) == [2015, 2016, 2017, 2018]
    same = forecast(tuopin.load_scenario(SMALL), 3, progress=False)  # what `tuopin run` tabulates
    pd.testing.assert_frame_equal(base.annual, same.annual)
    pd.testing.assert_frame_equal(base.spend, same.spend)
    assert len(base.survival) and {"survival_p50", "months"} <= set(base.survival.columns)


def test_summary_is_readable_with_intervals(base):
    s = base.summary()
    assert list(s.index) == [2015, 2016, 2017, 2018]
    assert {"declared exits", "true exits", "relapses", "poor remaining", "spend, million yuan",
            "P(meet target)"} <= set(s.columns)
    cell = s.loc[2018, "poor remaining"]  # "2,516 (2,494–2,686)": median and 5-95 %
    mid = int(cell.split(" ")[0].replace(",", ""))
    assert mid == round(base.per_replicate().query("year == 2018")["poor_end"].median())
    assert "(" in cell and "–" in cell
    assert s.loc[2015, "target"] == "3,000"
    assert "poor remaining at the end of 2018" in repr(base)


def test_plot_returns_a_figure(base):
    fig = base.plot()
    assert isinstance(fig, matplotlib.figure.Figure)
    # bilingual ("Exits against targets 脱贫人数与目标") where a CJK font is installed, English otherwise
    assert any(ax.get_title().startswith("Exits against targets") for ax in fig.axes)
    for fig in (base.plot_survival(), base.plot_spend()):
        assert isinstance(fig, matplotlib.figure.Figure) and fig.axes


def test_changes_by_dotted_name_change_the_run(base, cliff):
    assert cliff.scenario.params["after_exit.transition_years"] == 0
    assert base.scenario.params["after_exit.transition_years"] != 0
    assert "after_exit.transition_years=0" in cliff.scenario.name
    same = tuopin.run(SMALL, replicates=3, **{"after_exit.transition_years": 0})
    pd.testing.assert_frame_equal(same.annual, cliff.annual)
    # without transition years, benefits stop at exit and more exits relapse
    assert cliff.annual["relapses_p50"].sum() > base.annual["relapses_p50"].sum()


def test_compare_pairs_replicates(base, cliff):
    c = cliff.compare(base)
    d = c.differences()
    assert list(d.index) == [cliff.scenario.name]
    relapses = c.totals.iloc[0]
    per_b = base.per_replicate().groupby("replicate")["relapses"].sum()
    per_c = cliff.per_replicate().groupby("replicate")["relapses"].sum()
    assert relapses["relapses_diff_p50"] == pytest.approx((per_c - per_b).median())
    assert relapses["relapses_diff_p5"] > 0      # the cliff raises relapses in every pairing
    assert isinstance(c.plot(), matplotlib.figure.Figure)
    assert "relapses" in repr(c)


def test_compare_reruns_a_forecast_on_other_seeds(base, cliff):
    other = tuopin.run(SMALL, replicates=2, seed=99)
    c = cliff.compare(other)               # run again on cliff's seed and replicates
    pd.testing.assert_frame_equal(c.table, cliff.compare(base).table)


def test_misspelt_names_get_a_suggestion():
    with pytest.raises(tuopin.ScenarioError, match="did you mean after_exit.transition_years"):
        tuopin.run(SMALL, **{"after_exit.transition_yrs": 0})
    with pytest.raises(tuopin.ScenarioError, match="did you mean medical.oop_cap"):
        tuopin.load_scenario(SMALL).with_parameters(oop_cap=0)
    with pytest.raises(tuopin.ScenarioError, match="dibao.line_ratio"):
        tuopin.load_scenario(SMALL, **{"dibao.line_ratio": -3})   # out of range: the catalog's message


def test_seed_and_sample(base):
    s = tuopin.load_scenario(SMALL, seed=5, sample=10)
    assert s.spec.seed == 5 and s.spec.population.sample == 10
    assert tuopin.run(SMALL, replicates=3, seed=base.seed).annual.equals(base.annual)


def test_save_writes_the_run_folder(base, tmp_path):
    out = base.save(tmp_path / "run")
    for name in ("annual.csv", "report.md", "manifest.json", "exits_vs_targets.png"):
        assert (out / name).is_file(), name
    saved = pd.read_csv(out / "annual.csv")
    assert saved["poor_end_p50"].round().tolist() == base.annual["poor_end_p50"].round().tolist()
    (tmp_path / "other").mkdir()
    (tmp_path / "other" / "notes.txt").write_text("mine")
    with pytest.raises(Exception, match="already exists"):
        base.save(tmp_path / "other")
    with pytest.raises(Exception, match="cannot be replaced"):
        base.save(tmp_path / "other", force=True)          # a folder with the user's own file is never replaced
    assert base.save(out, force=True) == out                # a folder tuopin wrote is
