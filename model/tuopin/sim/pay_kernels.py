"""Compiled loops for the levers' money (numba): a month's payments into the households' income,
industry's earnings, credit's interest and repayments, 低保's top-up and phase-out (the ledger's sums
over the rows paid are :mod:`.month_kernels`').

The rules of :mod:`.kernels` hold here too (no ``fastmath``, no transcendental function, no sum, no
random draw), so every number is the one the numpy rule gave, bit for bit.
"""

from __future__ import annotations

import numpy as np

from .kernels import _jit

@_jit
def receive(paid, income, benefits, also):  # pragma: no cover (compiled)
    """A lever's payment is income and benefit: ``income += paid``, ``benefits += paid`` (and
    ``also += paid``, the lever's own tally, unless ``also`` is empty)."""
    tally = also.size > 0
    for i in range(paid.size):
        income[i] += paid[i]
        benefits[i] += paid[i]
        if tally:
            also[i] += paid[i]


@_jit
def receive_rows(rows, paid, income, benefits, also):  # pragma: no cover (compiled)
    """:func:`receive` for a payment to ``rows`` only (``paid[j]`` to household ``rows[j]``)."""
    tally = also.size > 0
    for j in range(paid.size):
        r = rows[j]
        income[r] += paid[j]
        benefits[r] += paid[j]
        if tally:
            also[r] += paid[j]


@_jit
def receive_at(rows, amount, income, benefits):  # pragma: no cover (compiled)
    """The same ``amount`` paid to each of ``rows``, as income and benefit."""
    for j in range(rows.size):
        income[rows[j]] += amount
        benefits[rows[j]] += amount


@_jit
def earn(income, earning, disaster_loss):  # pragma: no cover (compiled)
    """``income += earning * (1 - disaster_loss)``: a project's month after the year's disaster."""
    for i in range(income.size):
        income[i] += earning[i] * (1.0 - disaster_loss[i])


@_jit
def project_base(at, grant, return_rate, village, market, started, base, start):  # pragma: no cover (compiled)
    """The year's fixed part of each running project's month (by position in ``at``): ``base = grant *
    return_rate * market`` (``market`` the factor of each village, ``village`` each household's) and the month
    it ``start``ed: what :func:`ramp_up` reads each month instead of gathering them from the households again."""
    for j in range(at.size):
        r = at[j]
        base[j] = grant[r] * return_rate * market[village[r]]
        start[j] = started[r]


@_jit
def ramp_up(young, t, start, base, ramp_months, earning):  # pragma: no cover (compiled)
    """A project's monthly earnings while it ramps up (share ``(t - start + 1) / ramp_months``, at
    most 1): ``earning[young] = grant * return_rate * market * ramp / 12``, its ``base`` (grant × return ×
    market, :func:`project_base`) and ``start`` by position in ``young``; returns how many still ramp."""
    k = 0
    for j in range(young.size):
        ramp = min(1.0, (t - start[j] + 1) / ramp_months)
        earning[young[j]] = base[j] * ramp / 12
        if ramp < 1.0:
            k += 1
    return k


@_jit
def interest_due(loan, interest_rate, subsidy_share, wanted):  # pragma: no cover (compiled)
    """The interest the government pays this month on each ``loan`` (the borrowers', by position), into ``wanted``."""
    for j in range(loan.size):
        wanted[j] = loan[j] * interest_rate / 12 * subsidy_share


@_jit
def repay(a, loan, ret, failed, left, months_left, interest_rate, paid, expense, disaster_loss, income, outlay,
          principal_share, months):  # pragma: no cover (compiled)
    """A month of each loan of ``a`` (its ``loan``, ``ret``, ``failed`` and months ``left`` by position in ``a``):
    the interest not ``paid`` by the government to expense, a working project's return to income after the
    year's disaster, a failed one's principal (its ``principal_share``, the rest is the risk fund's) over
    ``months`` to outlay, a month off the term (in ``left`` and the households' ``months_left``); returns
    whether any loan ended (at 0 months left)."""
    ended = False
    for j in range(a.size):
        r = a[j]
        interest = loan[j] * interest_rate / 12
        expense[r] += interest - paid[j]
        if failed[j]:
            income[r] += 0.0
            outlay[r] += loan[j] * principal_share / months
        else:
            income[r] += loan[j] * ret[j] / 12 * (1.0 - disaster_loss[r])
            outlay[r] += 0.0
        k = left[j] - 1
        left[j] = k
        months_left[r] = k
        if k <= 0:
            ended = True
    return ended



@_jit
def dibao_need(category, wubao, wubao_standard, standard, size, means, covered, entitled, need,
               topup):  # pragma: no cover (compiled)
    """低保's January top-up in one pass (:meth:`.policies.dibao.Dibao.year_start`, operation by operation):
    ``need = max((wubao_standard if 五保 else standard) * size - means, 0)``, ``topup = need`` where covered or
    五保 and entitled, else 0."""
    for i in range(need.size):
        w = category[i] == wubao
        x = (wubao_standard if w else standard) * size[i] - means[i]
        x = x if x >= 0.0 else 0.0  # np.maximum(x, 0.0)
        need[i] = x
        topup[i] = x if covered[i] | (w & entitled[i]) else 0.0


@_jit
def phase_out(start, topup, monthly, phase, phase_left, months):  # pragma: no cover (compiled)
    """低保's year: where 渐退 starts (``start``), last year's ``monthly`` top-up is kept as ``phase`` for
    ``months``; a household topped up again leaves its phase-out; then ``monthly = topup / 12``."""
    for i in range(topup.size):  # branch-free (selects: the flags are mixed, a branch would be mispredicted)
        t, s, kept, left, was = topup[i], start[i], phase[i], phase_left[i], monthly[i]  # (every load first)
        kept = 0.0 if t > 0 else kept
        left = 0 if t > 0 else left
        phase[i] = was if s else kept
        phase_left[i] = months if s else left
        monthly[i] = t / 12


@_jit
def phase_month(rows, monthly, phase, left, phase_left, amounts):  # pragma: no cover (compiled)
    """低保's month for ``rows`` (their ``monthly`` top-up, kept ``phase`` and its months ``left`` by position in
    ``rows``): ``amounts = monthly``, plus ``phase`` where 渐退 has months left (one fewer now, in ``left`` and the
    households' ``phase_left``). The other households ask nothing: their top-up is 0, no 渐退 left."""
    for j in range(rows.size):
        a = monthly[j]
        k = left[j]
        if k > 0:
            a = a + phase[j]
            left[j] = k - 1
            phase_left[rows[j]] = k - 1
        amounts[j] = a


@_jit
def phase_month_paid(rows, monthly, phase, left, phase_left, amounts, income, benefits,
                     also):  # pragma: no cover (compiled)
    """:func:`phase_month` and, in the same pass, the payment in full (:func:`receive_rows`): for a lever
    no cap can cut (the ledger then pays the request as it is)."""
    for j in range(rows.size):
        r = rows[j]
        a = monthly[j]
        k = left[j]
        if k > 0:
            a = a + phase[j]
            left[j] = k - 1
            phase_left[r] = k - 1
        amounts[j] = a
        income[r] += a
        benefits[r] += a
        also[r] += a
