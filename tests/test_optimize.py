"""`tuopin optimize`: the optimiser finds known optima, splits respect their constraints, the CLI
writes its folder and beats the uniform split, bad constraints files are refused, and the numbers
do not depend on the number of workers."""

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from tuopin.analysis.optimize import search as opt_search
from tuopin.analysis.optimize.constraints import Bounds, Constraints, bounds_for
from tuopin.analysis.optimize.evaluate import Outcome
from tuopin.analysis.optimize.split import box_point, project, split_from_x
from tuopin.cli import main

SMALL = Path(__file__).resolve().parent / "data" / "small.toml"
QUICK = ["--replicates", "2", "--confirm", "4", "--evaluations", "16", "--quiet"]


class Analytic:
    """Stands in for the model: the "replicate outcome" of a split is an analytic function of it."""

    def __init__(self, f):
        self.f, self.calls = f, 0

    def run(self, splits, seeds=None, first=0):
        self.calls += len(splits)
        return [[Outcome({"sustained_exits": self.f(c), "shortfall": 0.0, "relapse": 0.0}, {}, {}, {})] for c in splits]


def _search(f, bounds, evaluations):
    ev = Analytic(f)
    s = opt_search.search(ev, bounds, "sustained_exits", evaluations, seed=3, seed_shares={}, fraction=1.0)
    return s, ev


def test_finds_the_known_optimum_of_a_concave_objective():
    # maximise sum a_i log c_i with sum c_i = B: the optimum is c_i = B a_i / sum a
    a = {"credit": 1.0, "dibao": 2.0, "education": 3.0, "industry": 4.0}
    bounds = Bounds(1000.0, tuple(a), np.zeros(4), np.full(4, np.inf), {})
    s, ev = _search(lambda c: sum(w * np.log(c[k] + 1e-9) for k, w in a.items()), bounds, 1200)
    best = np.array([s.best[k] for k in a])
    np.testing.assert_allclose(best, [100, 200, 300, 400], atol=15)
    assert ev.calls <= 1200 and len(s.candidates) == ev.calls  # the evaluation budget holds; every one is recorded
    assert s.best_score > s.candidates[1]["sustained_exits_mean"]  # beats the uniform start


def test_finds_the_optimum_on_a_binding_maximum_and_minimum():
    # a linear objective puts everything on the best lever, up to its maximum; the next best takes the rest
    gain = {"credit": 1.0, "dibao": 3.0, "education": 2.0}
    lo, hi = np.array([50.0, 0.0, 0.0]), np.array([np.inf, 300.0, np.inf])
    bounds = Bounds(1000.0, tuple(gain), lo, hi, {"pension": 25.0})
    s, _ = _search(lambda c: sum(g * c[k] for k, g in gain.items()), bounds, 400)
    assert s.best["pension"] == 25.0
    np.testing.assert_allclose([s.best["credit"], s.best["dibao"], s.best["education"]], [50, 300, 625], atol=10)


@st.composite
def boxes(draw):
    """Per lever a unit value (a box point or a share) and bounds [lo, hi], and any feasible total."""
    rows = draw(st.lists(st.tuples(st.floats(0, 1), st.floats(0, 100), st.floats(0, 200)), min_size=1, max_size=8))
    unit = np.array([r[0] for r in rows])
    lo = np.array([r[1] for r in rows])
    hi = lo + np.array([r[2] for r in rows])
    return unit, lo, hi, lo.sum() + draw(st.floats(0, 1)) * (hi - lo).sum()


@settings(max_examples=200, deadline=None)
@given(boxes())
def test_every_box_point_maps_to_a_split_within_its_bounds(box):
    x, lo, hi, total = box
    c = split_from_x(x, lo, hi, total)
    assert np.all(c >= lo - 1e-9) and np.all(c <= hi + 1e-6 * max(total, 1))
    assert c.sum() == pytest.approx(total, rel=1e-9, abs=1e-6)


def test_constraints_become_bounds():
    c = Constraints.model_validate({"doudi_coverage": 1.0, "levers": {
        "credit": {"exclude": True}, "pension": {"fixed": 1e6}, "industry": {"max_share": 0.2},
        "employment": {"min": 2e6, "max": 3e6}}})
    b = bounds_for(c, 1e7, ["credit", "dibao", "employment", "industry", "pension"], {"dibao": 1.5e6})
    assert b.fixed == {"credit": 0.0, "pension": 1e6}
    assert dict(zip(b.free, b.lo)) == {"dibao": 1.5e6, "employment": 2e6, "industry": 0.0}
    assert dict(zip(b.free, b.hi))["industry"] == 2e6 and dict(zip(b.free, b.hi))["employment"] == 3e6


def test_cli_writes_the_folder_and_beats_the_uniform_split(tmp_path):
    out = tmp_path / "opt"
    assert main(["optimize", str(SMALL), "--budget", "1200万", "--out", str(out), *QUICK]) == 0
    for name in ("split.csv", "frontier.csv", "candidates.csv", "comparison.csv", "optimize.md", "manifest.json",
                 "frontier.png", "frontier.svg", "split.png", "split.svg"):
        assert (out / name).is_file(), name
    split = pd.read_csv(out / "split.csv")
    assert split["cap_yuan"].sum() == pytest.approx(1.2e7, rel=1e-6)
    assert split["share"].sum() == pytest.approx(1.0, rel=1e-6)
    frontier = pd.read_csv(out / "frontier.csv")
    assert frontier["budget_fraction"].tolist() == [0.5, 0.75, 1.0, 1.25, 1.5]
    main_row = frontier[frontier["budget_fraction"] == 1.0].iloc[0]
    assert main_row["beats_uniform"] and main_row["gain_vs_uniform_p50"] > 0
    assert main_row["optimised_p50"] > main_row["uniform_p50"]
    cands = pd.read_csv(out / "candidates.csv")
    assert len(cands) == 5 * 16 and set(cands["role"]) == {"seed_allocation", "uniform", "search"}
    md = (out / "optimize.md").read_text(encoding="utf-8")
    assert "beats the uniform split" in md and "Budget–outcome frontier" in md


def test_cli_respects_the_constraints(tmp_path):
    cons = tmp_path / "c.toml"
    cons.write_text('doudi_coverage = 1.0\n[levers.credit]\nexclude = true\n[levers.pension]\nfixed = 400000\n'
                    '[levers.employment]\nmax_share = 0.1\n[levers.industry]\nmin = 3000000\n', encoding="utf-8")
    out = tmp_path / "opt"
    assert main(["optimize", str(SMALL), "--budget", "1.2e7", "--constraints", str(cons), "--frontier", "1",
                 "--out", str(out), *QUICK]) == 0
    cands = pd.read_csv(out / "candidates.csv")
    split = pd.read_csv(out / "split.csv").set_index("lever")
    for caps in [split["cap_yuan"].to_dict()] + [{k.removeprefix("cap_"): v for k, v in r.items() if k.startswith("cap_")}
                                                 for r in cands.to_dict("records")]:
        assert caps["credit"] == 0 and caps["pension"] == pytest.approx(4e5)
        assert caps["employment"] <= 1.2e6 * (1 + 1e-9) and caps["industry"] >= 3e6 * (1 - 1e-9)
        assert caps["dibao"] >= split.loc["dibao", "uncapped_need_max_yuan"] * (1 - 1e-9)
        assert sum(caps.values()) == pytest.approx(1.2e7, rel=1e-6)
    # 兜底 paid in full on every search replicate by the best split (it is among the feasible candidates) ...
    feasible = cands[cands["feasible"].astype(bool)]
    assert (feasible["doudi_paid_min"] >= 1 - 1e-9).all() and (cands.loc[~cands["feasible"].astype(bool), "doudi_paid_min"] < 1).all()
    best = split["cap_yuan"].to_dict()
    assert any(all(abs(r.get(f"cap_{k}", 0.0) - v) <= 1e-6 * max(v, 1) for k, v in best.items()) for r in feasible.to_dict("records"))
    # ... and, on the fresh confirmation replicates, nearly so
    assert split.loc["dibao", "shortfall_p50_yuan"] <= 0.01 * split.loc["dibao", "spend_p50_yuan"]


BAD = {
    "unknown_lever.toml": ("[levers.roads]\nmax = 1\n", "levers.roads"),
    "unknown_field.toml": ("[levers.dibao]\nmaximum = 1\n", "levers.dibao.maximum"),
    "min_above_max.toml": ("[levers.dibao]\nmin = 5\nmax = 1\n", "levers.dibao.min"),
    "negative.toml": ("[levers.dibao]\nmin = -5\n", "levers.dibao.min"),
    "share_above_one.toml": ("[levers.dibao]\nmax_share = 1.5\n", "levers.dibao.max_share"),
    "fixed_and_min.toml": ("[levers.dibao]\nfixed = 5\nmin = 1\n", "levers.dibao.min"),
    "not_toml.toml": ("doudi_coverage = \n", "(syntax)"),
    "top_level_typo.toml": ("doudi = 1\n", "doudi"),
    "minimums_above_budget.toml": ("[levers.dibao]\nmin = 8e6\n[levers.medical]\nmin = 8e6\n", "levers"),
    "doudi_above_max.toml": ("doudi_coverage = 1\n[levers.dibao]\nmax = 10\n", "doudi_coverage"),
}


@pytest.mark.parametrize("name", sorted(BAD))
def test_bad_constraints_one_message_exit_2_nothing_written(name, tmp_path, capsys):
    text, field = BAD[name]
    cons = tmp_path / "in" / name
    cons.parent.mkdir()
    cons.write_text(text, encoding="utf-8")
    work = tmp_path / "work"
    work.mkdir()
    out = work / "opt"
    assert main(["optimize", str(SMALL), "--budget", "1.2e7", "--constraints", str(cons), "--out", str(out), *QUICK]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith(f"tuopin: error: {cons}: {field}:"), err
    assert list(work.iterdir()) == []


def test_bad_budget_is_refused(capsys):
    with pytest.raises(SystemExit) as e:
        main(["optimize", str(SMALL), "--budget", "lots"])
    assert e.value.code == 2 and "--budget" in capsys.readouterr().err


def test_one_or_two_workers_give_identical_results(tmp_path):
    args = ["optimize", str(SMALL), "--budget", "1.2e7", "--frontier", "1", "--evaluations", "10", "--replicates", "2",
            "--confirm", "3", "--quiet"]
    assert main([*args, "--out", str(tmp_path / "w1"), "--workers", "1"]) == 0
    assert main([*args, "--out", str(tmp_path / "w2"), "--workers", "2"]) == 0
    for name in ("split.csv", "frontier.csv", "candidates.csv", "comparison.csv"):
        assert (tmp_path / "w1" / name).read_bytes() == (tmp_path / "w2" / name).read_bytes(), name


def test_frontier_levels_the_constraints_rule_out_are_left_out_and_said(tmp_path):
    cons = tmp_path / "c.toml"
    cons.write_text("[levers.industry]\nmin = 7000000\n", encoding="utf-8")
    out = tmp_path / "opt"
    assert main(["optimize", str(SMALL), "--budget", "1.2e7", "--constraints", str(cons), "--frontier", "0.5,1",
                 "--out", str(out), "--replicates", "1", "--confirm", "2", "--evaluations", "8", "--quiet"]) == 0
    assert pd.read_csv(out / "frontier.csv")["budget_fraction"].tolist() == [1.0]
    assert "50% of the budget: no split fits the constraints" in (out / "optimize.md").read_text(encoding="utf-8")


@settings(max_examples=200, deadline=None)
@given(boxes())
def test_references_are_projected_in_proportion_and_reached_by_a_box_point(box):
    shares, lo, hi, total = box
    c = project(shares, lo, hi, total)
    assert np.all(c >= lo - 1e-6) and np.all(c <= hi + 1e-6) and c.sum() == pytest.approx(total, rel=1e-9, abs=1e-6)
    np.testing.assert_allclose(split_from_x(box_point(c, lo), lo, hi, total), c, rtol=1e-9, atol=1e-6)


def test_the_seed_allocation_keeps_its_proportions_above_a_minimum():
    # dibao's minimum binds; the other levers keep their 1:3 ratio instead of all being shifted
    c = project(np.array([0.1, 0.3, 0.6]), np.array([0.0, 0.0, 700.0]), np.full(3, np.inf), 1000.0)
    np.testing.assert_allclose(c, [75, 225, 700])
    c = project(np.array([0.1, 0.3, 0.6]), np.zeros(3), np.array([np.inf, np.inf, 400.0]), 1000.0)
    np.testing.assert_allclose(c, [150, 450, 400])  # and a maximum the same way


def test_projection_with_a_kink_near_the_largest_float_does_not_overflow():
    # a share so small that its maximum's kink is ~9e307: the interpolation must not overflow to inf
    c = project(np.array([0.25, 1.1125369292536007e-308]), np.array([2.0, 0.0]), np.array([2.0, 4.0]), 4.0)
    np.testing.assert_allclose(c, [2.0, 2.0])
