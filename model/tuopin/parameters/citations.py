"""Where a catalog value comes from: structured citations and the policy documents they cite.

A catalog ``source`` is an array of citation tables, each of exactly one kind: a policy
``document`` (by key, with the clause and what it says), a published ``statistic`` (publisher and
year), an ``evaluation`` (a study), a ``data`` file in the repository's ``data/`` folder, or an
``assumption`` (why the value was chosen). The documents are listed once, here, so a title or
date is written in one place and every citation renders it the same way (docs/sources.md
describes each document and what the model takes from it).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Document:
    title: str   # the title as issued, without 《》
    issuer: str
    date: str    # ISO date, or an approximate one ("c. 2017")
    short: str   # how prose refers to it after the first full mention


DOCUMENTS: dict[str, Document] = {
    "jingzhou_decision": Document('关于实施精准扶贫加快推进"三年扶贫攻坚行动"的决定', "中共荆州市委 荆州市人民政府",
                                  "2015-10-17", "the Jingzhou decision"),
    "precise_exit_briefing": Document("精准扶贫精准退出政策传达", "a provincial poverty-alleviation office, unnamed",
                                      "c. 2017-07", "the precise-exit briefing"),
    "mukainaoer_plan": Document("2016年精准扶贫脱贫工作实施方案", "木凯淖尔镇人民政府, 木政发〔2016〕10号",
                                "2016-04-20", "the Mukainaoer 2016 plan"),
    "shanxi_village_plan": Document("关于加快推进贫困村提升工程的实施意见", "Shanxi province", "c. 2017",
                                    "the Shanxi poor-village plan"),
    "hebei_guidance": Document("关于统筹推进非贫困县、非贫困村脱贫攻坚工作的指导意见", "河北省扶贫开发和脱贫工作领导小组",
                               "reported 2019-03-20", "the Hebei 2019 guidance"),
    "doudi_2018_opinion": Document("关于在脱贫攻坚三年行动中切实做好社会救助兜底保障工作的实施意见",
                                   "民政部 财政部 国务院扶贫办", "2018", "the 2018 兜底 opinion"),
    "provincial_assessment_measures": Document("省级党委和政府扶贫开发工作成效考核办法", "中共中央办公厅 国务院办公厅",
                                               "2016-02", "the provincial assessment measures"),
    "monitoring_guidance": Document("关于建立防止返贫监测和帮扶机制的指导意见", "国务院扶贫开发领导小组",
                                    "reported 2020-03", "the monitoring guidance"),
    "health_three_year_plan": Document("健康扶贫三年攻坚行动实施方案",
                                       "国家卫生健康委 国家发展改革委 财政部 国家医保局 国务院扶贫办 (recalled)",
                                       "2018-10", "the 2018 health three-year plan"),
}

# each kind's key holds its reference; the fields it also needs (all text but a statistic's year)
KINDS: dict[str, tuple[str, ...]] = {
    "document": ("clause", "says"),
    "statistic": ("publisher", "year", "says"),
    "evaluation": ("says",),
    "data": ("says",),
    "assumption": (),
}


@dataclass(frozen=True)
class Citation:
    kind: str      # one of KINDS
    ref: str       # the document key, statistic title, study, data file, or the assumption's reason
    clause: str = ""
    says: str = ""
    publisher: str = ""
    year: int | None = None

    def text(self) -> str:
        """The citation as a reader sees it, e.g. ``《title》 (issuer, date) §二(五)3: says``."""
        if self.kind == "document":
            d = DOCUMENTS[self.ref]
            return f"《{d.title}》 ({d.issuer}, {d.date}) {self.clause}: {self.says}"
        if self.kind == "statistic":
            return f"{self.publisher} ({self.year}), {self.ref}: {self.says}"
        if self.kind == "data":
            return f"data/{self.ref}: {self.says}"
        if self.kind == "evaluation":
            return f"{self.ref}: {self.says}"
        return f"assumption: {self.ref}"


def citations(name: str, raw: object) -> tuple[Citation, ...]:
    """The citations of parameter ``name`` from its TOML ``source``, checked: a non-empty array of
    tables, each of exactly one kind with that kind's fields and no others, documents by a known
    key. Anything else is a ValueError naming the parameter."""
    if not isinstance(raw, list) or not raw:
        raise ValueError(f"parameter {name}: source must be a non-empty array of citation tables, got {raw!r}")
    return tuple(_citation(name, i, t) for i, t in enumerate(raw, 1))


def _citation(name: str, i: int, t: object) -> Citation:
    where = f"parameter {name}: source citation {i}"
    if not isinstance(t, dict):
        raise ValueError(f"{where} must be a table like {{ assumption = \"why\" }}, got {t!r}")
    kinds = [k for k in KINDS if k in t]
    if len(kinds) != 1:
        raise ValueError(f"{where} must have exactly one of {', '.join(KINDS)}; it has {len(kinds)} ({t!r})")
    kind = kinds[0]
    needed = KINDS[kind]
    extra = sorted(set(t) - {kind, *needed})
    if extra:
        raise ValueError(f"{where}: a {kind} citation takes {', '.join((kind, *needed))}, not {', '.join(extra)}")
    for field in (kind, *needed):
        value = t.get(field)
        ok = (isinstance(value, int) and not isinstance(value, bool)) if field == "year" else \
            (isinstance(value, str) and value.strip() != "")
        if not ok:
            what = "a whole-number year" if field == "year" else "non-empty text"
            raise ValueError(f"{where}: a {kind} citation needs {field} ({what}), got {value!r}")
    if kind == "document" and t["document"] not in DOCUMENTS:
        raise ValueError(f"{where}: unknown document {t['document']!r} (known: {', '.join(DOCUMENTS)})")
    return Citation(kind, t[kind], clause=t.get("clause", ""), says=t.get("says", ""),
                    publisher=t.get("publisher", ""), year=t.get("year"))
