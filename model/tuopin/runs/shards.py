"""Shards: a large scenario (a country, a province) run as independent pieces (provinces, counties).

A scenario with a ``[shards]`` table is split into one scenario per shard: every count of the
whole (registered households and people, villages, rural people, targets, budget caps, catalog
counts such as relocations a year) is divided over the shards in proportion to their weights, with
exact sums (largest remainder). Each shard is then simulated on its own, so memory is bounded by
the largest shard, shards run in parallel on a pool or a Dask cluster, and the shards' summaries
are added up into one replicate of the whole.

Seeds: shard ``s`` of replicate ``i`` gets ``SeedSequence(seed, spawn_key=(i, s))`` — the ``s``-th
child of replicate ``i``'s seed — so results do not depend on where or in which order shards run.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import replace

import numpy as np
from pydantic import ValidationError

from ..sim.population import allocate
from ..inputs.scenario import LoadedScenario, Scenario, ScenarioError
from .replicate import SURVIVAL_COUNTS, Replicate

# catalog parameters that count households of the whole region (split over shards; divided by k
# in sampled mode, see PovertyModel.count)
COUNT_PARAMS = ("relocation.households_per_year", "employment.ranger_posts")
# annual-row fields that are not added up over shards
_NOT_SUMMED = {"year", "poverty_line", "target_exits", "target_exits_households"}
# not summed either: a shard's rate or mean, weighted by its count (and the value when the counts are all 0)
_MEANS = {"intensity": ("poor_households_start", 1.0), "registered_income_pc": ("registered_people", 0.0)}


def shard_seed(seed: int, replicate: int, shard: int) -> np.random.SeedSequence:
    return np.random.SeedSequence(seed, spawn_key=(replicate, shard))


def _split(total: float, weights: np.ndarray) -> np.ndarray:
    return allocate(int(round(total)), weights)


def shard_scenarios(loaded: LoadedScenario) -> list[LoadedScenario]:
    """One loaded scenario per shard of ``loaded`` (in the order of its ``[shards]`` table)."""
    spec = loaded.spec
    names = list(spec.shards)
    w = np.array([sh.weight for sh in spec.shards.values()], float)
    pop = spec.population
    counts = {k: _split(getattr(pop, k), w) for k in ("households", "people", "poor_villages", "villages", "rural_people")}
    targets = {kind: {y: _split(v, w) for y, v in getattr(spec.targets, kind).items()} for kind in ("people", "households")}
    caps = {lever: w / w.sum() * v for lever, v in spec.budget.cap.items()}
    commitments = {src: w / w.sum() * v for src, v in spec.budget.commitments.items()}
    funds = {y: w / w.sum() * v for y, v in spec.campaign.funds.items()}  # allocated as the registry (its weight)
    migrants = {y: w / w.sum() * v for y, v in spec.campaign.migrant_workers.items()}  # so are its labourers
    param_counts = {name: _split(loaded.params[name], w) for name in COUNT_PARAMS if loaded.params.get(name)}
    seeds = np.random.SeedSequence(spec.seed).generate_state(len(names), np.uint64) >> np.uint64(1)
    base = spec.model_dump()
    parts = []
    for s, name in enumerate(names):
        shard = spec.shards[name]
        raw = dict(base, name=f"{spec.name}/{name}", region=shard.region, seed=int(seeds[s]), shards={},
                   west=spec.west if shard.west is None else shard.west)
        raw["population"] = dict(base["population"], **{k: int(v[s]) for k, v in counts.items()})
        # a shard too small for a village of its own keeps one
        p = raw["population"]
        p["villages"] = max(p["villages"], p["poor_villages"] + 1)
        p["households"] = max(p["households"], 1)
        p["people"] = max(p["people"], p["households"])
        p["rural_people"] = max(p["rural_people"], int(p["people"] * (1 + pop.near_poor_per_registered)) + 1)
        if p["poor_villages"] == 0:
            p["share_in_poor_villages"] = 0.0
        raw["targets"] = {kind: {y: min(int(v[s]), p[kind]) for y, v in t.items()} for kind, t in targets.items()}
        raw["budget"] = dict(base["budget"], cap={k: float(v[s]) for k, v in caps.items()},
                             commitments={k: float(v[s]) for k, v in commitments.items()})
        raw["campaign"] = dict(base["campaign"], funds={y: float(v[s]) for y, v in funds.items()},
                               migrant_workers={y: float(v[s]) for y, v in migrants.items()})
        try:
            sub = Scenario.model_validate(raw)
        except ValidationError as e:
            raise ScenarioError(loaded.path, f"shards.{name}", f"cannot be run as a scenario of its own: "
                                                               f"{e.errors()[0]['msg']}") from None
        params = dict(loaded.params, **{k: int(v[s]) for k, v in param_counts.items()})
        parts.append(replace(loaded, spec=sub, params=params))
    return parts


def combine(index: int, parts: list[Replicate], names: list[str], spec: Scenario) -> Replicate:
    """One replicate of the whole from its shards' replicates: counts and yuan added up, the
    targets of the whole, survival counts added (so the Kaplan-Meier estimate is the pooled one),
    and each shard's annual rows kept for the breakdown."""
    annual = []
    for rows in zip(*(p.annual for p in parts)):
        year = rows[0]["year"]
        row = {"year": year, "poverty_line": rows[0]["poverty_line"], "target_exits": spec.targets.people.get(year),
               "target_exits_households": spec.targets.households.get(year)}
        for key in rows[0]:
            if key not in _NOT_SUMMED:
                row[key] = sum(r[key] for r in rows)
        for key, (weight, empty) in _MEANS.items():  # rates and means: the shards' values weighted
            if key in row:
                total = sum(r[weight] for r in rows)
                row[key] = sum(r[key] * r[weight] for r in rows) / total if total else empty
        annual.append(row)
    spend: dict[tuple, list[float]] = defaultdict(lambda: [0.0, 0.0])
    for p in parts:
        for r in p.spend:
            acc = spend[(r["year"], r["lever"], r["source"])]
            acc[0] += r["spend_yuan"]
            acc[1] += r["shortfall_yuan"]
    survival: dict[tuple, dict] = {}
    for p in parts:
        for r in p.survival:
            key = (r["group_kind"], r["group"], r["years"])
            acc = survival.setdefault(key, dict(r, **dict.fromkeys(SURVIVAL_COUNTS, 0)))
            for k in SURVIVAL_COUNTS:
                acc[k] += r[k]
    by_shard = [dict(r, shard=name, region=spec.shards[name].region) for p, name in zip(parts, names) for r in p.annual]
    return Replicate(index, annual, sum(p.seconds for p in parts), sum(p.household_steps for p in parts),
                     [{"year": y, "lever": lv, "source": src, "spend_yuan": v[0], "shortfall_yuan": v[1]}
                      for (y, lv, src), v in spend.items()],
                     list(survival.values()), sum(p.sustained_people for p in parts), {}, by_shard)
