"""Import a 建档立卡 registry export (CSV or Excel, Chinese or English headers) into the model's
household fields, and check it row by row.

Personal identifiers (姓名, 身份证号, 电话 …) are dropped the moment the file is read: they never
reach the model, the results or any message. Every row that cannot be used is reported with its
line number and reason; by default a registry with bad rows is refused whole (nothing
half-imported), and ``skip_bad_rows`` imports the good rows and reports the rest.
"""

from __future__ import annotations

import io
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

# canonical column <- accepted headers (case and surrounding spaces ignored)
COLUMNS = {
    "household_id": ("户编码", "户编号", "家庭编号", "household_id", "household id", "hh_id"),
    "people": ("人口数", "家庭人口数", "家庭人口", "people", "household_size", "size"),
    "category": ("贫困户属性", "户属性", "category"),
    "cause": ("主要致贫原因", "致贫原因", "cause", "main_cause"),
    "income_per_capita": ("年人均纯收入", "人均纯收入", "人均收入", "income_per_capita", "net_income_per_capita"),
    "housing": ("危房等级", "住房等级", "住房安全等级", "housing", "housing_grade"),
    "insured": ("是否参合", "是否参加新农合", "参合", "insured"),
    "village": ("村编码", "行政村代码", "村代码", "village", "village_code"),
    "county": ("县编码", "县代码", "county", "county_code"),
}
REQUIRED = ("household_id", "people", "category", "cause", "income_per_capita")
PERSONAL = ("姓名", "户主姓名", "身份证号", "身份证号码", "证件号码", "联系电话", "电话", "手机号", "手机号码",
            "name", "head_name", "id_number", "id_card", "phone", "telephone", "mobile")
CATEGORY_VALUES = {"五保户": "wubao", "五保": "wubao", "特困": "wubao", "低保户": "dibao", "低保": "dibao",
                   "扶贫低保户": "fupin_dibao", "低保贫困户": "fupin_dibao", "扶贫低保": "fupin_dibao",
                   "一般贫困户": "fupin", "扶贫户": "fupin", "一般户": "fupin", "一般贫困": "fupin",
                   "wubao": "wubao", "dibao": "dibao", "fupin_dibao": "fupin_dibao", "fupin": "fupin"}
# names, and the national registry's numeric 致贫原因 codes
CAUSE_VALUES = {"因病": "illness", "因残": "disability", "因学": "schooling", "因灾": "disaster",
                "缺劳力": "lack_labour", "缺资金": "lack_funds", "缺技术": "lack_skills", "缺土地": "other",
                "缺水": "other", "交通条件落后": "other", "自身发展动力不足": "other", "其他": "other",
                "1": "illness", "2": "disability", "3": "schooling", "4": "disaster", "5": "other", "6": "other",
                "7": "lack_skills", "8": "lack_labour", "9": "lack_funds", "10": "other", "11": "other", "12": "other"}
CAUSE_VALUES.update({c: c for c in ("illness", "disability", "schooling", "disaster", "lack_labour", "lack_funds",
                                    "lack_skills", "other")})
HOUSING_VALUES = {"a": 0, "b": 0, "安全": 0, "safe": 0, "c": 1, "d": 2}
YES = {"是", "1", "yes", "y", "true", "已参合"}
NO = {"否", "0", "no", "n", "false", "未参合"}


class RegistryError(Exception):
    """The registry cannot be imported: one message naming the file, and the bad rows."""

    def __init__(self, file, message: str, rows: pd.DataFrame | None = None):
        self.file, self.rows = str(file), rows
        super().__init__(f"{file}: {message}")


@dataclass
class Imported:
    households: pd.DataFrame   # canonical columns, one row per usable household
    bad_rows: pd.DataFrame     # line, household_id, reasons
    dropped_personal: list[str]  # headers of personal columns that were dropped


def _read(path: Path) -> pd.DataFrame:
    if path.suffix.lower() in (".xlsx", ".xls"):
        return pd.read_excel(path, dtype=str)
    raw = path.read_bytes()
    for encoding in ("utf-8-sig", "gb18030"):  # UTF-8 (with or without BOM), then GBK/GB18030 exports
        try:
            return pd.read_csv(io.StringIO(raw.decode(encoding)), dtype=str, keep_default_na=False)
        except UnicodeDecodeError:
            continue
    raise RegistryError(path, "cannot decode the file: it is neither UTF-8 nor GBK/GB18030 text")


def read_registry(path: str | Path, skip_bad_rows: bool = False) -> Imported:
    path = Path(path)
    if not path.is_file():
        raise RegistryError(path, "no such file")
    try:
        df = _read(path)
    except (ValueError, OSError, pd.errors.ParserError) as e:
        raise RegistryError(path, f"cannot read it as CSV or Excel ({str(e).splitlines()[0][:200]})") from None
    personal = [c for c in df.columns if str(c).strip().lower() in PERSONAL]
    df = df.drop(columns=personal)  # identifiers go before anything else looks at the rows
    rename, seen = {}, {}
    for col in df.columns:
        key = str(col).strip().lower()
        for canon, aliases in COLUMNS.items():
            if key in (a.lower() for a in aliases):
                if canon in seen:
                    raise RegistryError(path, f"columns {seen[canon]!r} and {col!r} both give {canon}")
                rename[col], seen[canon] = canon, col
    missing = [c for c in REQUIRED if c not in seen]
    if missing:
        allowed = "; ".join(f"{c}: {' / '.join(COLUMNS[c])}" for c in missing)
        raise RegistryError(path, f"missing columns {', '.join(missing)} (accepted headers — {allowed})")
    df = df[list(rename)].rename(columns=rename)
    out = pd.DataFrame({"line": np.arange(len(df)) + 2})  # line 1 is the header
    reasons = [[] for _ in range(len(df))]

    def bad(mask, why):
        for i in np.flatnonzero(np.asarray(mask)):
            reasons[i].append(why)

    out["household_id"] = df["household_id"].astype(str).str.strip()
    bad(out["household_id"] == "", "household id is empty")
    dup = out["household_id"].duplicated(keep=False) & (out["household_id"] != "")
    bad(dup, "household id is repeated")
    people = pd.to_numeric(df["people"].str.strip(), errors="coerce")
    bad(~((people >= 1) & (people <= 20) & (people == people.round())), "人口数/people must be a whole number 1-20")
    out["people"] = people
    cat = df["category"].str.strip().map(CATEGORY_VALUES)
    bad(cat.isna(), "unknown 贫困户属性/category (allowed: 五保户, 低保户, 扶贫低保户, 一般贫困户)")
    out["category"] = cat
    cause = df["cause"].str.strip().str.lower().map(CAUSE_VALUES)
    bad(cause.isna(), "unknown 致贫原因/cause (a name such as 因病 or a national code 1-12)")
    out["cause"] = cause
    income = pd.to_numeric(df["income_per_capita"].str.strip().str.replace(",", ""), errors="coerce")
    bad(~((income >= 0) & (income <= 200_000)), "年人均纯收入/income must be a number between 0 and 200,000 yuan")
    out["income_per_capita"] = income
    if "housing" in df:
        grade = df["housing"].str.strip().str.lower().str.removesuffix("级").map(HOUSING_VALUES)
        bad(grade.isna() & (df["housing"].str.strip() != ""), "unknown 危房等级/housing (allowed: A, B, C, D)")
        out["housing"] = grade.fillna(0)
    if "insured" in df:
        v = df["insured"].str.strip().str.lower()
        bad(~(v.isin(YES) | v.isin(NO) | (v == "")), "是否参合/insured must be 是/否 (yes/no)")
        out["insured"] = v.isin(YES)
    for col in ("village", "county"):
        if col in df:
            out[col] = df[col].astype(str).str.strip()
    rows_bad = np.array([bool(r) for r in reasons])
    bad_rows = pd.DataFrame({"line": out["line"][rows_bad], "household_id": out["household_id"][rows_bad],
                             "reasons": ["; ".join(r) for r in reasons if r]})
    if rows_bad.any() and not skip_bad_rows:
        first = bad_rows.iloc[0]
        raise RegistryError(path, f"{rows_bad.sum()} of {len(out)} rows cannot be used (first: line {first['line']}: "
                                  f"{first['reasons']}); nothing was imported — fix them, or pass --skip-bad-rows",
                            bad_rows)
    good = out[~rows_bad].drop(columns="line").reset_index(drop=True)
    good["people"] = good["people"].astype(int)
    return Imported(good, bad_rows.reset_index(drop=True), [str(c) for c in personal])


def write_population(imported: Imported, out: str | Path) -> Path:
    """Write the households as Parquet (atomically), and the bad rows beside it when there are any."""
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{out.name}.", dir=out.parent)
    os.close(fd)
    try:
        imported.households.to_parquet(tmp, index=False)
        os.replace(tmp, out)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    report = out.with_name(out.stem + ".bad_rows.csv")
    if len(imported.bad_rows):
        imported.bad_rows.to_csv(report, index=False)
    return out
