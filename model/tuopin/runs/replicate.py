"""One replicate: build and run the model on one seed, and keep a compact summary of it.

A summary holds the annual rows, the ledger, the survival counts of exits and (for an unsharded
full run) the per-household relapse drivers at the origin, never the population, so memory stays
flat in the number of replicates. Summaries go to and from checkpoint files as JSON and arrays.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from ..inputs.scenario import CAUSES, LoadedScenario
from .allocator import tune_allocator

HORIZONS = (1, 2, 3)  # years after exit at which survival of exits is counted
SUSTAINED_YEARS = 2   # an exit is sustained when it has not relapsed within this many years
# the starting household table's columns the at-risk list needs (the same in every full-mode replicate)
HOUSEHOLD_COLUMNS = ("village", "category", "cause", "size")


@dataclass(frozen=True)
class Replicate:
    index: int
    annual: list[dict]
    seconds: float        # building the population and stepping the model
    household_steps: int  # households x months simulated
    spend: list[dict]     # the ledger: year, lever, source, spend_yuan, shortfall_yuan
    survival: list[dict]  # Kaplan-Meier counts of exits: group, years after exit, at risk, relapsed (and true status)
    sustained_people: int  # people exited by the cohorts observed 24 months who did not relapse within them
    origin: dict          # exited households' risk drivers at the next-to-last assessment, and who relapsed
                          # (compact arrays; folded into the at-risk list and dropped as results arrive)
    shards: list = field(default_factory=list)  # a sharded scenario's annual rows by shard (with "shard", "region")
    households: dict = field(default_factory=dict)  # replicate 0 of a full run: the starting household table


def _durations(ev: dict, last_year: int, key: str = "relapse_year") -> tuple[np.ndarray, np.ndarray]:
    """Years from exit to the event in ``key`` (or to ``last_year``, censored) and whether it happened."""
    happened = ev[key] >= 0
    end = np.where(happened, ev[key], last_year)
    return (end - ev["exit_year"]).astype(int), happened


SURVIVAL_COUNTS = ("exits", "at_risk", "relapsed", "true_exits", "true_at_risk", "true_fell")


def survival_counts(ev: dict, last_year: int) -> list[dict]:
    """Kaplan-Meier counts of one replicate's exit events (households), small enough to ship back
    from a worker: per group (all, exit cohort, main cause) and year after exit, the exits still
    at risk and those relapsing (detected), and beside them on true status the exits truly out of
    poverty when declared (paper exits left out: a survey would not count them as exits), still at
    risk and first truly poor again (``true_*``). Counted by one ``bincount`` of (group, years,
    event) per kind of group and basis rather than masks per group and year."""
    last = max(HORIZONS)
    true_exit = ev["fall_year"] != ev["exit_year"]
    cohorts, cohort = np.unique(ev["exit_year"], return_inverse=True)
    cause = np.asarray(ev["cause"], np.int64)
    named = (cause >= 0) & (cause < len(CAUSES))
    width = 2 * (last + 2)
    cells = {}  # per event: years after exit (0 to last + 1 and beyond) and whether it happened
    for key in ("relapse_year", "fall_year"):
        dur, hit = _durations(ev, last_year, key)
        cells[key] = np.clip(dur, 0, last + 1) * 2 + hit

    def counts(key: str, keep: np.ndarray, code: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        c = np.bincount(code[keep] * width + cells[key][keep], minlength=n * width)[:n * width].reshape(n, last + 2, 2)
        return c.sum(axis=(1, 2)), c.sum(axis=2)[:, ::-1].cumsum(axis=1)[:, ::-1], c[:, :, 1]  # exits, at risk, events

    rows = []
    for kind, names, code, keep in (("all", ["all"], np.zeros(cause.size, np.int64), np.ones(cause.size, bool)),
                                    ("cohort", [str(y) for y in cohorts], cohort.reshape(-1), np.ones(cause.size, bool)),
                                    ("cause", list(CAUSES), np.where(named, cause, 0), named)):
        exits, at_risk, relapsed = counts("relapse_year", keep, code, len(names))
        t_exits, t_at_risk, t_fell = counts("fall_year", keep & true_exit, code, len(names))
        for g, name in enumerate(names):
            if kind == "cause" and not exits[g]:
                continue
            rows += [{"group_kind": kind, "group": name, "years": t, "at_risk": int(at_risk[g, t]),
                      "relapsed": int(relapsed[g, t]), "exits": int(exits[g]), "true_at_risk": int(t_at_risk[g, t]),
                      "true_fell": int(t_fell[g, t]), "true_exits": int(t_exits[g])} for t in range(1, last + 1)]
    return rows


def sustained_people(ev: dict, last_year: int) -> int:
    """People in exits of cohorts observed for 24 months that did not relapse within them."""
    observed = ev["exit_year"] <= last_year - SUSTAINED_YEARS
    relapsed = (ev["relapse_year"] >= 0) & (ev["relapse_year"] - ev["exit_year"] <= SUSTAINED_YEARS)
    return int(ev["people"][observed & ~relapsed].sum())


def run_replicate(scenario: LoadedScenario, index: int, seed: np.random.SeedSequence, origin: bool = True) -> Replicate:
    """Build and run one replicate of an unsharded scenario (or of one shard); return its summary.
    ``origin=False`` leaves out the per-household at-risk drivers (shards do not build that list)."""
    from ..sim.model import PovertyModel  # here: the process that only gathers results never imports the model

    tune_allocator()  # the same speed on any allocator setting (a Dask worker's included)
    t0 = time.perf_counter()
    model = PovertyModel(scenario=scenario, rng=np.random.default_rng(seed))
    w = model.weight
    keep_households = origin and index == 0 and w == 1
    households = {k: getattr(model.hh, k).copy() for k in HOUSEHOLD_COLUMNS} if keep_households else {}
    model.run()
    seconds = time.perf_counter() - t0
    events, last = model.exit_events(), scenario.spec.last_year
    survival = survival_counts(events, last)
    if w != 1:  # sampled mode: counts weighted back (hazards unchanged); households differ by
        # replicate, so there is no per-household at-risk list
        survival = [dict(r, **{k: r[k] * w for k in SURVIVAL_COUNTS}) for r in survival]
        origin = False
    drivers = {k: (v.astype(np.int32) if k == "household" else v) for k, v in model.origin.items()} if origin else {}
    result = Replicate(index, model.annual, seconds, model.hh.n * model.t, model.ledger.frame().to_dict("records"),
                       survival, int(round(sustained_people(events, last) * w)), drivers, households=households)
    # Mesa's model is a reference cycle (its scheduler and scenario hold the model's bound methods), so a finished
    # replicate's arrays (about 80 MB for Jingzhou) would stay alive until Python's next full collection, and the
    # next replicate would fault fresh pages in: dropping the model's attributes frees them now, for reuse
    model.__dict__.clear()
    return result


def save_replicate(r: Replicate, path: Path) -> None:
    """Write one replicate's summary to ``path`` (atomically: temp file, rename). JSON keeps floats
    exactly (repr round-trips); arrays go in the same .npz; nothing is pickled."""
    meta = {"index": r.index, "annual": r.annual, "seconds": r.seconds, "household_steps": r.household_steps,
            "spend": r.spend, "survival": r.survival, "sustained_people": r.sustained_people, "shards": r.shards}
    arrays = {f"origin_{k}": v for k, v in r.origin.items()} | {f"households_{k}": v for k, v in r.households.items()}
    tmp = path.with_name(f".{path.stem}.tmp.npz")
    np.savez(tmp, meta=np.array(json.dumps(meta, default=lambda o: o.item())), **arrays)
    tmp.rename(path)


def load_replicate(path: Path) -> Replicate:
    with np.load(path, allow_pickle=False) as z:
        meta = json.loads(str(z["meta"]))
        origin = {k.removeprefix("origin_"): z[k] for k in z.files if k.startswith("origin_")}
        households = {k.removeprefix("households_"): z[k] for k in z.files if k.startswith("households_")}
    return Replicate(meta["index"], meta["annual"], meta["seconds"], meta["household_steps"], meta["spend"],
                     meta["survival"], meta["sustained_people"], origin, meta.get("shards", []), households)
