"""Registry import: Chinese or English headers, UTF-8 (with BOM) or GBK, Excel; bad rows reported
by line, nothing half-imported; personal identifiers never stored."""

from pathlib import Path

import pandas as pd
import pytest

from conftest import ROOT
from tuopin.cli import main
from tuopin.inputs.registry import RegistryError, read_registry

EXAMPLE = ROOT / "examples" / "registry_example.csv"
HEADER = "户编码,户主姓名,身份证号,人口数,贫困户属性,主要致贫原因,年人均纯收入,危房等级,是否参合\n"


def _write(tmp_path, text, encoding="utf-8", name="reg.csv") -> Path:
    p = tmp_path / name
    p.write_bytes(text.encode(encoding))
    return p


def test_example_imports_and_drops_personal_columns(tmp_path, capsys):
    out = tmp_path / "pop.parquet"
    assert main(["import-registry", str(EXAMPLE), "--out", str(out)]) == 0
    df = pd.read_parquet(out)
    assert len(df) == 40 and set(df["category"]) <= {"wubao", "dibao", "fupin_dibao", "fupin"}
    assert not {"户主姓名", "身份证号", "联系电话"} & set(df.columns)
    raw = out.read_bytes()
    assert "户主".encode() not in raw and b"00000000000" not in raw
    assert "dropped personal columns" in capsys.readouterr().out


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk"])
def test_encodings(tmp_path, encoding):
    p = _write(tmp_path, HEADER + "H1,张三,110101199001011234,3,一般贫困户,因病,2500,C,是\n", encoding)
    h = read_registry(p).households
    assert h.loc[0, "household_id"] == "H1" and h.loc[0, "cause"] == "illness" and h.loc[0, "housing"] == 1
    assert h.loc[0, "insured"] and "张三" not in h.to_csv()


def test_english_headers_and_codes(tmp_path):
    p = _write(tmp_path, "household_id,name,people,category,cause,income_per_capita\nA,x,2,dibao,1,1800\nB,y,4,fupin,9,3100\n")
    h = read_registry(p).households
    assert h["cause"].tolist() == ["illness", "lack_funds"] and "name" not in h


def test_excel(tmp_path):
    df = pd.read_csv(EXAMPLE, dtype=str)
    df.to_excel(tmp_path / "reg.xlsx", index=False)
    assert len(read_registry(tmp_path / "reg.xlsx").households) == 40


def test_missing_columns_one_message(tmp_path, capsys):
    p = _write(tmp_path, "户编码,人口数\nH1,3\n")
    assert main(["import-registry", str(p), "--out", str(tmp_path / "pop.parquet")]) == 2
    err = capsys.readouterr().err
    assert "missing columns category, cause, income_per_capita" in err and "贫困户属性" in err
    assert not (tmp_path / "pop.parquet").exists()


BAD_ROWS = (HEADER + "H1,a,1,3,一般贫困户,因病,2500,C,是\n" + "H1,b,1,2,低保户,因残,1800,A,是\n"
            + "H3,c,1,0,一般贫困户,因病,2500,B,是\n" + "H4,d,1,3,富裕户,因病,2500,B,是\n"
            + "H5,e,1,3,一般贫困户,运气不好,2500,B,是\n" + "H6,f,1,3,一般贫困户,因病,-5,B,是\n"
            + "H7,g,1,3,一般贫困户,因病,2500,E,也许\n" + "H8,h,1,3,一般贫困户,因学,2900,D,否\n")


def test_bad_rows_refused_whole_with_lines(tmp_path, capsys):
    p = _write(tmp_path, BAD_ROWS, "gbk")
    out = tmp_path / "pop.parquet"
    assert main(["import-registry", str(p), "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert "7 of 8 rows cannot be used" in err and "nothing was imported" in err
    for line, words in ((2, "repeated"), (3, "repeated"), (4, "whole number"), (5, "贫困户属性"), (6, "致贫原因"),
                        (7, "income"), (8, "危房等级")):
        assert f"line {line}: " in err and words in err.split(f"line {line}: ")[1].split("\n")[0], line
    assert "是否参合" in err.split("line 8: ")[1]
    assert not out.exists() and "Traceback" not in err
    assert "110101" not in err and "张三" not in err


def test_skip_bad_rows_imports_the_rest_and_lists_them(tmp_path):
    p = _write(tmp_path, BAD_ROWS)
    out = tmp_path / "pop.parquet"
    assert main(["import-registry", str(p), "--out", str(out), "--skip-bad-rows"]) == 0
    assert pd.read_parquet(out)["household_id"].tolist() == ["H8"]
    bad = pd.read_csv(tmp_path / "pop.bad_rows.csv")
    assert bad["line"].tolist() == [2, 3, 4, 5, 6, 7, 8]


def test_unreadable_files(tmp_path):
    with pytest.raises(RegistryError, match="no such file"):
        read_registry(tmp_path / "nope.csv")
    p = tmp_path / "junk.csv"
    p.write_bytes(bytes(range(256)) * 20)
    with pytest.raises(RegistryError):
        read_registry(p)


def test_a_scenario_runs_on_an_imported_registry(tmp_path):
    from tuopin import PovertyModel, ScenarioError, load_scenario

    pop = tmp_path / "pop.parquet"
    assert main(["import-registry", str(EXAMPLE), "--out", str(pop)]) == 0
    reg = pd.read_parquet(pop)
    scen = tmp_path / "county.toml"
    scen.write_text(f'extends = "{ROOT / "scenarios" / "jingzhou_2015_2018.toml"}"\nname = "county"\n'
                    '[targets.people]\n2015 = 50\n2016 = 40\n2017 = 20\n2018 = 20\n'
                    '[population]\nregistry = "pop.parquet"\npoor_villages = 2\nvillages = 6\nrural_people = 5000\n'
                    'households = 40\npeople = ' + str(int(reg["people"].sum())) + "\n")
    s = load_scenario(scen)
    assert s.spec.population.households == 40
    m = PovertyModel(scenario=s, rng=1)
    reg_rows = m.hh.category > 0
    assert reg_rows.sum() == 40 and m.hh.size[reg_rows].sum() == reg["people"].sum()
    assert (m.hh.housing[:40] == reg["housing"].to_numpy()).all()
    income = (m.hh.wage_local + m.hh.wage_migrant + m.hh.farm + m.hh.transfer + m.hh.property)[:40] / m.hh.size[:40]
    assert income == pytest.approx(reg["income_per_capita"].to_numpy())
    m.run()
    assert len(m.annual) == 4
    scen.write_text(scen.read_text().replace("households = 40", "households = 41"))
    with pytest.raises(ScenarioError, match="population.households: must match the registry"):
        load_scenario(scen)
