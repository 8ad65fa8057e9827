"""Tables as people read them, applied as a table is written (the analysis keeps full precision):
whole people and households as integers, yuan as whole yuan (never scientific notation), shares
and probabilities as fractions, and no column that is empty in every row. The units of every
column are in docs/outputs.md."""

from __future__ import annotations

import numpy as np
import pandas as pd

# columns that are fractions, probabilities or ratios (kept as decimals); everything numeric else
# is a count of people, households, villages or months, or an amount of yuan
FRACTIONS = ("share", "_rate", "p_meet", "p_relapse", "survival", "utilisation", "margin", "progress",
             "chronic_illness", "school_dropout", "unsafe_housing", "fraction", "doudi_paid", "intensity")  # at_risk.csv's flags: means over replicates
TEN_THOUSANDS = ("_10k",)  # 万 units (compare.csv's spend, the calibration series): one decimal


def FLOAT_FORMAT(v: float) -> str:
    """Six significant digits (one decimal from 100,000 up), never in scientific notation (for
    ``DataFrame.to_csv``)."""
    if abs(v) >= 1e5:
        return np.format_float_positional(v, precision=1, unique=True, fractional=True, trim="-")
    return np.format_float_positional(v, precision=6, unique=True, fractional=False, trim="-")


def kind(column: str) -> str:
    """``fraction``, ``ten_thousands`` or ``whole`` (people, households, villages, months, years, yuan)."""
    if any(m in column for m in TEN_THOUSANDS):
        return "ten_thousands"
    if any(m in column for m in FRACTIONS) and "yuan" not in column:
        return "fraction"
    return "whole"


def for_people(df: pd.DataFrame) -> pd.DataFrame:
    """``df`` with whole quantities rounded to integers (missing values kept empty), 万 amounts to
    one decimal, and columns empty in every row dropped."""
    out = df.copy()
    if len(out):
        out = out.loc[:, out.notna().any()]
    for col in out.columns:
        s = out[col]
        if not pd.api.types.is_numeric_dtype(s) or pd.api.types.is_bool_dtype(s):
            continue
        k = kind(col)
        if k == "whole":
            out[col] = s.round().astype("Int64")
        elif k == "ten_thousands":
            out[col] = s.round(1)
    return out
