"""Posterior draws: parameter sets a forecast samples from, so its bands hold what we do not know
about the parameters as well as the model's own randomness.

A posterior file is a CSV with one column per catalog parameter (full dotted names) and one row per
draw, as ``tuopin calibrate`` writes it (``posterior.csv``: every draw, with ``accepted``, ``distance``
and ``draw`` columns; only accepted rows are used). Each replicate of a forecast takes one row,
chosen from the scenario's seed, so the numbers are the same on one worker, many or a cluster.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np

from .. import parameters

BOOKKEEPING = ("draw", "distance", "accepted")  # columns calibrate writes besides the parameters
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
