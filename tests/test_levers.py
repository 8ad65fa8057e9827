"""What each lever buys (``tuopin levers``, ``tuopin run --levers``): the paired table against a
hand calculation, common random numbers (an idle lever switched off changes nothing), a complete
results folder, and bad input refused with exit status 2 and nothing written."""

import json
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from tuopin.analysis.levers import PRECISION, lever_table, run_levers, variants
from tuopin.cli import main
from tuopin.inputs.scenario import load_scenario

ROOT = Path(__file__).resolve().parents[1]
SMALL = ROOT / "tests" / "data" / "small.toml"


def _per(sustained, spend, sustained_detected=None, spend_observed=None, exits_true=None):
    n = len(sustained)
    return pd.DataFrame({"exits_true": exits_true or sustained, "exits_declared": [0.0] * n,
                         "exits_sustained_true": sustained, "exits_sustained": sustained_detected or sustained,
                         "relapses": [5.0] * n, "spend_yuan": spend, "spend_observed_yuan": spend_observed or spend},
                        index=pd.Index(range(n), name="replicate"), dtype=float)


def test_paired_table_against_a_hand_calculation():
    per = {"scenario": _per([100, 110, 120], [1000, 1100, 1200], exits_true=[50, 60, 70]),
           "housing": _per([90, 95, 100], [800, 800, 900], exits_true=[40, 40, 40]),
           "credit": _per([100, 112, 110], [900, 1000, 1100]),   # replicate 1 gains -2: no ratio
           PRECISION: _per([95, 105, 118], [1000, 1100, 1200])}
    t = lever_table(per).set_index("lever")
    h = t.loc["housing"]
    # added = scenario - variant, replicate by replicate: sustained 10, 15, 20; spend 200, 300, 300; true exits 10, 20, 30
    assert (h["exits_sustained_true_added_p50"], h["exits_sustained_true_added_p5"], h["exits_sustained_true_added_p95"]) \
        == (15, 10 + 0.1 * 5, 20 - 0.1 * 5)                       # linear interpolation between order statistics
    assert h["exits_true_added_p50"] == 20 and h["relapses_added_p50"] == 0
    assert (h["spend_yuan_added_p50"], h["spend_yuan_added_p5"]) == (300, 200 + 0.1 * 100)
    # yuan per additional sustained exit, per replicate: 200/10 = 20, 300/15 = 20, 300/20 = 15
    assert h["yuan_per_sustained_exit_p50"] == 20
    assert h["yuan_per_sustained_exit_p5"] == pytest.approx(15 + 0.1 * 5)
    assert h["yuan_per_sustained_exit_p95"] == 20 and h["note"] == ""
    c = t.loc["credit"]                                            # sustained added: 0, -2, 10
    assert np.isnan(c["yuan_per_sustained_exit_p50"]) and "2 of 3 replicates" in c["note"]
    p = t.loc[PRECISION]                                           # same money: no cost ratio, the gain reported
    assert p["exits_sustained_true_added_p50"] == 5 and np.isnan(p["yuan_per_sustained_exit_p50"])
    assert "precision" in p["note"] and p["switched_off"] == "targeting.by_cause = false"
    same = lever_table({"scenario": per["scenario"], PRECISION: per["scenario"].copy()}).iloc[0]
    assert "changes nothing" in same["note"]
    none = lever_table({"scenario": per["scenario"], "x": _per([100, 110, 120], [1000, 1100, 1200])}).iloc[0]
    assert "no effect and no spend" in none["note"]
    worse = lever_table({"scenario": per["scenario"], "x": _per([101, 111, 121], [900, 900, 900])}).iloc[0]
    assert "buys no sustained exit" in worse["note"]


def test_variants_switch_each_running_lever_off_and_precision():
    loaded = load_scenario(SMALL, {"parameters": {"relocation": {"enabled": False}}})
    off, skipped = variants(loaded)
    assert "relocation" in skipped and "relocation" not in off and PRECISION in off
    assert off["housing"].params["housing.enabled"] is False and off["housing"].params["credit.enabled"] is True
    assert off[PRECISION].params[PRECISION] is False and "pressure" not in off  # levers are the sim's, not switches


@pytest.fixture(scope="module")
def small_runs():
    return run_levers(load_scenario(SMALL), 2)


def test_common_random_numbers(small_runs):
    """An idle lever switched off changes nothing, to the person and the yuan: every other draw is kept."""
    t = small_runs.table.set_index("lever")
    idle = t.loc["relocation"]
    assert all(idle[f"{c}_added_{q}"] == 0 for c in ("exits_true", "relapses", "spend_yuan") for q in ("p5", "p95"))
    assert t.loc["housing", "spend_yuan_added_p5"] > 0 and t.loc["housing", "exits_sustained_true_added_p5"] > 0
    base = small_runs.totals[small_runs.totals["variant"] == "scenario"]
    import tuopin

    fc = tuopin.run(SMALL, replicates=2)
    assert base["exits_true"].tolist() == fc.per_replicate().groupby("replicate")["exits_true"].sum().tolist()


def test_cli_writes_a_complete_folder_with_the_figure(tmp_path, capsys):
    out = tmp_path / "lv"
    assert main(["levers", str(SMALL), "--replicates", "2", "--out", str(out), "--quiet"]) == 0
    assert "yuan per additional sustained exit" in capsys.readouterr().out
    m = json.loads((out / "manifest.json").read_text())
    assert m["command"] == "levers" and sorted(m["files"] + ["manifest.json"]) == sorted(p.name for p in out.iterdir())
    assert {"levers.csv", "levers_replicates.csv", "levers.png", "levers.svg", "report.md"} <= set(m["files"])
    assert (out / "levers.png").stat().st_size > 10_000
    assert "housing" in (out / "levers.svg").read_text() and "million yuan" in (out / "levers.svg").read_text()
    table = pd.read_csv(out / "levers.csv")
    assert PRECISION in set(table["lever"]) and (table["spend_yuan_added_p50"] == table["spend_yuan_added_p50"].round()).all()
    assert "| housing |" in (out / "report.md").read_text()
    doc = (ROOT / "docs" / "outputs.md").read_text(encoding="utf-8")
    for csv in ("levers.csv", "levers_replicates.csv"):
        assert csv in doc
        for col in pd.read_csv(out / csv, nrows=1).columns:
            base = re.sub(r"_(p5|p50|p95)$", "", col)
            assert re.search(rf"\b{re.escape(base)}(\b|_p5/)", doc), (csv, col)


@pytest.mark.parametrize("argv", [["--replicates", "0"], ["--sample", "x"], ["--workers", "-1"]])
def test_bad_options_exit_2_and_write_nothing(tmp_path, argv):
    out = tmp_path / "lv"
    with pytest.raises(SystemExit) as e:
        main(["levers", str(SMALL), "--out", str(out), *argv])
    assert e.value.code == 2 and not out.exists()


def test_bad_scenario_or_taken_destination_exit_2(tmp_path, capsys):
    out = tmp_path / "lv"
    assert main(["levers", str(ROOT / "tests" / "bad_scenarios" / "assessment_month_13.toml"), "--out", str(out)]) == 2
    assert not out.exists() and "assessment_month" in capsys.readouterr().err
    out.mkdir()
    (out / "mine.txt").write_text("not tuopin's")
    assert main(["levers", str(SMALL), "--out", str(out), "--replicates", "1", "--force", "--quiet"]) == 2
    assert [p.name for p in out.iterdir()] == ["mine.txt"]


def test_run_with_levers_reports_them_and_reruns_identically(tmp_path, capsys):
    out = tmp_path / "run"
    assert main(["run", str(SMALL), "--replicates", "2", "--levers", "--out", str(out), "--quiet"]) == 0
    report = (out / "report.md").read_text()
    assert "## What each lever buys" in report and "![what each lever buys](levers.png)" in report
    assert "additional sustained exit" in (out / "spend.svg").read_text()
    assert main(["rerun", str(out), "--quiet"]) == 0 and "byte-identical" in capsys.readouterr().out
    plain = tmp_path / "plain"
    assert main(["run", str(SMALL), "--replicates", "1", "--out", str(plain), "--quiet"]) == 0
    assert not (plain / "levers.csv").exists() and "What each lever buys" not in (plain / "report.md").read_text()
    money = pd.read_csv(plain / "money.csv").set_index("lever")
    assert money.loc["all", "per_true_exit_yuan_p50"] > 0 and money.drop(index="all")["per_true_exit_yuan_p50"].isna().all()


def test_api_levers_match_the_command_and_attach_to_the_forecast(small_runs, tmp_path):
    import tuopin

    fc = tuopin.run(SMALL, replicates=2)
    lv = fc.levers()
    pd.testing.assert_frame_equal(lv.table, small_runs.table)      # the forecast's replicates reused: same numbers
    assert "yuan per additional sustained exit" in lv.summary().columns
    assert "additional sustained exit" in fc.plot_spend().axes[1].get_title()
    out = fc.save(tmp_path / "fc")
    assert (out / "levers.csv").is_file() and "## What each lever buys" in (out / "report.md").read_text()
