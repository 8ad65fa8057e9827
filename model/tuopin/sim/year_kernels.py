"""Compiled per-household loops for the January turn and the levers' Januaries (numba), where numpy needs
several whole-array passes, a boolean-mask gather and scatter, or a temporary for each operator.

They follow the rules of :mod:`.kernels` (whose docstring says why they keep the numbers bit for bit): no
``fastmath``, every operation the IEEE one numpy does, in numpy's order (a boolean factor written as a
multiplication by 1.0 or 0.0, as numpy casts it; an integer operand converted to float where numpy converts
it); no ``exp``/``log``, no float sum, and no draw: every draw is made by the caller's numpy generator, the
same size at the same point of its stream, and the kernel only reads it. Each is tested against the numpy
rule it replaces in ``tests/test_kernels.py``. Each lever still decides its measures in its own module:
these are only its arithmetic, in one pass.
"""

from __future__ import annotations

import numpy as np

from .kernels import _jit


@_jit
def gather(table, codes, out):  # pragma: no cover (compiled)
    """``out = table[codes]`` for small integer ``codes`` (an int8 cause code: numpy's fancy index would
    first need an intp copy of them)."""
    for i in range(out.size):
        out[i] = table[codes[i]]


@_jit
def project_suits(scores, cause, labour, out):  # pragma: no cover (compiled)
    """Industry's project score: ``0.5 * scores[cause] + 0.25 * np.minimum(labour, 2)``."""
    for i in range(out.size):
        out[i] = 0.5 * scores[cause[i]] + 0.25 * min(labour[i], 2)


@_jit
def share_suits(scores, cause, labour, out):  # pragma: no cover (compiled)
    """Industry's share score: ``((labour == 0) | (scores[cause] > 0)).astype(float)``."""
    for i in range(out.size):  # (a float of the bool: a select after the gather would compile to a branch)
        out[i] = np.float64((labour[i] == 0) | (scores[cause[i]] > 0))


@_jit
def placement_pool(wage_local, wage_migrant, labour, with_labour, placed, trained, capacity, wage, per_worker, pool,
                   suits):  # pragma: no cover (compiled)
    """Employment's placement pool in one pass: ``per_worker = (wage_local + wage_migrant) / np.maximum(labour, 1)``,
    ``pool = with_labour & ~placed & (per_worker < wage)``, ``suits = 0.5 * trained + 0.5 * capacity``."""
    for i in range(per_worker.size):  # branch-free: bitwise tests, the bool a float
        w = (wage_local[i] + wage_migrant[i]) / max(labour[i], 1)
        per_worker[i] = w
        pool[i] = with_labour[i] & ~placed[i] & (w < wage)
        suits[i] = 0.5 * np.float64(trained[i]) + 0.5 * capacity[i]


@_jit
def relief_eligible(eligible, labour, poor, village, out):  # pragma: no cover (compiled)
    """以工代赈's households: ``eligible & (labour > 0) & poor[village]`` (bitwise: no branch)."""
    for i in range(out.size):
        out[i] = eligible[i] & (labour[i] > 0) & poor[village[i]]


@_jit
def relief_suits(scores, cause, wage_migrant, out):  # pragma: no cover (compiled)
    """以工代赈's score: ``0.5 * scores[cause] + 0.5 * (wage_migrant <= 0)`` (the bool a float: no branch)."""
    for i in range(out.size):
        out[i] = 0.5 * scores[cause[i]] + 0.5 * np.float64(wage_migrant[i] <= 0)


@_jit
def post_pool(eligible, labour, elderly, disabled, post, out):  # pragma: no cover (compiled)
    """Employment's households for a post: ``eligible & (labour == 0) & ((elderly + disabled) > 0) & ~post``."""
    for i in range(out.size):
        out[i] = eligible[i] & (labour[i] == 0) & ((elderly[i] + disabled[i]) > 0) & ~post[i]


@_jit
def migrant_pool(registered, labour, wages, w, out):  # pragma: no cover (compiled)
    """Employment's households with a labourer free to go: ``registered & (labour > np.floor(wages / w))``."""
    for i in range(out.size):
        out[i] = registered[i] & (labour[i] > np.floor(wages[i] / w))


@_jit
def relabel(topup, eligible, fupin, fupin_dibao, category):  # pragma: no cover (compiled)
    """低保's new 扶贫低保 households: ``category[(topup > 0) & eligible & (category == fupin)] = fupin_dibao``."""
    for i in range(category.size):
        c = category[i]
        category[i] = fupin_dibao if (topup[i] > 0) & eligible[i] & (c == fupin) else c


@_jit
def enrol(eligible, u, chance, enrolled):  # pragma: no cover (compiled)
    """``enrolled[eligible] |= u < chance``: the ``j``-th eligible household joins where ``u[j] < chance``
    (``u`` holds one draw per eligible household, in row order)."""
    j = 0
    for i in range(eligible.size):
        if eligible[i]:
            if u[j] < chance:
                enrolled[i] = True
            j += 1


@_jit
def join(eligible, enrolled, u, chance, out):  # pragma: no cover (compiled)
    """``out = eligible & ~enrolled; out[out] = u < chance; enrolled |= out``: the ``j``-th eligible household
    not enrolled joins where ``u[j] < chance`` (``u``: one draw per such household, in row order)."""
    j = 0
    for i in range(eligible.size):
        x = False
        if eligible[i] and not enrolled[i]:
            x = u[j] < chance
            j += 1
            if x:
                enrolled[i] = True
        out[i] = x


@_jit
def premiums_charged(premium, insured, was, eligible, share, expense, amounts):  # pragma: no cover (compiled)
    """The medical lever's January contributions in one pass: ``expense += premium * (insured - was)`` (as
    floats) and ``amounts = where(eligible & insured, premium * share, 0)``."""
    for i in range(premium.size):
        ins = 1.0 if insured[i] else 0.0
        expense[i] += premium[i] * (ins - (1.0 if was[i] else 0.0))
        amounts[i] = premium[i] * share if eligible[i] and insured[i] else 0.0


@_jit
def effort(reached, benefit_share, elasticity, kept, out):  # pragma: no cover (compiled)
    """等靠要 and 扶志: ``loss = elasticity * benefit_share``; ``out = 1 - where(reached, kept * loss, loss)``."""
    for i in range(out.size):
        loss = elasticity * benefit_share[i]
        out[i] = 1.0 - (kept * loss if reached[i] else loss)


@_jit
def choices(eligible, h0, h1, v0, v1, d0, d1, to_highschool, to_vocational, dropout_factor):  # pragma: no cover
    """Education's three ``where(eligible, supported, catalog)`` in one pass."""
    for i in range(eligible.size):
        e = eligible[i]
        to_highschool[i] = h1 if e else h0
        to_vocational[i] = v1 if e else v0
        dropout_factor[i] = d1 if e else d0


@_jit
def school_support(eligible, highschool, college, compulsory, dropout, a, b, c, out):  # pragma: no cover
    """``where(eligible, highschool * a + college * b + (compulsory - dropout) * c, 0)`` in one pass."""
    for i in range(out.size):  # branch-free: the sum for every row, then a select
        x = highschool[i] * a + college[i] * b + (compulsory[i] - dropout[i]) * c
        out[i] = x if eligible[i] else 0.0


@_jit
def yulu(eligible, vocational, each, monthly, to):  # pragma: no cover (compiled)
    """``monthly = where(eligible, vocational * each, 0)`` and ``to`` the rows where it is above 0 (the first
    of them; returns how many)."""
    k = 0
    for i in range(monthly.size):
        m = vocational[i] * each if eligible[i] else 0.0
        monthly[i] = m
        if m > 0:
            to[k] = i
            k += 1
    return k


@_jit
def focus_of(status, poor, village, focus):  # pragma: no cover (compiled)
    """``where(status == poor, focus[village], 0)`` in one pass (a new array)."""
    out = np.empty(status.size)
    for i in range(out.size):  # the gather, then the select in a pass of its own (after a gather it would branch)
        out[i] = focus[village[i]]
    for i in range(out.size):
        out[i] = out[i] if status[i] == poor else 0.0
    return out


@_jit
def grow_farm(farm, growth, price, village, noise, u, failure_rate, kept):  # pragma: no cover (compiled)
    """The year's farm income in one pass: ``farm *= growth * price[village] * noise``, then where
    ``farm > 0`` and ``u < failure_rate`` (a business failure) ``farm *= kept``."""
    for i in range(farm.size):
        f = farm[i] * ((growth * price[village[i]]) * noise[i])
        if f > 0 and u[i] < failure_rate:
            f = f * kept
        farm[i] = f


@_jit
def renovation(priority, housing, d_code, grant_d, grant_c, grant, order):  # pragma: no cover (compiled)
    """Housing's grant per house and payment order in one pass: ``grant = where(housing == d, grant_d,
    grant_c)``, ``order = priority - 1e9 * (housing == d)`` (D houses first)."""
    for i in range(priority.size):
        d = housing[i] == d_code
        grant[i] = grant_d if d else grant_c
        order[i] = priority[i] - 1e9 * (1.0 if d else 0.0)


@_jit
def cover(eligible, covered, found, general, draw, inclusion_error, out):  # pragma: no cover (compiled)
    """低保's cover for the year in one pass: ``where(eligible, covered | found, general & (draw <
    inclusion_error))`` (an eligible household once covered stays covered)."""
    for i in range(out.size):  # branch-free: both sides, then a select
        stays = covered[i] | found[i]
        let_in = general[i] & (draw[i] < inclusion_error)
        out[i] = stays if eligible[i] else let_in


@_jit
def lose_labour(k, labour, wage_local, wage_migrant):  # pragma: no cover (compiled)
    """Where ``k`` labourers stop working (``k != 0``), both wages times ``(labour - k) / max(labour, 1)``
    (1 without a labourer); the other rows unchanged (:func:`.dynamics._lose_labour`)."""
    for i in range(k.size):
        if k[i] != 0:
            n = labour[i]
            keep = (n - k[i]) / max(n, 1) if n > 0 else 1.0
            wage_local[i] *= keep
            wage_migrant[i] *= keep


@_jit
def benefit_eligible(status, exit_year, poor, exited, year, years, until, also, out):  # pragma: no cover (compiled)
    """:func:`.eligibility.benefit_eligible` in one pass: ``(status == poor) | ((status == exited) & ((year -
    exit_year <= years) | (year <= until)))``, or ``also`` (unless empty)."""
    any_also, calendar = also.size > 0, year <= until
    for i in range(out.size):
        s = status[i]
        keep = (year - exit_year[i] <= years) | calendar
        out[i] = (s == poor) | ((s == exited) & keep) | (any_also and also[i])
