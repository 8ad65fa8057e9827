"""因户施策 scores: how well a measure suits a household, from its main cause of poverty.

Each lever in this area states its own table (cause name → score in [0, 1]) in its docstring and
passes the score, with its capacity term, to :func:`tuopin.sim.targeting.choose`.
"""

from __future__ import annotations

import numpy as np

from .. import kernels, year_kernels
from ..population import CAUSE_CODES


def cause_score(cause: np.ndarray, table: dict[str, float]) -> np.ndarray:
    """A 0-1 score per household from its main cause (``hh.cause``); causes not in ``table`` score 0.
    An unknown cause name is a KeyError (a typo would silently score 0 otherwise)."""
    out = np.empty(cause.shape)  # scores[cause], in one pass (an int8 index takes numpy's slow path)
    year_kernels.gather(cause_table(table), cause.reshape(-1), out.reshape(-1))
    return out


def cause_table(table: dict[str, float]) -> np.ndarray:
    """The score of each cause code (``table``'s, 0 for the others): ``cause_score`` is ``cause_table(table)[cause]``."""
    scores = np.zeros(len(CAUSE_CODES))
    for name, s in table.items():
        scores[CAUSE_CODES[name]] = s
    return scores


def fit_with_labour(fit: np.ndarray, labour: np.ndarray) -> np.ndarray:
    """A measure for a worker: three quarters the cause's fit, a quarter the household's labour
    (none 0, one 0.5, two or more 1)."""
    if fit.shape != labour.shape or fit.dtype != float:  # (the plain rule; the model's arrays take one compiled pass)
        return 0.75 * fit + 0.25 * np.minimum(labour, 2) / 2
    out = np.empty(fit.shape)
    kernels.fit_labour(fit.reshape(-1), labour.reshape(-1), out.reshape(-1))
    return out


def effect_scale(score: np.ndarray, unsuited: float) -> np.ndarray:
    """How much of a measure's full effect a household gets: all of it where the measure fits its
    cause (score 1), ``unsuited`` of it where it does not (score 0), linearly between."""
    return unsuited + (1.0 - unsuited) * score
