"""Scenario loading and validation: good files load, bad ones give one clear message."""

import subprocess
import sys

import pytest

from conftest import JINGZHOU, ROOT
from tuopin import ScenarioError, load_scenario


def test_jingzhou_loads_with_seed_numbers():
    s = load_scenario(JINGZHOU).spec
    assert (s.population.households, s.population.people, s.population.poor_villages) == (135600, 404853, 371)
    assert s.targets.people == {2015: 148728, 2016: 123766, 2017: 79351, 2018: 53008}
    assert sum(s.targets.people.values()) == s.population.people  # all exit by 2018 (the Jingzhou decision)
    assert s.years == [2015, 2016, 2017, 2018]


def test_mukainaoer_loads():
    s = load_scenario(ROOT / "scenarios" / "mukainaoer_2016_2020.toml").spec
    assert (s.population.households, s.population.people) == (832, 1699)
    assert s.targets.households[2016] == 200 and s.targets.people[2016] == 405


def test_extends_deep_merges(tmp_path):
    (tmp_path / "child.toml").write_text(f'extends = "{JINGZHOU}"\nname = "child"\n[population]\nvillages = 2400\n')
    s = load_scenario(tmp_path / "child.toml")
    assert s.spec.name == "child" and s.spec.population.villages == 2400
    assert s.spec.population.households == 135600  # inherited
    assert len(s.files) == 2


def _write(tmp_path, text, name="bad.toml"):
    p = tmp_path / name
    p.write_text(f'extends = "{JINGZHOU}"\n' + text, encoding="utf-8")
    return p


BAD = [
    ("name = \n", "(syntax)", "not valid TOML"),
    ("colour = 'red'\n", "colour", "not a known field"),
    ("first_year = 2019\n", "last_year", "must not be before first_year (2019)"),
    ("[population]\nhouseholds = -5\n", "population.households", "greater than 0"),
    ("[population.category]\nwubao = 0.5\n", "population.category", "shares must sum to 1"),
    ("[poverty_line]\n2016 = 'high'\n", "poverty_line.2016", "number"),
    ("[targets.people]\n2015 = 999999999\n", "targets.people.2015", "must be between 0"),
    ("[targets.people]\n2030 = 5\n", "targets.people.2030", "outside the scenario years"),
    ("[parameters.medical]\noop_capp = 3000\n", "parameters.medical.oop_capp", "not a known parameter"),
    ("[parameters.assessment]\nrelapse_detection = 1.5\n", "parameters.assessment.relapse_detection", "between 0 and 1"),
    ("[parameters.assessment]\nrequire_stable_source = 1\n", "parameters.assessment.require_stable_source", "boolean"),
    ("[population]\npeople = 100\n", "population.people", "must be at least households"),
]


@pytest.mark.parametrize("text,field,words", BAD)
def test_bad_scenarios_name_file_and_field(tmp_path, text, field, words):
    with pytest.raises(ScenarioError) as e:
        load_scenario(_write(tmp_path, text))
    assert e.value.field == field
    assert words in e.value.message
    assert e.value.file.endswith("bad.toml")


def test_cyclic_and_missing_extends(tmp_path):
    (tmp_path / "a.toml").write_text('extends = "b.toml"\n')
    (tmp_path / "b.toml").write_text('extends = "a.toml"\n')
    with pytest.raises(ScenarioError, match="cyclic extends: a.toml -> b.toml -> a.toml"):
        load_scenario(tmp_path / "a.toml")
    (tmp_path / "c.toml").write_text('extends = "nowhere.toml"\n')
    with pytest.raises(ScenarioError, match="no such scenario file"):
        load_scenario(tmp_path / "c.toml")


def test_cli_bad_scenario_exit_2_nothing_written(tmp_path):
    bad = _write(tmp_path, "[population]\nhouseholds = 0\n")
    out = tmp_path / "out"
    r = subprocess.run([sys.executable, "-m", "tuopin.cli", "run", str(bad), "--out", str(out)],
                       capture_output=True, text=True)
    assert r.returncode == 2
    assert r.stderr.count("\n") == 1 and "bad.toml: population.households:" in r.stderr
    assert "Traceback" not in r.stderr
    assert not out.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad.toml"]


def test_cli_validate(tmp_path):
    r = subprocess.run([sys.executable, "-m", "tuopin.cli", "validate", str(JINGZHOU)], capture_output=True, text=True)
    assert r.returncode == 0 and "ok" in r.stdout
    r = subprocess.run([sys.executable, "-m", "tuopin.cli", "validate", str(_write(tmp_path, "seed = -1\n"))],
                       capture_output=True, text=True)
    assert r.returncode == 2 and "seed" in r.stderr


def test_cli_run_writes_the_results_folder(tmp_path):
    import json

    import pandas as pd

    out = tmp_path / "run"
    r = subprocess.run([sys.executable, "-m", "tuopin.cli", "run", str(ROOT / "tests" / "data" / "small.toml"),
                        "--replicates", "3", "--out", str(out), "--quiet"], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    assert sorted(p.name for p in out.iterdir()) == [
        "annual.csv", "at_risk.csv", "exits_vs_targets.png", "exits_vs_targets.svg", "manifest.json", "money.csv",
        "relapse_survival.csv", "relapse_survival.png", "relapse_survival.svg", "report.html", "report.md",
        "spend.csv", "spend.png", "spend.svg"]
    annual = pd.read_csv(out / "annual.csv")
    for col in ("year", "target_exits", "exits_declared_p50", "exits_true_p50", "relapses_p50", "new_poor_p50",
                "poor_end_p50", "exits_declared_households_p50", "p_meet_target"):
        assert col in annual.columns
    assert annual["year"].tolist() == [2015, 2016, 2017, 2018]
    m = json.loads((out / "manifest.json").read_text())
    assert m["timings"]["household_steps"] == 3 * 48 * round(3000 * 1.3)
    assert m["command"] == "run" and m["replicates"] == 3 and m["timings"]["simulate_seconds"] > 0
    assert len(m["scenarios"][0]["sha256"]) == 64 and m["scenarios"][0]["parameters"]["medical.oop_cap"] == 3000
    assert m["files"][0] == "annual.csv" and "manifest.json" not in m["files"]
    # running again into the same results folder is refused, and with --force replaces it whole;
    # a foreign folder is refused even with --force
    assert subprocess.run([sys.executable, "-m", "tuopin.cli", "run", str(ROOT / "tests" / "data" / "small.toml"),
                           "--out", str(out), "--quiet"]).returncode == 2
    assert subprocess.run([sys.executable, "-m", "tuopin.cli", "run", str(ROOT / "tests" / "data" / "small.toml"),
                           "--out", str(out), "--quiet", "--force"]).returncode == 0
    (tmp_path / "foreign").mkdir()
    (tmp_path / "foreign" / "notes.txt").write_text("mine")
    r = subprocess.run([sys.executable, "-m", "tuopin.cli", "run", str(ROOT / "tests" / "data" / "small.toml"),
                        "--out", str(tmp_path / "foreign"), "--quiet", "--force"], capture_output=True, text=True)
    assert r.returncode == 2 and "tuopin only replaces a folder it wrote whole" in r.stderr
    assert [p.name for p in (tmp_path / "foreign").iterdir()] == ["notes.txt"]
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]   # no temporary folders left


def test_compare_against_itself_is_identical(tmp_path):
    import pandas as pd

    small = str(ROOT / "tests" / "data" / "small.toml")
    r = subprocess.run([sys.executable, "-m", "tuopin.cli", "compare", small, small, "--replicates", "2", "--quiet",
                        "--out", str(tmp_path / "c")], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    t = pd.read_csv(tmp_path / "c" / "compare.csv")
    keep = [c for c in t.columns if c != "scenario" and "_diff_" not in c]
    a, b = t.iloc[:4][keep].reset_index(drop=True), t.iloc[4:][keep].reset_index(drop=True)
    pd.testing.assert_frame_equal(a, b)
    diffs = [c for c in t.columns if "_diff_" in c]
    assert diffs and (t[diffs] == 0).all().all()          # a scenario against itself: zero difference
    assert "+0 [+0, +0]" in (tmp_path / "c" / "compare.md").read_text()


def test_piping_into_head_is_not_an_error():
    import subprocess
    import sys

    code = "import sys; from tuopin.cli import main; sys.exit(main(['params']))"
    p = subprocess.run(f'"{sys.executable}" -c "{code}" | head -1', shell=True, capture_output=True, text=True)
    assert p.stdout.count("\n") == 1 and "BrokenPipeError" not in p.stderr and "Traceback" not in p.stderr
