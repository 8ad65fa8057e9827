"""因户施策: which eligible households a lever's measures go to.

A lever first decides how many households it serves this year (its take-up among the eligible,
scaled by the year's funding ``intensity``, or its capacity); this module decides who. With
``targeting.by_cause`` (the default) the households the measure suits (by their main cause of
poverty and their capacity, a score the lever gives) come first; without it the same number are
drawn at random among the eligible, so the two differ only in who gets the measure, not in how many
or at what cost, and the difference measures what precision buys. Both use the same uniform draws
(common random numbers), so a household's place among equally suited ones does not change.

Place orders households within the cause match: ``focus`` (the model's ``StepContext.focus``) is
a household's allocation weight for living in a registered poor village not yet exited, where the
work team (驻村工作队, 第一书记) and the village's funds are (the Jingzhou decision §三(二), §二(五)5:
瞄准贫困村贫困户). It shifts the random tie-break, not the cause score: the team still gives each
household the measure that fits it (对每一个贫困户量身定制脱贫方案, §三(二)), so a suited household
elsewhere still comes before an unsuited one in a poor village. It works the same in both modes, so
by cause against at random still differs only in the cause match.
"""

from __future__ import annotations

import numpy as np

from . import kernels

_EMPTY = np.zeros(0)  # no focus, no suits


def how_many(eligible: np.ndarray, rate: float, rng: np.random.Generator, intensity: float = 1.0) -> int:
    """The number served this year: a binomial draw over the eligible at ``rate`` × ``intensity``
    (capped at 1)."""
    return int(rng.binomial(np.count_nonzero(eligible), min(1.0, max(0.0, rate * intensity))))


def choose(eligible: np.ndarray, k: int, suits: np.ndarray, rng: np.random.Generator, by_cause: bool,
           focus: np.ndarray | None = None) -> np.ndarray:
    """A mask of ``k`` households among ``eligible``. ``suits`` is a score in [0, 1] (1 = the measure
    fits the household's cause and capacity); by cause, households are taken in descending
    ``suits + u`` (u uniform in [0, 1)), so a fully suited household always comes before an unsuited
    one and ties go at random; at random, in descending ``u``. ``focus`` (per household, ≥ 0; empty
    or None: none) replaces ``u`` by ``(u + focus) / (1 + max focus)``, still in [0, 1): among equally
    suited households (or all, at random) a higher focus comes first, strictly so for whole-number
    focus levels."""
    eligible = np.asarray(eligible)
    size = np.count_nonzero(eligible)
    out = np.zeros(eligible.shape, bool)
    k = min(int(k), size)
    if k <= 0:  # no one: the draws are not read, only taken (the stream after them is the same)
        _skip(rng, size)
        return out
    u = rng.random(size)
    # the keys in one pass (kernels.choice_keys): u = (u + focus[idx]) / (1 + max focus), + suits[idx] by cause
    has_focus = focus is not None and focus.size
    focus = np.asarray(focus, float) if has_focus else _EMPTY
    suits = np.asarray(suits, float).reshape(-1) if by_cause else _EMPTY
    if (has_focus and focus.size != eligible.size) or (by_cause and suits.size != eligible.size):
        raise ValueError("choose: suits and focus need one value per household")
    idx, negkey = np.empty(size + 1, np.intp), np.empty(size + 1)
    kernels.choice_keys(eligible.reshape(-1), u, focus.reshape(-1), 1.0 + float(focus.max()) if has_focus else 1.0,
                        suits, idx, negkey)
    out.reshape(-1)[idx[np.argpartition(negkey[:size], k - 1)[:k]]] = True
    return out


def _skip(rng: np.random.Generator, size: int) -> None:
    """Take ``size`` uniform draws no one reads: a PCG64 stream jumps ahead instead (a double is one 64-bit
    output, so the state after is the same), unless it holds half an output (``has_uint32``) or is another."""
    bg = rng.bit_generator
    if type(bg) is np.random.PCG64 and not bg.state["has_uint32"]:
        bg.advance(int(size))
    else:
        rng.random(size)
