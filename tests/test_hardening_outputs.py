"""Outputs: never overwritten, stale temporary folders cleaned, CSV cells a spreadsheet would run
neutralised in every table, manifest JSON strict, the calibrated scenario written by a TOML writer."""

from __future__ import annotations

import csv
import json
import os
import tomllib
from types import SimpleNamespace

import pandas as pd
import pyarrow.parquet as pq
import pytest

from conftest import ROOT, SMALL
from tuopin.cli import main
from tuopin.outputs import results
from tuopin.outputs.calibration import calibrated_toml

HOSTILE = ["=HYPERLINK(\"http://x\",\"y\")", "=cmd|' /C calc'!A0", "+1+1", "-2+3", "@SUM(A1)", "\tx", "\rx"]


def test_write_table_neutralises_every_text_cell_and_header(tmp_path):
    df = pd.DataFrame({"name": HOSTILE + ["plain", None], "n": [-1.5] * 7 + [2.0, 3.0], "=h": ["a"] * 9})
    results.write_table(df, tmp_path / "t.csv")
    with open(tmp_path / "t.csv", newline="", encoding="utf-8") as f:
        header, *rows = list(csv.reader(f))
    assert header == ["name", "n", "'=h"]
    assert [r[0] for r in rows] == ["'" + v.replace("\r", "\n") for v in HOSTILE] + ["plain", ""]
    assert rows[0][1] == "-1.5"  # numbers are not text: left alone


def test_shard_regions_are_neutralised_in_shards_csv(tmp_path):
    s = tmp_path / "s.toml"
    s.write_text(f'extends = "{SMALL}"\n[shards.a]\nregion = "=cmd|\' /C calc\'!A0"\nweight = 1\n'
                 '[shards.b]\nregion = "@B"\nweight = 2\n')
    assert main(["run", str(s), "--out", str(tmp_path / "out"), "--quiet"]) == 0
    regions = set(pd.read_csv(tmp_path / "out" / "shards.csv")["region"])
    assert regions == {"'=cmd|' /C calc'!A0", "'@B"}


def test_registry_cells_neutralised_in_parquet_and_bad_rows(tmp_path, capsys):
    reg = tmp_path / "reg.csv"
    reg.write_text("户编码,人口数,贫困户属性,主要致贫原因,年人均纯收入,村编码\n"
                   "=HYPERLINK(\"http://x\"),3,一般贫困户,因病,2500,@V1\n"
                   "-H2,0,低保户,因残,1800,V2\n", encoding="utf-8")
    out = tmp_path / "pop.parquet"
    assert main(["import-registry", str(reg), "--out", str(out), "--skip-bad-rows"]) == 0
    df = pd.read_parquet(out)
    assert df["household_id"].tolist() == ["'=HYPERLINK(\"http://x\")"] and df["village"].tolist() == ["'@V1"]
    bad = pd.read_csv(tmp_path / "pop.bad_rows.csv")
    assert bad["household_id"].tolist() == ["'-H2"]
    record = json.loads(pq.read_schema(out).metadata[b"tuopin"])
    assert record["bad_rows_skipped"] == 1 and record["source"] == "reg.csv"


def test_manifest_refuses_nan_and_writes_nothing(tmp_path, small):
    out = tmp_path / "out"
    with pytest.raises(results.OutputError, match="options.accept"):
        with results.results_folder(out, "run", [small], seed=1, replicates=1, options={"accept": float("nan")}) as f:
            f.text("x.txt", "x")
    assert list(tmp_path.iterdir()) == []
    assert results.nonfinite({"a": [1, {"b": float("inf")}]}) == "a.1.b"
    assert results.nonfinite({"a": [1.0, "nan"]}) is None


def test_stale_temporary_folders_are_cleaned_by_the_next_run(tmp_path):
    dead = 2**22 + 12345  # above the kernel's pid_max default: never a live process
    stale = [tmp_path / f".out.tmp-{dead}-abc", tmp_path / ".out.tmp-q1w2e3", tmp_path / f".out.old-{dead}"]
    live = tmp_path / f".out.tmp-{os.getpid()}-live"
    for p in (*stale, live):
        p.mkdir()
        (p / "annual.csv").write_text("half")
    other = tmp_path / ".other.tmp-1-x"
    other.mkdir()
    assert main(["run", str(SMALL), "--out", str(tmp_path / "out"), "--quiet"]) == 0
    assert not any(p.exists() for p in stale)
    assert live.exists() and other.exists()  # a running process's folder, and another destination's, are kept


def test_force_replaces_only_a_folder_tuopin_wrote_whole(tmp_path):
    out = tmp_path / "out"
    assert main(["run", str(SMALL), "--out", str(out), "--quiet"]) == 0
    assert main(["run", str(SMALL), "--out", str(out), "--quiet"]) == 2  # no --force
    (out / "report.md").write_text("edited by hand")  # a file tuopin wrote, edited: still tuopin's to replace
    assert main(["run", str(SMALL), "--out", str(out), "--quiet", "--force"]) == 0
    assert (out / "report.md").read_text() != "edited by hand"
    assert main(["compare", str(SMALL), "--out", str(out), "--replicates", "1", "--quiet", "--force"]) == 2
    assert json.loads((out / "manifest.json").read_text())["command"] == "run"  # compare never replaces a run
    (out / "notes.txt").write_text("mine")
    assert main(["run", str(SMALL), "--out", str(out), "--quiet", "--force"]) == 2
    assert (out / "notes.txt").read_text() == "mine"
    assert main(["compare", str(SMALL), "--out", str(out), "--replicates", "1", "--quiet", "--force"]) == 2


def test_import_registry_never_overwrites_its_input_or_a_foreign_file(tmp_path):
    src = ROOT / "examples" / "registry_example.csv"
    reg = tmp_path / "reg.csv"
    reg.write_bytes(src.read_bytes())
    assert main(["import-registry", str(reg), "--out", str(reg)]) == 2
    assert main(["import-registry", str(reg), "--out", str(reg), "--force"]) == 2
    assert reg.read_bytes() == src.read_bytes()
    out = tmp_path / "pop.parquet"
    assert main(["import-registry", str(reg), "--out", str(out)]) == 0
    assert main(["import-registry", str(reg), "--out", str(out)]) == 2
    assert main(["import-registry", str(reg), "--out", str(out), "--force"]) == 0
    mine = tmp_path / "mine.parquet"
    pd.DataFrame({"a": [1]}).to_parquet(mine)  # a Parquet file tuopin did not write
    assert main(["import-registry", str(reg), "--out", str(mine), "--force"]) == 2
    assert pd.read_parquet(mine)["a"].tolist() == [1]


def test_calibrated_toml_cannot_be_broken_by_a_name(tmp_path):
    summary = pd.DataFrame({"parameter": ["assessment.relapse_detection"], "posterior_p50": [0.05], "posterior_p5": [0.01],
                            "posterior_p95": [0.09], "prior_low": [0.0], "prior_high": [0.1], "default": [0.04]})
    for name in ('a"b', "x\\y", "'] = 1\n[parameters.medical]\noop_cap = 0 #", "名字 \"引号\""):
        loaded = SimpleNamespace(path=SMALL, spec=SimpleNamespace(name=name))
        text = calibrated_toml(loaded, SimpleNamespace(summary=summary), tmp_path / "c.toml", "ABC", name + "_posterior.csv")
        parsed = tomllib.loads(text)
        assert parsed["name"] == name[:189] + "_calibrated"
        assert parsed["posterior"] == name + "_posterior.csv"
        assert parsed["parameters"] == {"assessment": {"relapse_detection": 0.05}}


def test_rerun_compares_the_manifests_file_list(tmp_path, capsys):
    run = tmp_path / "run"
    assert main(["run", str(SMALL), "--out", str(run), "--quiet"]) == 0
    (run / "money.csv").unlink()  # a table deleted from the run folder is not silently skipped
    assert main(["rerun", str(run), "--quiet"]) == 1
    assert "money.csv" in capsys.readouterr().out
    m = json.loads((run / "manifest.json").read_text())
    m["scenarios"][0]["parameters"]["medical.oop_cap"] = -1
    (run / "manifest.json").write_text(json.dumps(m))
    assert main(["rerun", str(run), "--quiet", "--out", str(tmp_path / "again")]) == 2
    assert "medical.oop_cap" in capsys.readouterr().err and not (tmp_path / "again").exists()
