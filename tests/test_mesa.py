"""Mesa's own tools work on the model: batch_run, DataCollector, agents."""

import mesa
import pandas as pd

from conftest import SMALL
from tuopin import PovertyModel


def test_batch_run_sweeps_a_catalog_parameter():
    rows = mesa.batch_run(PovertyModel, parameters={"scenario": str(SMALL), "after_exit.transition_years": [0, 3]},
                          rng=[1, 2], max_steps=48, number_processes=1, display_progress=False)
    df = pd.DataFrame(rows)
    assert len(df) == 4 and set(df["after_exit.transition_years"]) == {0, 3}
    for col in ("exits_declared", "relapses", "poor_people", "spend_yuan"):
        assert col in df.columns
    assert (df["Step"] == 48).all()
    cliff = df[df["after_exit.transition_years"] == 0]["relapses"].mean()
    kept = df[df["after_exit.transition_years"] == 3]["relapses"].mean()
    assert cliff > kept
    # the same rng gives the same numbers
    again = pd.DataFrame(mesa.batch_run(PovertyModel, parameters={"scenario": str(SMALL), "after_exit.transition_years": [0, 3]},
                                        rng=[1, 2], max_steps=48, number_processes=1, display_progress=False))
    pd.testing.assert_frame_equal(df, again)


def test_datacollector_totals_match_annual(small_run):
    df = small_run.datacollector.get_model_vars_dataframe()
    annual = pd.DataFrame(small_run.annual)
    assert df["exits_declared"].iloc[-1] == annual["exits_declared"].sum()
    assert df["relapses"].iloc[-1] == annual["relapses"].sum()
    assert df["spend_yuan"].is_monotonic_increasing


def test_villages_are_mesa_agents(small_run):
    villages = small_run.agents_by_type[type(small_run.villages[0])]
    assert len(villages) == small_run.poor_village.size
    assert all(isinstance(v, mesa.Agent) for v in villages)


def test_household_as_a_mesa_agent(small):
    m = PovertyModel(scenario=small, rng=2)
    a = m.household(5)
    assert isinstance(a, mesa.Agent) and a in m.agents and m.household(5) is a
    assert a.size == m.hh.size[5] and a.status_name == "poor" and a.category_name in ("wubao", "dibao", "fupin_dibao", "fupin")
    m.run()
    assert a.status == m.hh.status[5]            # a live view: it follows the table
    assert "HouseholdAgent 5" in repr(a)
