"""The bad-input corpus (tests/bad_inputs/<command>/*.toml): every case gets one clear message with
the expected fragment, exit status 2, no traceback; nothing is written, the files it was given are
unchanged and nothing in the repository changes.

A case file holds ``args`` (the command line), ``expect`` (a fragment of the message) and
optionally ``files`` (text files to create first, relative to the test's folder), ``files_hex``
(binary ones), ``copy_run`` (a folder name: a finished run is copied there first) and
``manifest`` (keys to set in that run's manifest.json: paths like scenarios/0/spec/seed) or ``manifest_text``.
In ``args`` and ``files``: {tmp} is the test's folder, {here} the case's folder, {root} the
repository, {small} the small test scenario, {data} the observed national series."""

from __future__ import annotations

import hashlib
import json
import shutil
import tomllib
from pathlib import Path

import pytest

from conftest import ROOT, SMALL
from tuopin.cli import main

CORPUS_DIR = Path(__file__).parent / "bad_inputs"
CASES = sorted(CORPUS_DIR.glob("*/*.toml"))
COMMANDS = ("run", "rerun", "import-registry", "compare", "levers", "calibrate", "backtest", "optimize", "sensitivity",
            "validate", "app")


def _fill(text: str, tmp: Path, here: Path) -> str:
    return (text.replace("{tmp}", str(tmp)).replace("{here}", str(here)).replace("{root}", str(ROOT))
            .replace("{small}", str(SMALL)).replace("{data}", str(ROOT / "data" / "national_series.csv")))


def _tree(folder: Path) -> dict[str, str]:
    """Every file under ``folder`` (hidden ones included) with its sha256."""
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest() if p.is_file() else "dir"
            for p in sorted(folder.rglob("*"))}


def _set(d: dict, where: str, value) -> None:
    *path, last = where.split("/")
    for k in path:
        d = d[int(k)] if isinstance(d, list) else d[k]
    if isinstance(d, list):
        d[int(last)] = value
    else:
        d[last] = value


@pytest.fixture(scope="module")
def finished_run(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("corpus_run") / "run"
    assert main(["run", str(SMALL), "--out", str(out), "--quiet"]) == 0
    return out


@pytest.fixture(scope="module")
def repository():
    before = {d: _tree(ROOT / d) for d in ("scenarios", "examples", "data", "tests/data", "tests/bad_inputs")}
    yield
    after = {d: _tree(ROOT / d) for d in before}
    assert after == before, "a bad input changed a file in the repository"


def test_a_corpus_for_every_command():
    counts = {c: len(list((CORPUS_DIR / c).glob("*.toml"))) for c in COMMANDS}
    assert all(n >= 3 for n in counts.values()), counts
    assert sum(counts.values()) >= 150, counts


@pytest.mark.parametrize("case", CASES, ids=[f"{p.parent.name}/{p.stem}" for p in CASES])
def test_bad_input_one_message_exit_2_nothing_written(case, tmp_path, capsys, finished_run, repository):
    spec = tomllib.loads(case.read_text(encoding="utf-8"))
    here = case.parent
    if "copy_run" in spec:
        run = tmp_path / spec["copy_run"]
        shutil.copytree(finished_run, run)
        m = json.loads((run / "manifest.json").read_text())
        for key, value in spec.get("manifest", {}).items():
            _set(m, key, value)
        text = spec.get("manifest_text", json.dumps(m))  # NaN and Infinity as Python's json writes them
        (run / "manifest.json").write_text(_fill(text, tmp_path, here))
    for name, text in spec.get("files", {}).items():
        p = tmp_path / name
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(_fill(text, tmp_path, here), encoding="utf-8")
    for name, hexdata in spec.get("files_hex", {}).items():
        p = tmp_path / name
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_bytes(bytes.fromhex(hexdata))
    before = _tree(tmp_path)
    capsys.readouterr()
    try:
        code = main([_fill(a, tmp_path, here) for a in spec["args"]])
    except SystemExit as e:  # argparse's own errors
        code = e.code
    err = capsys.readouterr().err
    assert code == 2, err
    assert "Traceback" not in err
    lines = [ln for ln in err.splitlines() if ln.strip() and not ln.startswith("  ")]  # not the bad rows listed
    if spec["args"][0] == "validate" and not err.startswith("usage:"):
        # validate lists every problem of every file, indented under the file, then a count
        assert spec["expect"] in err and ("has problems" in lines[-1] or "have problems" in lines[-1]), (spec["expect"], err)
    else:
        assert "error:" in lines[-1] and spec["expect"] in lines[-1], (spec["expect"], err)
        if not err.startswith("usage:"):  # argparse prints its usage line first; tuopin's own errors are one line
            assert len(lines) == 1, err
    assert _tree(tmp_path) == before, "a bad input wrote or changed a file"
