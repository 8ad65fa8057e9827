"""The command line the one-run diagnostics share (relapse_causes.py, exited_falls.py): a scenario of
``scenarios/``, a sampling rate, a seed, and ``--set section.key=value`` overrides of catalog
parameters, so a mechanism's part is the difference of two runs on the same seed."""

from __future__ import annotations

import argparse
import tomllib
from pathlib import Path

from tuopin import load_scenario

ROOT = Path(__file__).resolve().parents[1]


def scenario_from_args(doc: str, scenario: str, sample: int, seed: int | None):
    """Parse the shared options (defaults: ``scenario``, ``sample``, ``seed``); return the loaded scenario and the seed."""
    ap = argparse.ArgumentParser(description=doc.splitlines()[0])
    ap.add_argument("scenario", nargs="?", default=scenario)
    ap.add_argument("--sample", type=int, default=sample)
    ap.add_argument("--seed", type=int, default=seed)
    ap.add_argument("--set", action="append", default=[], metavar="SECTION.KEY=VALUE")
    args = ap.parse_args()
    over: dict = {"population": {"sample": args.sample}} if args.sample > 1 else {}
    for item in args.set:
        key, _, value = item.partition("=")
        section, _, name = key.partition(".")
        over.setdefault("parameters", {}).setdefault(section, {})[name] = tomllib.loads(f"v = {value}")["v"]
    return load_scenario(ROOT / "scenarios" / f"{args.scenario}.toml", over or None), args.seed
