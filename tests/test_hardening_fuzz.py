"""Fuzzing the command line (hypothesis): random commands, options, values and paths never give a
traceback; the exit status is 0, 1 or 2; nothing is written outside the test's folder, and a
refused command writes nothing at all.

Values are drawn so that a command that is accepted stays small (a few replicates of the small
scenario); hostile values (huge, negative, nan, text, control characters, paths onto inputs and
existing folders) are mixed in."""

from __future__ import annotations

import hashlib
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import ROOT, SMALL
from tuopin.cli import main

NUMBERS = st.sampled_from(["0", "1", "2", "-1", "1e9", "999999999999", "nan", "inf", "x", "", " 1", "1.5", "0x10",
                           "１", "2**64", "-0"])
HOSTILE_TEXT = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=12)


def _paths(tmp: Path):
    return st.sampled_from([str(SMALL), str(tmp / "new"), str(tmp / "existing"), str(tmp / "file.txt"), str(tmp),
                            str(ROOT / "scenarios" / "jingzhou_2015_2018.toml"), str(ROOT / "data" / "national_series.csv"),
                            str(tmp / "reg.csv"), str(tmp / "missing.toml"), "", "-", str(tmp / "new" / "deeper" / "x"),
                            str(tmp / "pop.parquet")]) | HOSTILE_TEXT.map(lambda t: str(tmp / t))


OPTIONS = {
    "run": ["--out", "--seed", "--replicates", "--workers", "--sample", "--scheduler", "--resume", "--force", "--quiet"],
    "compare": ["--out", "--seed", "--replicates", "--workers", "--force", "--quiet"],
    "levers": ["--out", "--seed", "--replicates", "--workers", "--sample", "--force", "--quiet"],
    "import-registry": ["--out", "--skip-bad-rows", "--hash-ids", "--force"],
    "rerun": ["--out", "--force", "--quiet"],
    "validate": [],
    "optimize": ["--budget", "--objective", "--replicates", "--confirm", "--evaluations", "--frontier", "--sample",
                 "--seed", "--out", "--force", "--quiet"],
    "calibrate": ["--data", "--through", "--params", "--method", "--trials", "--draws", "--accept", "--replicates", "--sample",
                  "--out", "--force"],
    "backtest": ["--data", "--cutoff", "--params", "--method", "--trials", "--draws", "--accept", "--sample", "--out", "--force"],
    "sensitivity": ["--method", "--samples", "--replicates", "--sample", "--params", "--out", "--force", "--quiet"],
    "app": ["--port", "--host"],
}
FLAGS = {"--resume", "--force", "--quiet", "--skip-bad-rows", "--hash-ids"}
PATH_OPTIONS = {"--out", "--data", "--constraints"}
# what keeps an accepted command small: the work it may do is bounded by these, whatever else is drawn
SMALL_WORK = {"--replicates": "1", "--trials": "11", "--draws": "2", "--evaluations": "2", "--confirm": "1", "--samples": "2", "--sample": "30"}


def _tree(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest() if p.is_file() else "dir"
            for p in sorted(folder.rglob("*"))}


@st.composite
def command_lines(draw, tmp: Path):
    cmd = draw(st.sampled_from(sorted(OPTIONS)))
    paths = _paths(tmp)
    argv = [cmd, draw(paths)]
    if cmd == "app":
        argv = [cmd]
    for opt in draw(st.lists(st.sampled_from(OPTIONS[cmd]), max_size=5, unique=True)) if OPTIONS[cmd] else []:
        if opt in FLAGS:
            argv.append(opt)
        elif opt in PATH_OPTIONS:
            argv += [opt, draw(paths)]
        else:
            argv += [opt, draw(NUMBERS | HOSTILE_TEXT)]
    if cmd == "app":  # a valid port would start the server: keep the draw hostile
        argv += ["--port", draw(st.sampled_from(["0", "70000", "-1", "x", ""]))]
    # the bounded options last, so an accepted command stays small (argparse keeps the last value)
    argv += [x for opt in OPTIONS[cmd] if opt in SMALL_WORK for x in (opt, SMALL_WORK[opt])]
    if cmd in ("optimize",):
        argv += ["--frontier", "1"]
    return argv


def test_fuzz_the_command_line(tmp_path_factory, monkeypatch):
    tmp = tmp_path_factory.mktemp("fuzz")
    monkeypatch.chdir(tmp)  # default results/ folders land here too
    outside = {d: _tree(ROOT / d) for d in ("scenarios", "data", "examples", "tests/data")}

    @settings(max_examples=200, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
    @given(st.data())
    def one(data):
        (tmp / "existing").mkdir(exist_ok=True)
        (tmp / "existing" / "mine.txt").write_text("mine")
        (tmp / "file.txt").write_text("mine")
        (tmp / "reg.csv").write_text((ROOT / "examples" / "registry_example.csv").read_text(encoding="utf-8"),
                                     encoding="utf-8")
        argv = data.draw(command_lines(tmp))
        before = _tree(tmp)
        import contextlib
        import io

        err = io.StringIO()
        with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
            try:
                code = main(argv)
            except SystemExit as e:
                code = e.code
        text = err.getvalue()
        assert "Traceback" not in text, (argv, text)
        assert code in (0, 1, 2), (argv, code, text)
        if code == 2:
            assert "error" in text or "has problems" in text or "have problems" in text, (argv, text)  # validate lists them
            assert _tree(tmp) == before, (argv, text)  # refused: nothing written
        assert (tmp / "existing" / "mine.txt").read_text() == "mine" and (tmp / "file.txt").read_text() == "mine"

    one()
    assert {d: _tree(ROOT / d) for d in outside} == outside


CELLS = st.sampled_from(["H1", "3", "一般贫困户", "低保户", "因病", "1", "2500", "C", "是", "V1", "", "0", "-1", "nan",
                         "inf", "1e999", "=1+1", "@x", "+86 13812345678", "11010519491231002X", "110105491231002",
                         "\"", ",", "\t=x", "五保户", "缺资金", "999999"]) | HOSTILE_TEXT
HEADERS = st.sampled_from(["户编码", "人口数", "贫困户属性", "主要致贫原因", "年人均纯收入", "村编码", "危房等级", "是否参合",
                           "户主姓名", "身份证号", "household_id", "people", "备注", "联系电话", "县编码", "x", ""])


def test_fuzz_registry_files(tmp_path_factory):
    """Random registry exports: exit 0 or 2, never a traceback; what is imported holds no formula
    cell, no ID- or phone-shaped code and no personal column."""
    import io
    import contextlib

    import pandas as pd

    from tuopin.inputs.registry import CODE_COLUMNS, personal_shape

    tmp = tmp_path_factory.mktemp("fuzz_registry")
    base = ["户编码", "人口数", "贫困户属性", "主要致贫原因", "年人均纯收入"]

    @settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
    @given(st.lists(HEADERS, max_size=4), st.lists(st.lists(CELLS, min_size=5, max_size=9), min_size=0, max_size=6),
           st.booleans(), st.booleans())
    def one(extra, rows, skip, hash_ids):
        header = base + extra
        text = ",".join(header) + "\n" + "".join(",".join(r) + "\n" for r in rows)
        reg = tmp / "reg.csv"
        reg.write_text(text, encoding="utf-8")
        out = tmp / "pop.parquet"
        argv = ["import-registry", str(reg), "--out", str(out), "--force"] + ["--skip-bad-rows"] * skip + ["--hash-ids"] * hash_ids
        err = io.StringIO()
        with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
            code = main(argv)
        assert code in (0, 2) and "Traceback" not in err.getvalue(), (text, err.getvalue())
        if code == 0:
            df = pd.read_parquet(out)
            assert not {"户主姓名", "身份证号", "联系电话"} & set(df.columns)
            for col in df.columns:
                if df[col].dtype == object:
                    assert not df[col].astype(str).str.match(r"[=+\-@\t\r]").any(), (col, df[col].tolist())
            for col in CODE_COLUMNS:
                if col in df:
                    assert not any(personal_shape(v) for v in df[col]), df[col].tolist()
        out.unlink(missing_ok=True)
        out.with_name("pop.bad_rows.csv").unlink(missing_ok=True)

    one()
