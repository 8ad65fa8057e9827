"""Forecasts with parameter uncertainty: posterior files, one draw per replicate, seeds unchanged."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from conftest import ROOT, SMALL
from tuopin import load_scenario
from tuopin.cli import main
from tuopin.inputs.posterior import PosteriorError, choose, read_posterior, resample, transfer
from tuopin.runs.ensemble import points


def write(path, text):
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize("text, where, says", [
    ("income.wage_grwth\n0.1\n", "income.wage_grwth", "did you mean income.wage_growth"),
    ("income.wage_growth\n9.5\n", "income.wage_growth (line 2)", "between"),
    ("income.wage_growth\nlots\n", "income.wage_growth (line 2)", "finite number"),
    ("income.wage_growth,accepted\n0.1,False\n", "(rows)", "no (accepted) draws"),
    ("draw,distance\n1,0.2\n", "(columns)", "at least one parameter column"),
    ("after_exit.transition_years\n2.5\n", "after_exit.transition_years (line 2)", "whole number"),
    ("dibao.aligned\nTrue\n", "dibao.aligned", "switch"),
])
def test_a_bad_posterior_is_one_message_naming_the_column(tmp_path, text, where, says):
    with pytest.raises(PosteriorError) as e:
        read_posterior(write(tmp_path / "p.csv", text))
    assert e.value.where == where and says in e.value.message


def test_only_accepted_draws_are_read_and_whole_numbers_stay_whole(tmp_path):
    f = write(tmp_path / "p.csv", "draw,income.wage_growth,after_exit.transition_years,distance,accepted\n"
                                  "0,0.05,2,0.3,True\n1,0.2,4,0.9,False\n2,0.07,3,0.2,True\n")
    draws = read_posterior(f)
    assert draws == ({"income.wage_growth": 0.05, "after_exit.transition_years": 2},
                     {"income.wage_growth": 0.07, "after_exit.transition_years": 3})
    assert all(type(d["after_exit.transition_years"]) is int for d in draws)


def test_each_replicate_takes_one_draw_from_its_own_stream(tmp_path):
    f = write(tmp_path / "p.csv", "income.wage_growth\n" + "\n".join(f"{0.01 * k:.2f}" for k in range(10)) + "\n")
    loaded = load_scenario(SMALL, {"posterior": str(f)})
    pts = points(loaded, 6)
    chosen = choose(loaded.posterior, loaded.spec.seed, 6)
    assert [p.scenario.params["income.wage_growth"] for p in pts] == [0.01 * k for k in chosen]
    assert len(set(chosen)) > 1
    plain = points(load_scenario(SMALL), 6)  # the replicates' seeds are those of a run without a posterior
    assert [p.seed.entropy for p in pts] == [p.seed.entropy for p in plain]
    assert [p.seed.spawn_key for p in pts] == [p.seed.spawn_key for p in plain]


def test_a_posterior_path_is_relative_to_the_file_that_names_it(tmp_path):
    write(tmp_path / "draws.csv", "income.wage_growth\n0.08\n")
    write(tmp_path / "v.toml", f'extends = "{SMALL}"\nposterior = "draws.csv"\n')
    assert load_scenario(tmp_path / "v.toml").posterior == ({"income.wage_growth": 0.08},)


def test_a_bad_posterior_in_a_scenario_is_a_scenario_error(tmp_path, capsys):
    write(tmp_path / "v.toml", f'extends = "{SMALL}"\nposterior = "missing.csv"\n')
    assert main(["validate", str(tmp_path / "v.toml")]) == 2
    assert "posterior" in capsys.readouterr().err


def test_one_draw_at_the_scenario_values_changes_nothing_and_draws_widen_the_bands(tmp_path):
    loaded = load_scenario(SMALL)
    same = write(tmp_path / "same.csv", f"income.wage_growth\n{loaded.params['income.wage_growth']}\n")
    wide = write(tmp_path / "wide.csv", "income.wage_growth\n-0.1\n0.0\n0.15\n0.3\n")
    runs = {}
    for name, extra in (("plain", []), ("same", ["--posterior", str(same)]), ("wide", ["--posterior", str(wide)])):
        out = tmp_path / name
        assert main(["run", str(SMALL), "--replicates", "6", "--out", str(out), "--quiet", *extra]) == 0
        runs[name] = out
    assert (runs["plain"] / "annual.csv").read_bytes() == (runs["same"] / "annual.csv").read_bytes()
    band = {k: (lambda a: (a["poor_end_p95"] - a["poor_end_p5"]).iloc[-1])(pd.read_csv(v / "annual.csv"))
            for k, v in runs.items()}
    assert band["wide"] > 2 * band["plain"]
    report = (runs["wide"] / "report.md").read_text(encoding="utf-8")
    assert "parameter uncertainty (4 posterior draws from wide.csv" in report
    assert "not the uncertainty about the parameters" in (runs["plain"] / "report.md").read_text(encoding="utf-8")
    manifest = json.loads((runs["wide"] / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["scenarios"][0]["spec"]["posterior"] == str(wide.resolve())
    assert main(["rerun", str(runs["wide"]), "--out", str(tmp_path / "again"), "--quiet"]) == 0


def test_weighted_draws_become_equally_weighted_rows_by_systematic_resampling(tmp_path):
    """Weights 0.5, 0.25, 0.25, 0 (4 rows, 3 with weight): points 1/6, 1/2, 5/6 of the cumulative
    0.5, 0.75, 1.0 fall on rows 0, 0, 2; the unweighted row is never used."""
    f = write(tmp_path / "p.csv", "income.wage_growth,weight\n0.05,0.5\n0.06,0.25\n0.07,0.25\n0.08,0\n")
    assert [d["income.wage_growth"] for d in read_posterior(f)] == [0.05, 0.05, 0.07]
    assert resample([1, 1, 1, 1], 4).tolist() == [0, 1, 2, 3]
    with pytest.raises(PosteriorError) as e:
        read_posterior(write(tmp_path / "bad.csv", "income.wage_growth,weight\n0.05,-1\n"))
    assert e.value.where == "weight"


def test_a_posterior_from_another_region_transfers_only_behaviour(tmp_path, capsys):
    """The population section and what the target scenario sets itself are withheld; the rest
    transfers; the report says which; the run reruns to the same numbers."""
    own = {"industry.village_fund"}  # set by the Jingzhou scenario
    draws = ({"income.wage_growth": 0.1, "population.income_ratio_median": 0.65, "industry.village_fund": 1.0},)
    kept, withheld = transfer(draws, own)
    assert kept == ({"income.wage_growth": 0.1},)
    assert set(withheld) == {"population.income_ratio_median", "industry.village_fund"}
    f = write(tmp_path / "national.csv", "income.wage_growth,population.income_ratio_median,industry.take_up\n"
                                         "0.05,0.6,0.2\n0.12,0.7,0.5\n")
    jz = ROOT / "scenarios" / "jingzhou_2015_2018.toml"
    loaded = load_scenario(jz, {"posterior": str(f), "posterior_transfer": True})
    assert loaded.posterior == ({"income.wage_growth": 0.05, "industry.take_up": 0.2},
                                {"income.wage_growth": 0.12, "industry.take_up": 0.5})
    assert load_scenario(jz, {"posterior": str(f)}).posterior[0]["population.income_ratio_median"] == 0.6
    out = tmp_path / "jz"
    assert main(["run", str(jz), "--posterior", str(f), "--transfer", "--sample", "20", "--replicates", "3",
                 "--out", str(out), "--quiet"]) == 0
    report = (out / "report.md").read_text(encoding="utf-8")
    assert "transferred income.wage_growth, industry.take_up; withheld population.income_ratio_median:" in report
    assert "P(meeting the plan 2015-2018" in report
    assert main(["rerun", str(out), "--out", str(tmp_path / "again"), "--quiet"]) == 0
    # every parameter withheld: one message, nothing written
    only_local = write(tmp_path / "local.csv", "population.income_ratio_median\n0.6\n")
    assert main(["run", str(jz), "--posterior", str(only_local), "--transfer", "--out", str(tmp_path / "no"),
                 "--quiet"]) == 2
    assert "no parameter left to transfer" in capsys.readouterr().err and not (tmp_path / "no").exists()


def test_transfer_needs_a_posterior(tmp_path, capsys):
    write(tmp_path / "v.toml", f'extends = "{SMALL}"\nposterior_transfer = true\n')
    assert main(["validate", str(tmp_path / "v.toml")]) == 2
    assert "posterior_transfer" in capsys.readouterr().err
