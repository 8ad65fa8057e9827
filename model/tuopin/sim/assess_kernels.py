"""Compiled loops for the assessment (numba): the levers' assessment hooks and the model's own tests, each a
numpy rule of several whole-length temporaries in one pass over the households.

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
def public_share(assistance, cap_fund, share, out):  # pragma: no cover (compiled)
    """健康扶贫's public part of the year's costs: ``(assistance + cap_fund) * share`` (the share of the year in force)."""
    for i in range(out.size):
        out[i] = (assistance[i] + cap_fund[i]) * share


@_jit
def left_unpaid(oop, public, paid, out):  # pragma: no cover (compiled)
    """What stays with the household: ``oop + (public - paid)`` (the public part a cap left unpaid added back)."""
    for i in range(out.size):
        out[i] = oop[i] + (public[i] - paid[i])


@_jit
def stable_source(labour, wage_local, wage_migrant, farm, category, doudi, out):  # pragma: no cover (compiled)
    """一有 (:func:`.assessment.stable_source`): ``(labour > 0) & ((wage_local + wage_migrant + farm) > 0)``, or a
    category of ``doudi`` (兜底 cover)."""
    for i in range(out.size):
        c = category[i]
        covered = False
        for k in range(doudi.size):
            covered |= c == doudi[k]
        out[i] = ((labour[i] > 0) & ((wage_local[i] + wage_migrant[i] + farm[i]) > 0)) | covered


@_jit
def registered_income(pc_income, size, registered, out):  # pragma: no cover (compiled)
    """``out = pc_income[registered] * size[registered]`` (``out`` as long as ``registered`` has households)."""
    j = 0
    for i in range(registered.size):
        if registered[i]:
            out[j] = pc_income[i] * size[i]
            j += 1


@_jit
def noise_exponent(z, root_rest, root_share, bias, sigma, out):  # pragma: no cover (compiled)
    """The verification error's exponent: ``(root_share * bias + z * root_rest) * sigma`` (the exp is numpy's)."""
    for i in range(out.size):
        out[i] = (root_share * bias[i] + z[i] * root_rest) * sigma


@_jit
def scale_by(x, a, b):  # pragma: no cover (compiled)
    """``x *= a``, then ``x *= b``, in one pass."""
    for i in range(x.size):
        x[i] = x[i] * a[i] * b[i]


@_jit
def income_tests(pc_true, pc_measured, three, source_ok, spend_ok, line, threshold, meets_true, meets_measured,
                 short_true, short_measured):  # pragma: no cover (compiled)
    """:func:`.assessment.assess`'s tests of the true and the measured income: ``meets = (pc >= line) & three &
    source_ok & spend_ok``; ``short = (pc < line) | (~three & (pc < threshold))``."""
    for i in range(three.size):
        t, m, g = pc_true[i], pc_measured[i], three[i]
        ok = g & source_ok[i] & spend_ok[i]
        meets_true[i] = (t >= line) & ok
        meets_measured[i] = (m >= line) & ok
        short_true[i] = (t < line) | ((not g) & (t < threshold))
        short_measured[i] = (m < line) | ((not g) & (m < threshold))
