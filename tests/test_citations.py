"""Every catalog value says where it comes from, in citations a reader can follow; a malformed
citation is refused when the catalog is read, naming the parameter."""

import re

import pytest

from conftest import ROOT
from tuopin.parameters import catalog
from tuopin.parameters.citations import DOCUMENTS, Citation, citations


def test_every_parameter_cites_something_that_exists():
    for p in catalog().values():
        assert p.sources, p.name
        for c in p.sources:
            if c.kind == "document":
                assert c.ref in DOCUMENTS, p.name
            if c.kind == "data":
                assert (ROOT / "data" / c.ref).is_file(), (p.name, c.ref)
        assert not re.search(r"seed ?\d|shared/", p.source, re.I), p.name  # cite by title, not by file


def test_citations_render_for_readers():
    doc = Citation("document", "jingzhou_decision", clause="§二(五)3", says="5万元以内")
    assert doc.text() == '《关于实施精准扶贫加快推进"三年扶贫攻坚行动"的决定》 (中共荆州市委 荆州市人民政府, 2015-10-17) §二(五)3: 5万元以内'
    stat = Citation("statistic", "rural poverty monitoring report", says="4335万 poor at the end of 2016",
                    publisher="National Bureau of Statistics", year=2017)
    assert stat.text() == "National Bureau of Statistics (2017), rural poverty monitoring report: 4335万 poor at the end of 2016"
    assert Citation("assumption", "about 500 yuan a month").text() == "assumption: about 500 yuan a month"
    assert Citation("data", "national_series.csv", says="1240万 lifted out in 2016").text() == \
        "data/national_series.csv: 1240万 lifted out in 2016"
    assert Citation("evaluation", "A. Author (2020), A study", says="a finding").text() == "A. Author (2020), A study: a finding"


def test_a_parameter_source_is_its_citations_joined():
    p = catalog()["medical.oop_cap"]
    assert p.source == "《精准扶贫精准退出政策传达》 (a provincial poverty-alleviation office, unnamed, c. 2017-07) " \
                       "§一(二)5: 个人自付合规医疗费用控制在3000元以内"
    p = catalog()["dibao.exclusion_error"]
    assert [c.kind for c in p.sources] == ["document", "evaluation", "evaluation", "assumption"]
    assert "符合扶贫标准的低保人口没有纳入; Golan, Sicular and Umapathi (2017)" in p.source
    assert p.source.endswith("far fewer are missed: 0.15, plausible 0.05-0.3")


def test_toml_citations_are_read_and_checked():
    got = citations("a.b", [{"document": "hebei_guidance", "clause": "§1", "says": "x"},
                            {"statistic": "s", "publisher": "NBS", "year": 2016, "says": "y"},
                            {"assumption": "why"}])
    assert [c.kind for c in got] == ["document", "statistic", "assumption"]
    assert got[1].year == 2016
    bad = {
        "unknown document 'seed_000'": [{"document": "seed_000", "clause": "§1", "says": "x"}],
        "exactly one of": [{"says": "x"}],
        "it has 2": [{"assumption": "why", "data": "national_series.csv", "says": "x"}],
        "needs clause": [{"document": "jingzhou_decision", "says": "x"}],
        "needs year": [{"statistic": "s", "publisher": "NBS", "year": "2016", "says": "y"}],
        "not page": [{"data": "national_series.csv", "says": "x", "page": 3}],
        "non-empty array": "assumption: a plain string",
    }
    for message, raw in bad.items():
        with pytest.raises(ValueError, match=re.escape(message)) as e:
            citations("medical.oop_cap", raw)
        assert "medical.oop_cap" in str(e.value)
