"""The medical cost-sharing chain against hand calculations, and its invariants."""

from dataclasses import replace

import numpy as np
import pytest

from tuopin.parameters import resolve
from tuopin.parameters.typed import typed
from tuopin.sim.cost_sharing import BLOCK, MedicalParams, _shares, cost_sharing

# explicit test parameters, so the hand calculations do not move with the catalog defaults
P = MedicalParams(
    basic_deductible=500, basic_rate=0.6, basic_cap=150_000, poor_rate_bonus=0.05,
    chronic_outpatient_rate=0.5, chronic_outpatient_cap=3000,
    dabing_deductible=8000, dabing_deductible_poor=5000, dabing_rate1=0.5, dabing_rate2=0.6, dabing_rate3=0.7,
    dabing_tier1=50_000, dabing_tier2=100_000, dabing_cap=300_000, dabing_includes_chronic=False,
    dabing_chronic_cap=50_000, assistance_rate=0.5, assistance_deductible=0, assistance_cap=10_000,
    oop_cap_enabled=False, oop_cap=3000, poor_noncompliant_to_hospital=False,
)


def share(inp=0.0, chr_=0.0, nc=0.0, poor=False, insured=True, p=P):
    s = cost_sharing(np.array([inp]), np.array([chr_]), np.array([nc]), poor=np.array([poor]),
                     insured=np.array([insured]), p=p)
    return {k: float(v[0]) for k, v in s._asdict().items()}


def test_below_basic_deductible():
    s = share(400)                      # nothing above the 500 deductible
    assert s["basic"] == 0 and s["dabing"] == 0 and s["oop"] == 400


def test_between_deductibles():
    s = share(10_000)                   # basic = (10000-500)*0.6 = 5700; left 4300 < 8000
    assert s["basic"] == pytest.approx(5700) and s["dabing"] == 0 and s["oop"] == pytest.approx(4300)


def test_dabing_tier1():
    s = share(30_000)                   # basic = 29500*0.6 = 17700; left 12300; dabing = (12300-8000)*0.5 = 2150
    assert s["basic"] == pytest.approx(17700) and s["dabing"] == pytest.approx(2150)
    assert s["oop"] == pytest.approx(10150)


def test_dabing_tier2():
    s = share(200_000)                  # basic = 199500*0.6 = 119700; left 80300; excess 72300
    assert s["basic"] == pytest.approx(119_700)      # dabing = 50000*0.5 + 22300*0.6 = 25000 + 13380
    assert s["dabing"] == pytest.approx(38_380) and s["oop"] == pytest.approx(41_920)


def test_dabing_tier3_and_basic_cap():
    s = share(400_000)                  # basic = min(150000, 399500*0.6=239700) = 150000; left 250000
    assert s["basic"] == pytest.approx(150_000)      # excess 242000: 25000 + 30000 + 142000*0.7 = 154400
    assert s["dabing"] == pytest.approx(154_400) and s["oop"] == pytest.approx(95_600)


def test_dabing_cap():
    s = share(400_000, p=replace(P, dabing_cap=100_000))   # dabing capped at 100000; oop = 250000-100000
    assert s["dabing"] == pytest.approx(100_000) and s["oop"] == pytest.approx(150_000)


def test_poor_bonus_lower_deductible_and_assistance():
    s = share(30_000, poor=True)        # basic = 29500*0.65 = 19175; left 10825
    assert s["basic"] == pytest.approx(19_175)       # dabing = (10825-5000)*0.5 = 2912.5; left 7912.5
    assert s["dabing"] == pytest.approx(2912.5)      # assistance = 7912.5*0.5 = 3956.25
    assert s["assistance"] == pytest.approx(3956.25) and s["oop"] == pytest.approx(3956.25)
    assert s["oop"] < share(30_000)["oop"]           # the poor pay less than the non-poor


def test_bonus_alone_and_deductible_alone():
    assert share(10_000, poor=True)["basic"] == pytest.approx(6175)      # 9500*0.65 vs 9500*0.6
    q = replace(P, assistance_rate=0.0)
    assert share(20_000, p=q)["dabing"] == pytest.approx(150)            # left 8300: (8300-8000)*0.5
    assert share(20_000, poor=True, p=q)["dabing"] == pytest.approx(1162.5)  # 19500*.65=12675; left 7325: (7325-5000)*.5


def test_oop_cap_binds_and_does_not():
    on = replace(P, oop_cap_enabled=True)
    s = share(30_000, poor=True, p=on)  # after assistance 3956.25 left; the cap fund pays 956.25
    assert s["oop_cap_fund"] == pytest.approx(956.25) and s["oop"] == pytest.approx(3000)
    s = share(5000, poor=True, p=on)    # basic 2925, left 2075, assistance 1037.5: under the cap
    assert s["oop_cap_fund"] == 0 and s["oop"] == pytest.approx(1037.5)
    assert share(30_000, poor=False, p=on)["oop"] == pytest.approx(10_150)  # the cap is for the poor only


def test_assistance_cap():
    s = share(200_000, poor=True)       # basic = 199500*.65 = 129675; left 70325; excess 65325
    assert s["dabing"] == pytest.approx(34_195)      # 25000 + 15325*0.6 = 34195; left 36130
    assert s["assistance"] == pytest.approx(10_000) and s["oop"] == pytest.approx(26_130)


def test_uninsured():
    assert share(10_000, insured=False)["oop"] == 10_000
    s = share(10_000, poor=True, insured=False, p=replace(P, oop_cap_enabled=True))
    assert s["basic"] == 0 and s["dabing"] == 0     # assistance 5000, cap fund 2000, household 3000
    assert s["assistance"] == pytest.approx(5000) and s["oop_cap_fund"] == pytest.approx(2000) and s["oop"] == pytest.approx(3000)


def test_chronic_outpatient_in_and_out_of_dabing():
    s = share(chr_=4000)                # basic = min(3000, 4000*0.5) = 2000; not in 大病: oop 2000
    assert s["basic"] == pytest.approx(2000) and s["dabing"] == 0 and s["oop"] == pytest.approx(2000)
    q = replace(P, dabing_includes_chronic=True, assistance_rate=0.0)
    s = share(chr_=200_000, poor=True, p=q)          # basic 3000; base 197000; excess 192000
    assert s["dabing"] == pytest.approx(50_000)       # 25000+30000+92000*.7 = 119400, capped at 5万
    s = share(chr_=200_000, poor=True, p=replace(q, dabing_chronic_cap=-1))
    assert s["dabing"] == pytest.approx(119_400)      # the precise-exit briefing: the 5万 cap removed


def test_noncompliant_household_or_hospital():
    assert share(nc=1000, poor=True)["oop"] == 1000
    s = share(nc=1000, poor=True, p=replace(P, poor_noncompliant_to_hospital=True))
    assert s["hospital"] == 1000 and s["oop"] == 0
    assert share(nc=1000, poor=False, p=replace(P, poor_noncompliant_to_hospital=True))["oop"] == 1000


def _random(n=5000, seed=3):
    g = np.random.default_rng(seed)
    return (g.lognormal(9, 1.5, n) * (g.random(n) < 0.7), g.lognormal(7, 1, n) * (g.random(n) < 0.3),
            g.lognormal(7, 1, n) * (g.random(n) < 0.5), g.random(n) < 0.5, g.random(n) < 0.9)


@pytest.mark.parametrize("p", [P, replace(P, oop_cap_enabled=True, dabing_includes_chronic=True, poor_noncompliant_to_hospital=True)])
def test_shares_add_up_non_negative_and_vectorised(p):
    inp, chr_, nc, poor, ins = _random()
    s = cost_sharing(inp, chr_, nc, poor=poor, insured=ins, p=p)
    total = sum(s)
    np.testing.assert_allclose(total, inp + chr_ + nc, rtol=1e-12, atol=1e-6)
    assert all((v >= -1e-9).all() for v in s)
    for i in range(0, 5000, 499):
        one = cost_sharing(inp[i:i + 1], chr_[i:i + 1], nc[i:i + 1], poor=poor[i:i + 1], insured=ins[i:i + 1], p=p)
        assert all(np.allclose(a[i], b[0]) for a, b in zip(s, one))
    if p.oop_cap_enabled:
        compliant_oop = s.oop - np.where(poor & p.poor_noncompliant_to_hospital, 0, nc)
        assert (compliant_oop[poor] <= p.oop_cap + 1e-9).all()


@pytest.mark.parametrize("which", [0, 1, 2])
def test_oop_monotone_in_each_cost(which):
    inp, chr_, nc, poor, ins = _random(2000, 9)
    p = replace(P, oop_cap_enabled=True, dabing_includes_chronic=True)
    base = [inp, chr_, nc]
    more = [a.copy() for a in base]
    more[which] = more[which] + 1000.0
    a = cost_sharing(*base, poor=poor, insured=ins, p=p).oop
    b = cost_sharing(*more, poor=poor, insured=ins, p=p).oop
    assert (b >= a - 1e-9).all()


def test_params_from_catalog_defaults():
    p = MedicalParams.from_section(typed(resolve({})[0]).medical)
    assert (p.oop_cap, p.dabing_deductible, p.dabing_deductible_poor, p.poor_rate_bonus) == (3000, 8000, 5000, 0.05)


@pytest.mark.parametrize("p", [P, replace(P, oop_cap_enabled=True, dabing_includes_chronic=True, dabing_chronic_cap=5e4,
                                          poor_noncompliant_to_hospital=True),
                               replace(P, oop_cap_enabled=True, dabing_includes_chronic=True, dabing_chronic_cap=-1,
                                       self_pay_share=0.1, self_pay_in_force=0.5, oop_cap_share=0.75)])
def test_blocks_give_the_numbers_of_one_pass(p):
    """A household table longer than a block goes through the compiled chain (kernels.cost_shares),
    or in blocks when its arrays are not the model's types: every share the same to the bit as
    numpy's one pass over all of it (the chain is elementwise)."""
    n = 2 * BLOCK + 77
    inp, chr_, nc, poor, ins = _random(n, 11)
    inp[::3] = 0.0  # households with no cost at all, as most are in a month
    whole = _shares(inp, chr_, nc, poor, ins, p=p)
    for blocked in (cost_sharing(inp, chr_, nc, poor=poor, insured=ins, p=p),  # compiled
                    cost_sharing(inp, chr_, nc, poor=poor.astype(int), insured=ins, p=p)):  # numpy, in blocks
        for a, b in zip(blocked, whole):
            assert a.shape == (n,) and np.array_equal(a, b)


def test_self_pay_share_holds_the_poor_at_ten_percent():
    """健康扶贫三年攻坚 (2018-10): the poor pay at most 10 % of the whole cost, non-compliant included.
    30000 inpatient + 3000 non-compliant, poor: basic 29500*0.65 = 19175, left 10825; 大病 (10825-5000)*0.5
    = 2912.5, left 7912.5; assistance 7912.5*0.5 = 3956.25, left 3956.25; pays 3956.25 + 3000 = 6956.25 >
    0.1 * 33000 = 3300, so the fund pays 3656.25 and the household 3300. The non-poor pay as before."""
    p = replace(P, self_pay_share=0.1)
    s = share(30_000, nc=3000, poor=True, p=p)
    assert s["oop"] == pytest.approx(3300) and s["oop_cap_fund"] == pytest.approx(3656.25)
    assert sum(s.values()) == pytest.approx(33_000)
    assert share(30_000, nc=3000, p=p)["oop"] == pytest.approx(share(30_000, nc=3000)["oop"])
    # in its first year it covers the months in force: 3 of 12 from October
    q = replace(p, self_pay_in_force=0.25)
    assert share(30_000, nc=3000, poor=True, p=q)["oop"] == pytest.approx(6956.25 - 0.25 * 3656.25)


def test_self_pay_share_dated():
    p = typed(resolve({"medical.self_pay_share_from_year": 2018, "medical.self_pay_share_from_month": 10})[0]).medical
    assert MedicalParams.in_force(p, 2018, 9).self_pay_share == 1.0
    dec = MedicalParams.in_force(p, 2018, 12)
    assert dec.self_pay_share == p.self_pay_share and dec.self_pay_in_force == pytest.approx(3 / 12)
    assert MedicalParams.in_force(p, 2019, 12).self_pay_in_force == 1.0
