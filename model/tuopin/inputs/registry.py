"""Import a 建档立卡 registry export (CSV or Excel, Chinese or English headers) into the model's
household fields, and check it row by row.

Personal identifiers (姓名, 身份证号, 电话 …, recognised by header words) and every column the model
does not use are dropped the moment the file is read, and listed: they never reach the model, the
results or any message. A kept code column (户编码, 村编码, 县编码) holding values shaped like an ID
card number (18 digits with a valid check character, or 15 digits, with a birth date) or a mobile
number (11 digits, 1[3-9]…) is refused with the column and line, unless ``hash_ids`` replaces every
kept code by a salted hash (the salt is random and not stored: codes stay distinct within the file,
and cannot be looked up). Every row that cannot be used is reported with its
line number and reason; by default a registry with bad rows is refused whole (nothing
half-imported), and ``skip_bad_rows`` imports the good rows and reports the rest.
"""

from __future__ import annotations

import hashlib
import hmac
import io
import re
import secrets
from dataclasses import dataclass, field
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
# header words that mark a personal column under any other header (户主身份证, 开户银行账号, Head name …)
PERSONAL_WORDS = ("姓名", "名字", "身份证", "证件", "电话", "手机", "联系方式", "住址", "地址", "银行", "账号", "卡号",
                  "name", "phone", "mobile", "tel", "id_card", "idcard", "id_no", "id_number", "identity",
                  "address", "bank", "account", "email", "邮箱", "微信", "wechat", "qq")
CODE_COLUMNS = ("household_id", "village", "county")  # kept text codes, checked for personal-data shapes
_ID18 = re.compile(r"\d{6}(18|19|20)\d{2}(0[1-9]|1[0-2])(0[1-9]|[12]\d|3[01])\d{3}[\dX]")
_ID15 = re.compile(r"\d{6}\d{2}(0[1-9]|1[0-2])(0[1-9]|[12]\d|3[01])\d{3}")
_PHONE = re.compile(r"(\+?86)?1[3-9]\d{9}")
_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
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
    dropped_unused: list[str] = field(default_factory=list)  # other headers the model does not use
    hashed: list[str] = field(default_factory=list)  # code columns replaced by salted hashes (hash_ids)


def personal_shape(value: str) -> str | None:
    """'an ID card number' or 'a mobile number' when ``value`` has that shape (spaces and dashes
    ignored), else None."""
    v = re.sub(r"[\s\-]", "", value).upper()
    if _ID18.fullmatch(v) and "10X98765432"[sum(int(d) * w for d, w in zip(v, _ID_WEIGHTS)) % 11] == v[17]:
        return "an ID card number"
    if _ID15.fullmatch(v):
        return "an old 15-digit ID card number"
    if _PHONE.fullmatch(v):
        return "a mobile phone number"
    return None


def _is_personal(header) -> bool:
    key = str(header).strip().lower()
    if key in PERSONAL:
        return True
    if any(key in (a.lower() for a in aliases) for aliases in COLUMNS.values()):
        return False
    return any(w in key for w in PERSONAL_WORDS) or key.endswith(("_id_no", "身份"))


def _read(path: Path) -> pd.DataFrame:
    if path.suffix.lower() in (".xlsx", ".xls", ".xlsm"):
        return pd.read_excel(path, dtype=str).fillna("")
    raw = path.read_bytes()
    for encoding in ("utf-8-sig", "gb18030"):  # UTF-8 (with or without BOM), then GBK/GB18030 exports
        try:
            return pd.read_csv(io.StringIO(raw.decode(encoding)), dtype=str, keep_default_na=False)
        except UnicodeDecodeError:
            continue
    raise RegistryError(path, "cannot decode the file: it is neither UTF-8 nor GBK/GB18030 text")


def read_registry(path: str | Path, skip_bad_rows: bool = False, hash_ids: bool = False) -> Imported:
    path = Path(path)
    if not path.is_file():
        raise RegistryError(path, "no such file")
    try:
        df = _read(path)
    except RegistryError:
        raise
    except Exception as e:  # noqa: BLE001 - pandas, openpyxl, zipfile, csv: any unreadable file is one message
        text = (str(e).splitlines() or [type(e).__name__])[0][:200]
        raise RegistryError(path, f"cannot read it as CSV (UTF-8 or GBK) or Excel (.xlsx) ({text})") from None
    if not isinstance(df.index, pd.RangeIndex):  # pandas moves the surplus of a too-long row into the index
        raise RegistryError(path, "some rows have more cells than the header line (a stray comma or an unquoted "
                                  "text?); nothing was imported")
    if df.shape[1] == 0 or len(df) == 0:
        raise RegistryError(path, "has no rows under a header line")
    df.columns = [str(c) for c in df.columns]
    personal = [c for c in df.columns if _is_personal(c)]
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
    unused = [str(c) for c in df.columns if c not in rename]
    df = df[list(rename)].rename(columns=rename).astype(str)
    hashed = _personal_codes(path, df, seen, hash_ids)
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
    return Imported(good, bad_rows.reset_index(drop=True), [str(c) for c in personal], unused, hashed)


def _personal_codes(path: Path, df: pd.DataFrame, headers: dict, hash_ids: bool) -> list[str]:
    """Refuse ID- or phone-shaped values in the kept code columns, or (``hash_ids``) replace every
    code of those columns by a salted hash; the columns hashed."""
    if hash_ids:
        salt = secrets.token_bytes(32)
        cols = [c for c in CODE_COLUMNS if c in df]
        for c in cols:
            df[c] = [v if not v.strip() else "h" + hmac.new(salt, v.strip().encode(), hashlib.sha256).hexdigest()[:20]
                     for v in df[c]]
        return [str(headers[c]) for c in cols]
    for c in CODE_COLUMNS:
        if c not in df:
            continue
        v = df[c].str.replace(r"[\s\-]", "", regex=True).str.upper()
        candidates = np.flatnonzero((v.str.fullmatch(_ID18.pattern) | v.str.fullmatch(_ID15.pattern)
                                     | v.str.fullmatch(_PHONE.pattern)).to_numpy(bool))
        for i in candidates:  # only the values of the right shape are checked one by one
            shape = personal_shape(df[c].iloc[i])
            if shape:
                raise RegistryError(path, f"column {headers[c]!r} ({c}), line {i + 2}: the value looks like {shape}; "
                                          "personal data is not stored — use registry codes, or pass --hash-ids to "
                                          "replace every code by a salted hash")
    return []
