"""A fingerprint of the model's numbers, to show an engine change keeps them bit for bit.

Hashes (SHA-256, first 16 hex digits) the annual rows, the ledger's spend and requests, every
household and year-state array, the shared state, the last assessment, each lever's record and owned
arrays, the exit events and the monthly DataCollector table, for Jingzhou, the no-policy run and
Mukainaoer (seeds 1 and 7), and for Jingzhou under three sets of budget caps that cut levers part-way
or stop them. Run it before and after a change (e.g. the old code from ``git archive`` in a folder on
PYTHONPATH) and compare the printed lines: any difference is a change in the numbers.

    PYTHONPATH=model python benchmarks/fingerprint.py > before.txt
"""

from __future__ import annotations

import hashlib
from dataclasses import fields

import numpy as np

from tuopin import PovertyModel, load_scenario

SCENARIOS = ("jingzhou_2015_2018", "jingzhou_no_policy", "mukainaoer_2016_2020")
CAPS = ({"budget.cap.credit": 3e7, "budget.cap.dibao": 5e7, "budget.cap.industry": 4e7},
        {"budget.cap.total": 2e8},
        {"budget.cap.employment": 2e7, "budget.cap.dibao": 3e7})


def _feed(obj, d) -> None:
    if isinstance(obj, np.ndarray):
        d.update(str(obj.dtype).encode())
        d.update(np.ascontiguousarray(obj).tobytes())
    elif isinstance(obj, dict):
        for k in sorted(obj, key=str):
            d.update(str(k).encode())
            _feed(obj[k], d)
    elif isinstance(obj, (list, tuple)):
        for x in obj:
            _feed(x, d)
    else:
        d.update(repr(obj).encode())


def fingerprint(m: PovertyModel) -> str:
    d = hashlib.sha256()
    for obj in (m.annual, m.ledger.spend, m.ledger.requested, m.last_assessment, m.exit_events(),
                m.datacollector.get_model_vars_dataframe().to_numpy()):
        _feed(obj, d)
    for state in (m.hh, m.ys, m.shared):
        for f in fields(state):
            if isinstance(v := getattr(state, f.name), np.ndarray):
                _feed(v, d)
    for pol in m.policies:
        _feed(pol.record(), d)
        _feed({k: getattr(pol, k) for k in pol.owns}, d)
    return d.hexdigest()[:16]


def main() -> None:
    for name in SCENARIOS:
        loaded = load_scenario(f"scenarios/{name}.toml")
        for seed in (1, 7):
            print(f"{name} seed {seed}: {fingerprint(PovertyModel(scenario=loaded, rng=seed).run())}")
    for i, caps in enumerate(CAPS):
        for seed in (1, 7):
            m = PovertyModel(scenario="scenarios/jingzhou_2015_2018.toml", rng=seed, **caps).run()
            print(f"jingzhou caps {i + 1} seed {seed}: {fingerprint(m)}")


if __name__ == "__main__":
    main()
