"""Posterior draws: parameter sets a forecast samples from, so its bands hold what we do not know
about the parameters as well as the model's own randomness.

A posterior file is a CSV with one column per catalog parameter (full dotted names) and one row per
draw, as ``tuopin calibrate`` writes it (``posterior.csv``: every draw, with ``accepted``, ``distance``,
``draw``, ``generation``, ``stage`` and ``weight`` columns; only accepted rows are used). Importance-weighted draws
(a ``weight`` column) are turned into as many equally weighted rows by systematic resampling, which
needs no random numbers. Each replicate of a forecast takes one row, chosen from the scenario's
seed, so the numbers are the same on one worker, many or a cluster.

A posterior calibrated on another region (the national one, for a prefecture) is used with
``posterior_transfer = true``: only the parameters that describe behaviour transfer (:func:`transfer`).
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np

from .. import parameters

BOOKKEEPING = ("draw", "stage", "generation", "distance", "accepted", "weight")  # columns calibrate writes besides the parameters
STREAM = 0x706F7374  # "post": the draw-choosing stream, apart from every replicate's own seeds


class PosteriorError(ValueError):
    """One problem with a posterior file: which file, which column or row, what is allowed."""

    def __init__(self, file: Path | str, where: str, message: str):
        self.file, self.where, self.message = str(file), where, message
        super().__init__(f"{self.file}: {where}: {message}")


def read_posterior(path: str | Path) -> tuple[dict[str, float | int], ...]:
    """The draws of a posterior file (accepted rows only), each a dict of parameter values checked
    against the catalog (whole-number parameters as ints)."""
    import pandas as pd

    path = Path(path)
    try:
        df = pd.read_csv(path)
    except FileNotFoundError:
        raise PosteriorError(path, "(file)", "no such posterior file (write one with `tuopin calibrate`)") from None
    except Exception as e:  # noqa: BLE001 - any unreadable file is one message
        raise PosteriorError(path, "(file)", f"cannot read it as CSV: {str(e)[:120]}") from None
    if "accepted" in df.columns:
        if not df["accepted"].isin([True, False]).all():
            raise PosteriorError(path, "accepted", "must be True or False in every row")
        df = df[df["accepted"].astype(bool)]
    if "weight" in df.columns:
        w = pd.to_numeric(df["weight"], errors="coerce")
        if w.isna().any() or not np.isfinite(w).all() or (w < 0).any() or not w.sum() > 0:
            raise PosteriorError(path, "weight", "must be a finite number ≥ 0 in every (accepted) row, not all 0")
        df = df.iloc[resample(w.to_numpy(float), int((w > 0).sum()))]
    cat = parameters.catalog()
    names = [c for c in df.columns if c not in BOOKKEEPING]
    for name in names:
        if name not in cat:
            raise PosteriorError(path, name, "is not a catalog parameter"
                                 + (parameters.suggest(name, cat) or " (see `tuopin params`)"))
        if isinstance(cat[name].default, bool):
            raise PosteriorError(path, name, "is a switch; a posterior holds numeric parameters")
    if not names:
        raise PosteriorError(path, "(columns)", "needs at least one parameter column (full names, e.g. income.wage_growth)")
    if df.empty:
        raise PosteriorError(path, "(rows)", "has no (accepted) draws")
    draws = []
    for i, row in enumerate(df[names].itertuples(index=False), start=2):  # line 1 is the header
        draw = {}
        for name, value in zip(names, row):
            p = cat[name]
            if isinstance(p.default, int) and isinstance(value, float) and math.isfinite(value) and value.is_integer():
                value = int(value)
            value = value.item() if isinstance(value, np.generic) else value
            why = p.check(value)
            if why:
                raise PosteriorError(path, f"{name} (line {i})", f"must be {why}, got {value!r}")
            draw[name] = value
        draws.append(draw)
    return tuple(draws)


def choose(draws: tuple, seed: int, replicates: int) -> list[int]:
    """Which draw each replicate takes: uniform with replacement, from the scenario's seed on a
    stream of its own (the replicates' seeds are unchanged)."""
    rng = np.random.default_rng([seed, STREAM])
    return rng.integers(len(draws), size=replicates).tolist()


def resample(weights, n: int) -> np.ndarray:
    """Systematic resampling: ``n`` row indices, each row about ``n × weight`` times, from the
    evenly spaced points (i + ½)/n of the cumulative weights (no random numbers: the same file
    gives the same draws)."""
    w = np.asarray(weights, float)
    cum = np.cumsum(w / w.sum())
    return np.minimum(np.searchsorted(cum, (np.arange(n) + 0.5) / n), len(w) - 1)


# Sections whose parameters describe the place a posterior was fitted on, not behaviour: never transferred
LOCAL_SECTIONS = {"population": "it describes the registry the posterior was fitted on, and a national fit also uses it to "
                                "bridge that registry and the survey headcount it was compared with"}


def transfer(draws: tuple[dict, ...], own: set[str]) -> tuple[tuple[dict, ...], dict[str, str]]:
    """The draws of a posterior fitted on another region, for a scenario that sets the parameters
    ``own`` itself: the parameters of :data:`LOCAL_SECTIONS` and those the scenario sets (its local
    values, from its own sources) are withheld; the others (income dynamics, take-up, assessment…)
    transfer. Returns the draws and the withheld names with the reason."""
    withheld = {}
    for name in draws[0] if draws else ():
        section = name.split(".", 1)[0]
        if section in LOCAL_SECTIONS:
            withheld[name] = LOCAL_SECTIONS[section]
        elif name in own:
            withheld[name] = "the scenario sets it itself, a local value"
    return tuple({k: v for k, v in d.items() if k not in withheld} for d in draws), withheld


def scenario_draws(spec) -> tuple[tuple[dict, ...], dict[str, str]]:
    """A scenario's posterior draws (none without ``posterior``) and, with ``posterior_transfer``,
    the parameters withheld from them (see :func:`transfer`)."""
    if not spec.posterior:
        return (), {}
    draws = read_posterior(spec.posterior)
    if not getattr(spec, "posterior_transfer", False):
        return draws, {}
    kept, withheld = transfer(draws, set(parameters.flatten(spec.parameters)))
    if not kept[0]:
        raise PosteriorError(spec.posterior, "(columns)", "no parameter left to transfer: every one is withheld ("
                             + "; ".join(f"{k}: {v}" for k, v in withheld.items()) + ")")
    return kept, withheld
