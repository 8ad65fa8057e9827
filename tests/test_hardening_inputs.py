"""What validates, runs: the builder's limits live in the schema (people per household, shards,
registry villages, finite numbers, extends depth, text sizes); a variant can remove inherited
targets; personal data in kept registry columns is refused or hashed, and every dropped column is
listed."""

from __future__ import annotations

import json

import pandas as pd
import pyarrow.parquet as pq
import pytest

from conftest import SMALL
from tuopin.cli import main
from tuopin.inputs.registry import RegistryError, personal_shape, read_registry
from tuopin.inputs.scenario import ScenarioError, load_scenario


def _variant(tmp_path, text: str, name: str = "v.toml"):
    p = tmp_path / name
    p.write_text(f'extends = "{SMALL}"\n' + text, encoding="utf-8")
    return p


def _limits(tmp_path):
    """The most and fewest people the small scenario's 3,000 households can hold, from the message."""
    with pytest.raises(ScenarioError) as e:
        load_scenario(_variant(tmp_path, "[population]\npeople = 35999\n"))
    words = e.value.message.split()
    return int(words[4].replace(",", "")), int(words[6].replace(",", ""))


def test_people_per_household_within_what_the_builder_can_build(tmp_path):
    from tuopin import PovertyModel

    lo, hi = _limits(tmp_path)
    assert 3000 < lo < hi < 12 * 3000  # tighter than the schema's plain 12 per household
    for people in (lo, hi):  # the limits themselves build
        m = PovertyModel(scenario=load_scenario(_variant(tmp_path, f"[population]\npeople = {people}\n")))
        assert int(m.hh.size[:3000].sum()) == people
    for people in (lo - 1, hi + 1):
        with pytest.raises(ScenarioError, match="population.people: the builder can place"):
            load_scenario(_variant(tmp_path, f"[population]\npeople = {people}\n"))


def test_sampled_and_sharded_pieces_are_checked_too(tmp_path):
    lo, hi = _limits(tmp_path)
    with pytest.raises(ScenarioError, match="people"):  # fine whole, too many for one of its shards
        load_scenario(_variant(tmp_path, f"[population]\npeople = {hi}\n[shards.a]\nregion = \"A\"\nweight = 1\n"
                                         "[shards.b]\nregion = \"B\"\nweight = 1\n[population.category]\n"
                                         "wubao = 0.2\ndibao = 0.3\nfupin_dibao = 0.1\nfupin = 0.4\n"))
    for weight in ("inf", "nan", "1e-300", "-1", "0"):
        with pytest.raises(ScenarioError, match="shards.a.weight"):
            load_scenario(_variant(tmp_path, f"[shards.a]\nregion = \"A\"\nweight = {weight}\n[shards.b]\n"
                                             "region = \"B\"\nweight = 1\n"))


def test_every_number_finite(tmp_path):
    for text in ("[population]\nshare_in_poor_villages = nan\n", "[population]\nnear_poor_per_registered = inf\n",
                 "[poverty_line]\n2015 = nan\n", "[budget.cap]\ntotal = inf\n", "[parameters.medical]\noop_cap = nan\n",
                 "[population.cause]\nillness = inf\n"):
        with pytest.raises(ScenarioError):
            load_scenario(_variant(tmp_path, text))


def test_registry_with_more_villages_than_the_scenario_is_refused(tmp_path):
    reg = tmp_path / "reg.csv"
    reg.write_text("户编码,人口数,贫困户属性,主要致贫原因,年人均纯收入,村编码\n" +
                   "".join(f"H{i},2,一般贫困户,因病,2500,V{i}\n" for i in range(6)), encoding="utf-8")
    assert main(["import-registry", str(reg), "--out", str(tmp_path / "pop.parquet")]) == 0
    text = (f'[targets]\npeople = {{}}\nhouseholds = {{}}\n[population]\nregistry = "{tmp_path / "pop.parquet"}"\nhouseholds = 6\npeople = 12\n'
            "poor_villages = 1\nvillages = VILLAGES\n")
    with pytest.raises(ScenarioError, match="population.villages: must be at least the 6 villages"):
        load_scenario(_variant(tmp_path, text.replace("VILLAGES", "5")))
    assert load_scenario(_variant(tmp_path, text.replace("VILLAGES", "6"))).spec.population.villages == 6


def test_deep_extends_chain_is_one_message(tmp_path):
    for i in range(200):
        (tmp_path / f"d{i}.toml").write_text(f'extends = "d{i + 1}.toml"\n')
    _variant(tmp_path, "", "d200.toml")
    with pytest.raises(ScenarioError, match="deeper than"):
        load_scenario(tmp_path / "d0.toml")


def test_a_variant_can_remove_inherited_targets(tmp_path):
    assert load_scenario(SMALL).spec.targets.people
    spec = load_scenario(_variant(tmp_path, "[targets]\npeople = {}\nhouseholds = {}\n")).spec
    assert spec.targets.people == {} and spec.targets.households == {}
    spec = load_scenario(_variant(tmp_path, "[targets.people]\n2016 = 10\n")).spec  # a non-empty table still merges
    assert spec.targets.people[2016] == 10 and spec.targets.people[2015] == 3000


def test_text_fields_are_bounded_and_one_line(tmp_path):
    with pytest.raises(ScenarioError, match="description"):
        load_scenario(_variant(tmp_path, f'description = "{"x" * 2001}"\n'))
    for field in ("name", "region"):
        with pytest.raises(ScenarioError, match=field):
            load_scenario(_variant(tmp_path, f'{field} = "a\\n[parameters]"\n'))
        with pytest.raises(ScenarioError, match=field):
            load_scenario(_variant(tmp_path, f'{field} = "{"y" * 201}"\n'))


@pytest.mark.parametrize("value,shape", [("11010519491231002X", "ID card"), ("110105 1949 1231 002x", "ID card"),
                                         ("110105491231002", "15-digit"), ("13812345678", "mobile"),
                                         ("+86 139-1234-5678", "mobile")])
def test_personal_shapes(value, shape):
    assert shape in personal_shape(value)


@pytest.mark.parametrize("value", ["110105194912310021", "4210810010010001", "12345678901", "H0001", "421081001001",
                                   "110105199913451234"])
def test_codes_that_are_not_personal(value):
    assert personal_shape(value) is None  # a wrong check character, a 16-digit code, no birth date …


def test_personal_values_refused_or_hashed_and_dropped_columns_listed(tmp_path, capsys):
    reg = tmp_path / "reg.csv"
    reg.write_text("户编码,户主身份证,开户银行账号,备注,人口数,贫困户属性,主要致贫原因,年人均纯收入,村编码\n"
                   "11010519491231002X,x,y,z,3,一般贫困户,因病,2500,V1\n"
                   "H2,x,y,z,2,低保户,因残,1800,13812345678\n", encoding="utf-8")
    with pytest.raises(RegistryError, match=r"'户编码' \(household_id\), line 2: .*ID card number"):
        read_registry(reg)
    out = tmp_path / "pop.parquet"
    assert main(["import-registry", str(reg), "--out", str(out)]) == 2
    assert not out.exists() and "--hash-ids" in capsys.readouterr().err
    assert main(["import-registry", str(reg), "--out", str(out), "--hash-ids"]) == 0
    said = capsys.readouterr().out
    assert "户主身份证" in said and "开户银行账号" in said and "备注" in said
    df = pd.read_parquet(out)
    raw = out.read_bytes()
    assert b"11010519491231002X" not in raw and b"13812345678" not in raw
    assert df["household_id"].nunique() == 2 and df["household_id"].str.startswith("h").all()
    record = json.loads(pq.read_schema(out).metadata[b"tuopin"])
    assert record["dropped_personal_columns"] == ["户主身份证", "开户银行账号"]
    assert record["dropped_unused_columns"] == ["备注"] and record["hashed_columns"] == ["户编码", "村编码"]
