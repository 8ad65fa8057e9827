"""Compiled loops for the assessment (numba): the levers' assessment hooks and a series of the model's annual
row, each a numpy rule of several whole-length temporaries (or a mask's gathers) in one pass over the households.

The rules of :mod:`.kernels` hold here too (no ``fastmath``, no transcendental function, no sum, no
random draw; each operation numpy's, in numpy's order), so every number is the one the numpy rule gave,
bit for bit.
"""

from __future__ import annotations

from .kernels import _jit


@_jit
def lever_income(income, market, persistent, paid, months, scale, means, out):  # pragma: no cover (compiled)
    """低保's other lever income: ``max((income - (market - months * persistent) - paid) * scale - means, 0)``
    (the year's income less its shocks and 低保's own top-ups, annualised, less the means test's market income)."""
    for i in range(out.size):
        x = (income[i] - (market[i] - months * persistent[i]) - paid[i]) * scale - means[i]
        out[i] = x if x >= 0.0 else 0.0  # np.maximum(x, 0.0)


@_jit
def benefit_response(benefits, income, eligible, hides, hidden, share, report_factor):  # pragma: no cover (compiled)
    """内生动力 at the assessment: ``share = clip(benefits / max(income, 1), 0, 1)``; ``report_factor = hidden``
    where the household receives benefits (above 0, eligible) and hides income, else 1."""
    for i in range(share.size):
        b, y = benefits[i], income[i]
        s = b / (y if y >= 1.0 else 1.0)  # np.maximum(income, 1.0)
        s = s if s >= 0.0 else 0.0  # np.clip(s, 0.0, 1.0)
        share[i] = s if s <= 1.0 else 1.0
        report_factor[i] = hidden if (b > 0) & eligible[i] & hides[i] else 1.0


@_jit
def registered_income(pc_income, size, registered, out):  # pragma: no cover (compiled)
    """``out = pc_income[registered] * size[registered]`` (``out`` as long as ``registered`` has households)."""
    j = 0
    for i in range(registered.size):
        if registered[i]:
            out[j] = pc_income[i] * size[i]
            j += 1
