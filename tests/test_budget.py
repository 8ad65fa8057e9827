"""The ledger: spend never exceeds a cap; past it, whole households are paid poorest first."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tuopin.sim.budget import SOURCES, Ledger


def test_pays_in_full_under_the_cap():
    led = Ledger([2016], ["housing"], caps={"housing": 1000})
    paid = led.pay("housing", 2016, 3, np.array([100.0, 200.0, 0.0]))
    assert paid.tolist() == [100, 200, 0] and led.spent(2016) == 300 and led.room(2016, "housing") == 700


def test_priority_whole_households_and_shortfall():
    led = Ledger([2016], ["housing"], caps={"housing": 500})
    amounts = np.array([300.0, 300.0, 200.0, 100.0])
    priority = np.array([4.0, 1.0, 3.0, 2.0])          # household 1 is poorest, then 3, 2, 0
    paid = led.pay("housing", 2016, 1, amounts, priority)
    assert paid.tolist() == [0, 300, 0, 100]            # 300 + 100 fit; the next (200) would not
    f = led.frame()
    assert f["spend_yuan"].sum() == 400 and f["shortfall_yuan"].sum() == 500


def test_total_cap_and_sources():
    led = Ledger([2016, 2017], ["a", "b"], caps={"total": 1000}, sources={"a": {"central": 0.25, "county": 0.75}})
    led.pay("a", 2016, 1, np.array([800.0]))
    assert led.pay("b", 2016, 1, np.array([300.0]))[0] == 0   # only 200 left in 2016
    assert led.pay("b", 2017, 1, np.array([300.0]))[0] == 300  # caps are per year
    f = led.frame().set_index(["year", "lever", "source"])["spend_yuan"]
    assert f[(2016, "a", "central")] == 200 and f[(2016, "a", "county")] == 600
    assert set(led.frame()["source"]) <= set(SOURCES)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.lists(st.floats(0, 5e4), min_size=1, max_size=30), min_size=1, max_size=12),
       st.floats(0, 3e5), st.floats(0, 5e5))
def test_spend_never_exceeds_caps(payments, cap, total):
    led = Ledger([2016], ["a", "b"], caps={"a": cap, "total": total})
    for i, amounts in enumerate(payments):
        lever = "a" if i % 2 else "b"
        paid = led.pay(lever, 2016, 1 + i % 12, np.array(amounts), np.arange(len(amounts))[::-1].astype(float))
        assert ((paid == 0) | (paid == np.array(amounts))).all()   # whole households only
    assert led.spent(2016, "a") <= cap + 1e-6
    assert led.spent(2016) <= total + 1e-6


@pytest.mark.parametrize("cap", [np.inf, 5_000.0, 0.0])
def test_paying_a_few_rows_books_what_the_full_array_books(cap):
    """``size``: a short request at ascending rows is booked (request, spend, who is paid under a cap)
    exactly as the full-length array that is zero elsewhere."""
    rng = np.random.default_rng(10)  # (a seed where the short array's own sum differs in the last bit)
    n = 20_000
    full = np.zeros(n)
    rows = np.sort(rng.choice(n, 700, replace=False))
    full[rows] = rng.lognormal(3, 1, rows.size)
    priority = rng.random(n)
    a, b = (Ledger([2016], ["credit"], {"credit": cap}) for _ in range(2))
    paid_full = a.pay("credit", 2016, 3, full, priority)
    paid_rows = b.pay("credit", 2016, 3, full[rows], priority, at=rows, size=n)
    np.testing.assert_array_equal(paid_full[rows], paid_rows)
    np.testing.assert_array_equal(a.spend, b.spend)
    np.testing.assert_array_equal(a.requested, b.requested)
    assert full.sum() != full[rows].sum()  # the short array's own sum differs: the case this guards
