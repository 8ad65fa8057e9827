"""Sensitivity analysis: the SALib wrappers against known answers, the plausible-range rule, and
the command end to end on the small scenario."""

import json
import math

import numpy as np
import pandas as pd
import pytest

from tuopin.analysis import sensitivity as sa
from tuopin.cli import main
from tuopin.parameters import Param, _plausible, catalog

from conftest import ROOT, SMALL

FEW = "income.wage_growth,income.farm_sigma,pressure.strength"


# -- the analysis wrappers against functions with known answers ----------------------------------

def ishigami(X, a=7.0, b=0.1):
    return np.sin(X[:, 0]) + a * np.sin(X[:, 1]) ** 2 + b * X[:, 2] ** 4 * np.sin(X[:, 0])


def test_sobol_indices_of_ishigami_match_the_analytic_values():
    prob = {"num_vars": 3, "names": ["x1", "x2", "x3"], "bounds": [[-math.pi, math.pi]] * 3}
    X = sa.design(prob, "sobol", 2**13, seed=1)
    si = sa.analyze(prob, X, ishigami(X), "sobol", seed=1).set_index("parameter")
    assert np.allclose(si["S1"], [0.314, 0.442, 0.0], atol=0.03), si
    assert np.allclose(si["ST"], [0.558, 0.442, 0.244], atol=0.03), si
    assert (si["S1_conf"] < 0.05).all() and (si["ST_conf"] < 0.05).all()


def test_morris_ranks_inputs_by_their_effect():
    # y = 10 x0 + 4 x1^2 + 1 x2 + 0 x3 on [0, 1]^4: effects 10 > ~4 > 1 > 0
    prob = {"num_vars": 4, "names": ["big", "middle", "small", "none"], "bounds": [[0.0, 1.0]] * 4}
    X = sa.design(prob, "morris", 20, seed=3)
    Y = 10 * X[:, 0] + 4 * X[:, 1] ** 2 + X[:, 2]
    si = sa.analyze(prob, X, Y, "morris", seed=3)
    assert si.sort_values("mu_star", ascending=False)["parameter"].tolist() == ["big", "middle", "small", "none"]
    assert si.set_index("parameter").loc["big", "mu_star"] == pytest.approx(10.0)  # linear: per full range
    assert si.set_index("parameter").loc["none", "mu_star"] == 0.0
    assert si.set_index("parameter").loc["big", "sigma"] == pytest.approx(0.0, abs=1e-9)  # linear: no spread


# -- plausible ranges ------------------------------------------------------------------------------

def P(default, lo=None, hi=None, plausible=None):
    return Param("t.x", default, "", "", (), lo, hi, True, plausible)


def test_plausible_range_default_rule():
    assert P(0.1, 0.0, 1.0).plausible_range() == (0.05, 0.15)        # default x (1 +- 0.5)
    assert P(0.8, 0.0, 1.0).plausible_range() == (0.4, 1.0)          # clipped to the validation range
    assert P(-0.1, -1.0, 1.0).plausible_range() == (-0.15, -0.05)    # negative defaults stay ordered
    assert P(0.0, -0.2, 0.5).plausible_range() == (-0.2, 0.5)        # zero default: the validation range
    assert P(0.3, 0.0, 1.0, plausible=(0.2, 0.6)).plausible_range() == (0.2, 0.6)  # the catalog's wins
    assert P(3, 0, 10).plausible_range() == (2, 4)                   # whole numbers: rounded inwards
    assert P(1, 0, 10).plausible_range() == (0, 2)                   # too narrow: one step either side
    with pytest.raises(ValueError):
        P(True).plausible_range()                                    # switches have no range


def test_catalog_plausible_ranges_are_sane():
    cat = catalog()
    uncertain = [p for p in cat.values() if p.uncertain and not isinstance(p.default, bool)]
    assert len(uncertain) >= 50
    assert sum(p.plausible is not None for p in uncertain) >= 10  # some come with a source
    for p in uncertain:
        lo, hi = p.plausible_range()
        assert lo < hi and lo <= p.default <= hi, p.name
        assert (p.min is None or lo >= p.min) and (p.max is None or hi <= p.max), p.name
        assert (p.max - p.min) > (hi - lo) or p.plausible is None, p.name  # narrower than validation
        if p.plausible is not None:
            assert "plausible" in p.source, p.name  # the justification is in the source
    assert cat["income.wage_growth"].plausible_range() == (0.04, 0.13)
    assert cat["income.wage_growth"].default == 0.09  # defaults untouched


def test_plausible_field_is_checked_when_read():
    assert _plausible("a.b", {"default": 0.5, "min": 0.0, "max": 1.0, "plausible": [0.2, 0.7]}) == (0.2, 0.7)
    for bad in ([0.7, 0.2], [0.6, 0.9], [-0.1, 0.9], [0.2], ["a", "b"]):
        with pytest.raises(ValueError):
            _plausible("a.b", {"default": 0.5, "min": 0.0, "max": 1.0, "plausible": bad})


def test_design_rows_become_nested_overrides_with_whole_numbers_rounded():
    names = ["after_exit.transition_years", "income.wage_growth"]
    prob = sa.problem(names)
    assert prob["bounds"][0] == [1.5, 5.5] and prob["bounds"][1] == [0.04, 0.13]
    assert sa.overrides(names, [4.4, 0.1]) == {"after_exit": {"transition_years": 4}, "income": {"wage_growth": 0.1}}
    assert sa.overrides(names, [5.5, 0.1])["after_exit"]["transition_years"] == 5  # kept in range
    assert "pressure.enabled" not in sa.parameters()  # switches are left out
    assert sa.parameters("income.*") == ["income.wage_growth", "income.farm_growth", "income.wage_sigma",
                                         "income.farm_sigma", "income.wage_transitory_sigma",
                                         "income.farm_transitory_sigma", "income.pension_renewal"]
    with pytest.raises(sa.SensitivityError):
        sa.parameters("nothing.like.this")


# -- the model, end to end -------------------------------------------------------------------------

def test_one_and_two_workers_give_identical_numbers():
    kw = dict(method="morris", samples=2, replicates=1, only="income.wage_growth,income.farm_sigma")
    one, two = sa.run(SMALL, workers=1, **kw), sa.run(SMALL, workers=2, **kw)
    pd.testing.assert_frame_equal(one.design, two.design)
    pd.testing.assert_frame_equal(one.table, two.table)
    # common random numbers: the design's repeated points (none here) aside, distinct points differ
    assert one.design["exits"].nunique() > 1


def test_common_seeds_make_an_inert_parameter_exactly_zero():
    a = sa.run(SMALL, samples=2, replicates=1, only=FEW)
    t = a.table.set_index("parameter")
    # pressure.* acts only with pressure.enabled: with the same seeds its runs are identical
    assert t.loc["pressure.strength", ["exits_mu_star", "relapses_mu_star", "exits_swing"]].eq(0).all()
    assert t.loc["income.wage_growth", "exits_mu_star"] > 0
    assert t.loc["income.wage_growth", "rank_exits"] < t.loc["pressure.strength", "rank_exits"]
    # faster income growth: more exits (one at a time, same seeds). Not fewer relapses: growth also
    # lifts households just over the line, so the exited stock grows and with it the relapses counted
    assert t.loc["income.wage_growth", "exits_at_high"] > t.loc["income.wage_growth", "exits_at_low"]


def test_cli_writes_the_folder(tmp_path, capsys):
    out = tmp_path / "sens"
    code = main(["sensitivity", str(SMALL), "--params", FEW, "--samples", "2", "--replicates", "1",
                 "--out", str(out), "--quiet"])
    assert code == 0
    for f in ("sensitivity.csv", "samples.csv", "sensitivity.md", "tornado.png", "tornado.svg", "morris.png",
              "manifest.json"):
        assert (out / f).is_file(), f
    table = pd.read_csv(out / "sensitivity.csv")
    assert set(table["parameter"]) == set(FEW.split(","))
    assert {"exits_mu_star", "exits_mu_star_conf", "relapses_mu_star", "rank_exits", "exits_swing"} <= set(table)
    samples = pd.read_csv(out / "samples.csv")
    assert len(samples) == 2 * (3 + 1) and {"exits", "relapses"} <= set(samples)
    assert samples["income.wage_growth"].between(0.04, 0.13).all()
    m = json.loads((out / "manifest.json").read_text())
    assert m["options"]["method"] == "morris" and m["replicates"] == 1 and m["options"]["evaluations"] == 8 + 7
    assert "income.wage_growth" in (out / "sensitivity.md").read_text()
    assert "wrote" in capsys.readouterr().out


def test_cli_sobol_writes_the_index_figure(tmp_path, capsys):
    out = tmp_path / "sobol"
    code = main(["sensitivity", str(SMALL), "--method", "sobol", "--params", "income.wage_growth,income.farm_sigma",
                 "--samples", "3", "--replicates", "1", "--out", str(out), "--quiet"])
    assert code == 0
    assert "power of 2" in capsys.readouterr().err
    table = pd.read_csv(out / "sensitivity.csv")
    assert {"exits_S1", "exits_S1_conf", "exits_ST", "exits_ST_conf"} <= set(table)
    assert (out / "sobol.png").is_file()


def test_cli_bad_input_exits_2_and_writes_nothing(tmp_path, capsys):
    out = tmp_path / "never"
    with pytest.raises(SystemExit) as e:
        main(["sensitivity", str(SMALL), "--method", "fast", "--out", str(out)])
    assert e.value.code == 2
    assert "invalid choice" in capsys.readouterr().err
    assert main(["sensitivity", str(ROOT / "tests/bad_scenarios/absurd_households.toml"), "--out", str(out)]) == 2
    assert "absurd_households.toml" in capsys.readouterr().err
    assert main(["sensitivity", str(SMALL), "--params", "nothing.*", "--out", str(out), "--quiet"]) == 2
    assert "matches no uncertain parameter" in capsys.readouterr().err
    assert main(["sensitivity", str(tmp_path / "missing.toml"), "--out", str(out)]) == 2
    assert not out.exists()
