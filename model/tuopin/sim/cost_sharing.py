"""The medical cost-sharing chain as one pure, vectorised function.

Who pays a household's medical bill, step by step (the Jingzhou decision, 2015, §一(三)
医疗救助扶持一批; the precise-exit briefing §一(二)5 因病致贫返贫问题突出). Inputs are the year's
cumulative costs, so deductibles and caps are annual (in practice deductibles are per admission: an
approximation the model states). The model gets a month's payments as the difference of two calls;
every share is non-decreasing in each cost. Its parameters are the ``medical`` catalog section
(:meth:`MedicalParams.in_force` gives the rules of one year).

1. 新农合 (basic insurance), insured households only. Inpatient: ``(inpatient - basic_deductible)+
   x rate``, capped at ``basic_cap``, where ``rate = basic_rate (+ poor_rate_bonus for the poor)``
   (the Jingzhou decision: +5 percentage points for the registered poor from 2016). Chronic
   outpatient (门诊慢性病): ``chronic x chronic_outpatient_rate``, capped at ``chronic_outpatient_cap``.
2. 大病保险 (catastrophic insurance), insured only. Its base is the compliant cost left after basic
   insurance: inpatient, plus chronic outpatient when ``dabing_includes_chronic`` (the precise-exit
   briefing: 门诊慢性病纳入大病保险). Above the deductible (8000 yuan; 5000 for the poor, the Jingzhou
   decision) it pays ``rate1`` on the excess up to ``tier1``, ``rate2`` between ``tier1`` and
   ``tier2`` and ``rate3`` above, capped at ``dabing_cap``. The part paid for chronic costs (pro rata
   to the base) is capped at ``dabing_chronic_cap`` (5万); a negative value means no cap (the
   precise-exit briefing: 取消年内最高5万元限制).
3. 医疗救助 (medical assistance), poor only: ``(remaining compliant - assistance_deductible)+ x
   assistance_rate``, capped at ``assistance_cap``.
4. Out-of-pocket cap, poor only, when ``oop_cap_enabled``: the government pays the compliant cost
   still left above ``oop_cap`` (the precise-exit briefing: 个人自付合规医疗费用控制在3000元以内). In the
   year the cap starts (``oop_cap_from_month`` > 1) it covers only the months in force: the cost
   still left times ``oop_cap_share`` above the cap.
5. Non-compliant cost (目录外): the household pays it, except the poor when
   ``poor_noncompliant_to_hospital`` (the precise-exit briefing: 将贫困人口不合规费用控制为零,
   超额由医疗机构自行承担).
6. Self-pay share, poor only, from its date (健康扶贫三年攻坚, 2018-10): what the household would
   still pay, non-compliant cost included, is held at ``self_pay_share`` of the whole cost; the
   government pays the excess (with the cap's top-up). In its first year it covers the months in
   force (``self_pay_in_force``), as the cap does.
7. The household pays the rest. The shares add up to the total cost.
"""

from __future__ import annotations

from dataclasses import dataclass, fields, replace
from typing import NamedTuple

import numpy as np

from ..parameters.typed import MedicalSection
from . import kernels


@dataclass(frozen=True)
class MedicalParams:
    """The chain's parameters for one year (the model resolves year-dependent values)."""

    basic_deductible: float
    basic_rate: float
    basic_cap: float
    poor_rate_bonus: float
    chronic_outpatient_rate: float
    chronic_outpatient_cap: float
    dabing_deductible: float
    dabing_deductible_poor: float
    dabing_rate1: float
    dabing_rate2: float
    dabing_rate3: float
    dabing_tier1: float
    dabing_tier2: float
    dabing_cap: float
    dabing_includes_chronic: bool
    dabing_chronic_cap: float
    assistance_rate: float
    assistance_deductible: float
    assistance_cap: float
    oop_cap_enabled: bool
    oop_cap: float
    poor_noncompliant_to_hospital: bool
    self_pay_share: float = 1.0  # the most the poor pay of the whole cost (1: no such rule)
    oop_cap_share: float = 1.0  # share of the year's compliant cost the cap covers (below 1 in the year it starts)
    self_pay_in_force: float = 1.0  # share of the year the self-pay rule covers (below 1 in the year it starts)

    @classmethod
    def from_section(cls, p: MedicalSection) -> "MedicalParams":
        """From the ``medical`` catalog section (its lever fields are not the chain's: left out)."""
        return cls(**{f.name: getattr(p, f.name) for f in fields(cls)
                      if f.name not in ("oop_cap_share", "self_pay_in_force")})

    @classmethod
    def in_force(cls, p: MedicalSection, year: int, month: int = 12) -> "MedicalParams":
        """The rules in force for the costs of ``year`` up to ``month``: the poor-specific ones only
        from their start years; the out-of-pocket cap from its month (in its first year it covers the
        share of the costs from that month on)."""
        mp = cls.from_section(p)
        if (year, month) < (p.oop_cap_from_year, p.oop_cap_from_month):
            mp = replace(mp, oop_cap_enabled=False)
        elif year == p.oop_cap_from_year and p.oop_cap_from_month > 1:
            mp = replace(mp, oop_cap_share=(month - p.oop_cap_from_month + 1) / month)
        if (year, month) < (p.self_pay_share_from_year, p.self_pay_share_from_month):
            mp = replace(mp, self_pay_share=1.0)
        elif year == p.self_pay_share_from_year and p.self_pay_share_from_month > 1:
            mp = replace(mp, self_pay_in_force=(month - p.self_pay_share_from_month + 1) / month)
        if year < p.poor_rate_bonus_from_year:
            mp = replace(mp, poor_rate_bonus=0.0)
        if year < p.dabing_poor_from_year:
            mp = replace(mp, dabing_deductible_poor=mp.dabing_deductible)
        return mp


class CostShares(NamedTuple):
    basic: np.ndarray         # 新农合
    dabing: np.ndarray        # 大病保险
    assistance: np.ndarray    # 医疗救助
    oop_cap_fund: np.ndarray  # government top-up enforcing the out-of-pocket cap and the self-pay share
    hospital: np.ndarray      # non-compliant cost absorbed by the hospital
    oop: np.ndarray           # paid by the household


def _tiered(excess: np.ndarray, p: MedicalParams) -> np.ndarray:
    t1, t2 = p.dabing_tier1, p.dabing_tier2
    return (p.dabing_rate1 * np.minimum(excess, t1)
            + p.dabing_rate2 * np.clip(excess - t1, 0.0, t2 - t1)
            + p.dabing_rate3 * np.maximum(excess - t2, 0.0))


# the chain's numbers as kernels.cost_shares takes them
KERNEL_PARAMS = ("basic_deductible", "basic_rate", "basic_cap", "poor_rate_bonus", "chronic_outpatient_rate",
                 "chronic_outpatient_cap", "dabing_deductible", "dabing_deductible_poor", "dabing_rate1", "dabing_rate2",
                 "dabing_rate3", "dabing_tier1", "dabing_tier2", "dabing_cap", "dabing_chronic_cap", "assistance_rate",
                 "assistance_deductible", "assistance_cap", "oop_cap", "self_pay_share", "oop_cap_share",
                 "self_pay_in_force")

BLOCK = 1 << 14  # households per block: a block's temporaries stay in the CPU cache


def cost_sharing(inpatient, chronic, noncompliant, *, poor, insured, p: MedicalParams) -> CostShares:
    """Each payer's share of the year's costs so far (arrays broadcast together). See the module doc.

    Household arrays longer than :data:`BLOCK` go through in blocks written into the six results:
    the same numbers (every step is elementwise) with a block's temporaries in place of twenty
    whole-length ones, which set the model's peak memory."""
    args = (inpatient, chronic, noncompliant, poor, insured)
    n = np.shape(inpatient)[0] if np.ndim(inpatient) == 1 else 0
    if n <= BLOCK or any(not isinstance(a, np.ndarray) or a.shape != (n,) for a in args):
        return _shares(*args, p=p)
    if all(a.dtype == float for a in args[:3]) and all(a.dtype == bool for a in args[3:]):
        # the model's households: the same chain in one compiled pass (kernels.cost_shares), no temporaries
        out = CostShares(*(np.empty(n) for _ in CostShares._fields))
        flags = np.array([p.dabing_includes_chronic, p.dabing_includes_chronic and p.dabing_chronic_cap >= 0,
                          p.oop_cap_enabled, p.poor_noncompliant_to_hospital, p.self_pay_share < 1.0])
        kernels.cost_shares(*args, np.array([getattr(p, k) for k in KERNEL_PARAMS], float), flags, *out)
        return out
    out = CostShares(*(np.empty(n) for _ in CostShares._fields))
    for lo in range(0, n, BLOCK):
        for whole, part in zip(out, _shares(*(a[lo:lo + BLOCK] for a in args), p=p)):
            whole[lo:lo + BLOCK] = part
    return out


def _shares(inpatient, chronic, noncompliant, poor, insured, *, p: MedicalParams) -> CostShares:
    inpatient, chronic, noncompliant = (np.asarray(a, float) for a in (inpatient, chronic, noncompliant))
    poor, ins = np.asarray(poor, bool), np.asarray(insured, float)
    # 1. basic insurance
    rate = np.minimum(1.0, p.basic_rate + np.where(poor, p.poor_rate_bonus, 0.0))
    basic_inp = np.minimum(p.basic_cap, np.maximum(inpatient - p.basic_deductible, 0.0) * rate) * ins
    basic_chr = np.minimum(p.chronic_outpatient_cap, chronic * p.chronic_outpatient_rate) * ins
    # 2. catastrophic insurance
    left_inp, left_chr = inpatient - basic_inp, (chronic - basic_chr) * p.dabing_includes_chronic
    base = left_inp + left_chr
    excess = np.maximum(base - np.where(poor, p.dabing_deductible_poor, p.dabing_deductible), 0.0)
    dabing = np.minimum(_tiered(excess, p), p.dabing_cap) * ins
    if p.dabing_includes_chronic and p.dabing_chronic_cap >= 0:
        chronic_part = dabing * np.divide(left_chr, base, out=np.zeros_like(base), where=base > 0)
        dabing = dabing - chronic_part + np.minimum(chronic_part, p.dabing_chronic_cap)
    left = inpatient + chronic - basic_inp - basic_chr - dabing
    # 3. medical assistance
    assistance = np.where(poor, np.minimum(p.assistance_cap,
                                           np.maximum(left - p.assistance_deductible, 0.0) * p.assistance_rate), 0.0)
    left = left - assistance
    # 4. the out-of-pocket cap
    cap_fund = np.where(poor & p.oop_cap_enabled, np.maximum(left * p.oop_cap_share - p.oop_cap, 0.0), 0.0)
    left = left - cap_fund
    # 5. non-compliant cost
    hospital = np.where(poor & p.poor_noncompliant_to_hospital, noncompliant, 0.0)
    pays = left + noncompliant - hospital
    # 6. the self-pay share
    if p.self_pay_share < 1.0:
        over = np.maximum(pays - p.self_pay_share * (inpatient + chronic + noncompliant), 0.0) * p.self_pay_in_force
        over = np.where(poor, over, 0.0)
        cap_fund, pays = cap_fund + over, pays - over
    return CostShares(basic_inp + basic_chr, dabing, assistance, cap_fund, hospital, pays)
