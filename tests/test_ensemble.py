"""Replicates give the same numbers, bit for bit, whatever runs them."""

import numpy as np
import pytest

from tuopin.analysis.sensitivity import outputs
from tuopin.runs.ensemble import points, run_ensemble
from tuopin.runs.runner import Runner, dask_executor
from tuopin.analysis.forecast import annual_table


def _same(a, b):
    assert [r.annual for r in a] == [r.annual for r in b]
    assert [r.spend for r in a] == [r.spend for r in b]
    assert [r.survival for r in a] == [r.survival for r in b]
    for x, y in zip(a, b):
        for k in x.origin:
            np.testing.assert_array_equal(x.origin[k], y.origin[k])


def _sampling(dask_worker) -> bool:
    """Whether a Dask worker samples its tasks' stacks for the dashboard's profile."""
    pc = dask_worker.periodic_callbacks.get("profile")
    return pc is not None and pc.is_running()


def test_one_worker_two_workers_and_dask_agree(small):
    one = run_ensemble(small, 4, workers=1, progress=False)
    two = run_ensemble(small, 4, workers=2, progress=False)
    _same(one, two)
    cluster = dask_executor("local", workers=2)
    with cluster as ex:
        dask = run_ensemble(small, 4, executor=ex, progress=False)
        sampling = cluster.client.run(_sampling)
    assert list(sampling.values()) == [False, False]  # the workers do not sample the replicates' stacks
    _same(one, dask)
    assert annual_table(one).equals(annual_table(dask))
    assert one[0].annual != one[1].annual   # replicates do differ


def test_a_users_workers_stop_sampling_while_tuopin_uses_them():
    """A cluster started the usual way samples its tasks' stacks; while tuopin's executor is open its
    workers do not (dask_workers.QuietWorkers), and after it closes they do again."""
    from dask.distributed import Client, LocalCluster

    with LocalCluster(n_workers=1, threads_per_worker=1, processes=False, protocol="tcp", host="127.0.0.1",
                      dashboard_address=None) as lc, \
            Client(lc) as own:
        assert list(own.run(_sampling).values()) == [True]
        with dask_executor(lc.scheduler_address):
            assert list(own.run(_sampling).values()) == [False]
        assert list(own.run(_sampling).values()) == [True]


def test_the_runner_keeps_point_order_and_reduces_where_the_point_ran(small, tmp_path):
    pts = points(small, 3, origin=False)
    with Runner(1) as one, Runner(2) as two:
        here, pool = list(one.run(pts, outputs)), list(two.run(pts, outputs))
        # a checkpointed batch resumes from the points saved by an earlier call, with the same results
        first = list(two.run(pts[:2], checkpoint=tmp_path))
        resumed = list(one.run(pts, checkpoint=tmp_path))
    assert here == pool and len(set(here)) == 3 and isinstance(here[0], tuple)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["point-00000.npz", "point-00001.npz", "point-00002.npz"]
    assert [r.annual for r in resumed[:2]] == [r.annual for r in first] and [outputs(r) for r in resumed] == here


def test_interval_and_probability_arithmetic():
    from tuopin.runs.replicate import Replicate

    def rep(i, exits):
        row = {"year": 2016, "poverty_line": 3000, "target_exits": 100, "target_exits_households": None,
               "villages_exited": 0, "poor_villages_remaining": 1}
        for m in ("exits_declared", "exits_true", "exits_paper", "relapses", "new_poor", "poor_end",
                  "exited_end", "truly_poor", "hidden_poor"):
            row[m] = row[m + "_households"] = exits if m == "exits_declared" else 0
        return Replicate(i, [row], 0.0, 0, [], [], 0, {})

    t = annual_table([rep(i, e) for i, e in enumerate([80, 90, 100, 110, 120])])
    r = t.iloc[0]
    assert r["exits_declared_p50"] == 100 and r["exits_declared_p5"] == pytest.approx(82)   # 80 + 0.2*10
    assert r["exits_declared_p95"] == pytest.approx(118)
    assert r["p_meet_target"] == pytest.approx(0.6)            # 100, 110, 120 reach 100


def test_probability_of_meeting_the_plan_by_hand():
    """Targets 100 then 50 (cumulative 100, 150). Declared exits per replicate: (120, 20) -> 120, 140:
    behind at the end; (90, 80) -> behind in year 1; (100, 50) -> on plan; (150, 0) -> ahead then exactly
    on the cumulative 150: on plan. P(on plan) year 1 = 3/4, over the plan = 2/4."""
    from tuopin.runs.replicate import Replicate

    def rep(i, exits):
        rows = []
        for year, target, e in zip((2016, 2017), (100, 50), exits):
            row = {"year": year, "poverty_line": 3000, "target_exits": target, "target_exits_households": None,
                   "villages_exited": 0, "poor_villages_remaining": 1}
            for m in ("exits_declared", "exits_true", "exits_paper", "relapses", "new_poor", "poor_end",
                      "exited_end", "truly_poor", "hidden_poor"):
                row[m] = row[m + "_households"] = e if m == "exits_declared" else 0
            rows.append(row)
        return Replicate(i, rows, 0.0, 0, [], [], 0, {})

    t = annual_table([rep(i, e) for i, e in enumerate([(120, 20), (90, 80), (100, 50), (150, 0)])])
    assert t["p_meet_plan"].tolist() == [0.75, 0.5]
    assert t["p_meet_target"].tolist() == [0.75, 0.5]   # year 2: 80 and 50 reach 50


def test_a_finished_replicate_frees_its_model_at_once(small, monkeypatch):
    """A Mesa model is a reference cycle: unless run_replicate breaks it, each replicate's arrays stay alive
    until a full collection and a worker's memory grows replicate by replicate."""
    import gc
    import weakref

    from tuopin.runs import replicate
    from tuopin.sim import model as sim_model

    made = []

    class Watched(sim_model.PovertyModel):
        def __init__(self, **kw):
            super().__init__(**kw)
            made.append((weakref.ref(self), weakref.ref(self.ys.income)))

    monkeypatch.setattr(sim_model, "PovertyModel", Watched)
    gc.disable()
    try:
        rep = replicate.run_replicate(small, 0, np.random.SeedSequence(3))
        assert rep.annual and made
        assert all(m() is None and a() is None for m, a in made)  # freed without the cyclic collector
    finally:
        gc.enable()
