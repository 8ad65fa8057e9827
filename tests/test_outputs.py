"""What users see: figures without missing glyphs, a self-contained escaped report, tables of
whole people and plain yuan, and the command line's help, version and compare guard."""

import argparse
import re
import subprocess
import sys
import warnings
from pathlib import Path

import pandas as pd
import pytest

from tuopin.arguments import parser
from tuopin.cli import COMMANDS, main
from tuopin.outputs import plots
from tuopin.outputs.tables import FLOAT_FORMAT, for_people, kind

ROOT = Path(__file__).resolve().parents[1]
SMALL = ROOT / "tests" / "data" / "small.toml"


@pytest.fixture(scope="module")
def hostile(tmp_path_factory):
    """A small scenario whose own text is HTML and Chinese."""
    d = tmp_path_factory.mktemp("hostile")
    f = d / "hostile.toml"
    f.write_text(f'extends = "{SMALL}"\nname = "a <b>bold</b> name"\nregion = "测试县 <script>alert(1)</script>"\n'
                 'description = "Ampersands & <i>tags</i>"\n', encoding="utf-8")
    return f


@pytest.fixture(scope="module")
def run_folder(hostile, tmp_path_factory, monkeymodule):
    """`tuopin run` without a CJK font (as on a bare machine), warnings recorded."""
    monkeymodule.setattr(plots, "cjk_font", lambda: None)
    out = tmp_path_factory.mktemp("run") / "out"
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        assert main(["run", str(hostile), "--replicates", "2", "--out", str(out), "--at-risk", "50"]) == 0  # progress shown
    return out, [str(w.message) for w in caught]


@pytest.fixture(scope="module")
def monkeymodule():
    mp = pytest.MonkeyPatch()
    yield mp
    mp.undo()


def test_no_glyph_warning_without_a_cjk_font(run_folder):
    _, messages = run_folder
    assert not [m for m in messages if "Glyph" in m or "glyph" in m], messages


def test_plain_turns_units_into_words(monkeypatch):
    monkeypatch.setattr(plots, "cjk_font", lambda: None)
    assert plots.plain("7.64亿 yuan") == "7.64 × 100 million yuan"
    assert plots.plain("荆州市 Jingzhou") == "Jingzhou"


def test_report_html_is_self_contained_and_escaped(run_folder):
    out, _ = run_folder
    page = (out / "report.html").read_text(encoding="utf-8")
    srcs = re.findall(r'src="([^"]*)"', page)
    assert len(srcs) == 3 and all(s.startswith("data:image/png;base64,") for s in srcs)
    assert not re.findall(r'href="(?!https?:)[^"#]', page)       # nothing linked beside it
    assert "<script>" not in page and "&lt;script&gt;" in page
    assert "<b>bold</b>" not in page and "<i>tags</i>" not in page
    assert "all: all" not in page and "cause: lack_funds" not in page and "main cause: lack of funds" in page
    text = re.sub(r'src="data:[^"]*"', "", page)
    assert "issue:" not in text and "nan" not in text
    assert "docs/outputs.md" in text
    assert "《" in text                                            # documents cited by title


def test_tables_whole_people_plain_yuan_no_empty_columns(run_folder):
    out, _ = run_folder
    for csv in out.glob("*.csv"):
        text = csv.read_text(encoding="utf-8")
        assert not re.search(r"\de[+-]\d", text), csv.name      # no scientific notation
        t = pd.read_csv(csv)
        assert t.notna().any().all(), (csv.name, t.columns[~t.notna().any()].tolist())
    annual = pd.read_csv(out / "annual.csv")
    people = [c for c in annual.columns if kind(c) == "whole"]
    assert "exits_true_p5" in people and "poverty_line" in people
    for c in people:
        assert (annual[c].dropna() == annual[c].dropna().round()).all(), c
    money = pd.read_csv(out / "money.csv")
    assert (money["spend_yuan_p50"] == money["spend_yuan_p50"].round()).all()
    assert len(pd.read_csv(out / "at_risk.csv")) == 50


def test_formatting_changes_nothing_but_rounding():
    df = pd.DataFrame({"year": [2015.0, 2016.0], "exits_true_p5": [97784.1, 1.5], "spend_yuan_p50": [3.05858e9, 2.4],
                       "p_meet_target": [0.123456789, 1.0], "target_exits_households": [None, None],
                       "spend_10k_yuan": [305858.123, 1.26], "lever": ["a", "b"]})
    out = for_people(df)
    assert "target_exits_households" not in out
    assert out["exits_true_p5"].tolist() == [97784, 2] and out["spend_yuan_p50"].tolist() == [3058580000, 2]
    assert out["p_meet_target"].tolist() == [0.123456789, 1.0]
    assert out["spend_10k_yuan"].tolist() == [305858.1, 1.3]
    assert out.to_csv(index=False, float_format=FLOAT_FORMAT).splitlines()[1] == "2015,97784,3058580000,0.123457,305858.1,a"


def test_figures_read_right_and_name_every_lever(run_folder):
    out, _ = run_folder
    for stem in ("exits_vs_targets", "relapse_survival", "spend"):
        svg = (out / f"{stem}.svg").read_text(encoding="utf-8")
        assert not re.search("[\u4e00-\u9fff]", svg), stem         # no CJK text drawn without the font
    spend = (out / "spend.svg").read_text(encoding="utf-8")
    assert "million yuan per year" in spend
    from tuopin import parameters

    for lever in parameters.levers():
        assert f"{lever}" in spend, lever


def test_survival_is_a_step_curve_with_group_sizes():
    surv = pd.DataFrame({"group_kind": ["cause"] * 3 + ["cohort"] * 3, "group": ["illness"] * 3 + ["2015"] * 3,
                         "months": [12, 24, 36] * 2, "survival_p50": [0.9, 0.85, 0.8] * 2,
                         "survival_p5": [0.89, 0.84, 0.79] * 2, "survival_p95": [0.91, 0.86, 0.81] * 2,
                         "exits_p50": [1234.0] * 6})
    fig = plots.relapse_survival(surv, "t")
    ax = fig.axes[0]
    line = ax.get_lines()[0]
    assert line.get_drawstyle() == "steps-post"
    assert "(n=1,234)" in [t.get_text() for t in ax.get_legend().get_texts()][0]
    assert ax.get_ylim()[0] == pytest.approx(0.7)                 # not 0, so the break is marked
    assert any("axis starts at 70%" in t.get_text() for t in ax.texts)


def test_compare_colours_better_and_worse_not_sign():
    totals = pd.DataFrame({"scenario": ["x"], "baseline": ["b"],
                           **{f"{c}_diff_{q}": [v] for c, v in (("poor_end", -10.0), ("exits_true", -5.0),
                                                                 ("relapses", -3.0), ("spend_10k_yuan", 7.0))
                              for q in ("p5", "p50", "p95")}})
    fig = plots.compare(totals, "t", {"x": "Scenario X", "b": "Base"})
    colours = [ax.patches[0].get_facecolor()[:3] for ax in fig.axes[:4]]
    from matplotlib.colors import to_rgb

    assert colours == [to_rgb(plots.BETTER), to_rgb(plots.WORSE), to_rgb(plots.BETTER), to_rgb(plots.NEUTRAL)]
    assert [t.get_text() for t in fig.axes[0].get_yticklabels()] == ["Scenario X"]
    assert "poor remaining" in fig.axes[0].get_title()


def test_every_option_has_help():
    ap = parser(COMMANDS)
    subs = next(a for a in ap._actions if isinstance(a, argparse._SubParsersAction))
    missing = [f"{name} {a.dest}" for name, p in [("tuopin", ap), *subs.choices.items()] for a in p._actions
               if not isinstance(a, argparse._SubParsersAction) and not a.help]
    assert not missing


def test_version(capsys):
    with pytest.raises(SystemExit) as e:
        main(["--version"])
    assert e.value.code == 0 and re.match(r"tuopin \S+", capsys.readouterr().out)


def test_run_prints_its_headline(tmp_path):
    r = subprocess.run([sys.executable, "-m", "tuopin.cli", "run", str(SMALL), "--out", str(tmp_path / "o"), "--quiet"],
                       capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    assert "Registered poor left at the end of 2018" in r.stdout and "million yuan" in r.stdout


def test_compare_refuses_other_regions_unless_allowed(tmp_path, capsys):
    other = ROOT / "scenarios" / "mukainaoer_2016_2020.toml"
    assert main(["compare", str(SMALL), str(other), "--out", str(tmp_path / "c"), "--quiet"]) == 2
    assert "different regions" in capsys.readouterr().err and not (tmp_path / "c").exists()


def test_compare_summary_leads_with_poor_remaining(tmp_path, capsys):
    assert main(["compare", str(SMALL), str(ROOT / "tests" / "data" / "small.toml"), "--replicates", "2",
                 "--out", str(tmp_path / "c"), "--quiet"]) == 0
    line = [x for x in capsys.readouterr().out.splitlines() if " vs " in x][0]
    assert line.index("poor remaining") < line.index("true exits") < line.index("relapses") < line.index("spend")


def test_data_dictionary_names_every_column_written(run_folder, tmp_path, capsys):
    doc = (ROOT / "docs" / "outputs.md").read_text(encoding="utf-8")
    out, _ = run_folder
    assert main(["compare", str(SMALL), str(SMALL), "--replicates", "2", "--out", str(tmp_path / "c"), "--quiet"]) == 0
    capsys.readouterr()
    for csv in [*out.glob("*.csv"), tmp_path / "c" / "compare.csv"]:
        assert f"{csv.name}" in doc, csv.name
        for col in pd.read_csv(csv, nrows=1).columns:
            base = re.sub(r"_(p5|p50|p95)$", "", col)
            names = {col, base, base.replace("_households", ""), re.sub(r"_diff$", "", base)}
            assert any(re.search(rf"\b{re.escape(n)}(\b|_p5/)", doc) for n in names), (csv.name, col)


def test_one_year_report_says_not_available_not_nan(run_folder, small):
    from tuopin.outputs.forecast import report_markdown

    out, _ = run_folder
    annual = pd.read_csv(out / "annual.csv").head(1)
    money = pd.read_csv(out / "money.csv")
    money[[c for c in money.columns if c.startswith("per_sustained")]] = float("nan")
    text = report_markdown(small, annual, 1, money=money)
    assert "nan" not in text and "per sustained exit" in text and "not available" in text


def test_headline_quotes_the_village_rule_as_run(run_folder):
    """The headline's village rule comes from the run's parameters, not from fixed text."""
    from tuopin.inputs.scenario import load_scenario
    from tuopin.outputs.forecast import headline
    out, _ = run_folder
    annual = pd.read_csv(out / "annual.csv")
    loaded = load_scenario(SMALL).with_values({"assessment.village_incidence": 0.025, "village.collective_income_min": 30000.0})
    line = [x for x in headline(loaded, annual) if "Poor villages out" in x][0]
    assert "incidence under 2.5 %" in line and "at least 30,000 yuan a year" in line
