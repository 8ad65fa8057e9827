"""The bad-scenario corpus (tests/bad_scenarios/): every file gets one clear message naming the
file and the field, exit status 2, no traceback, and nothing written."""

from pathlib import Path

import pytest

from tuopin.cli import main

CORPUS = sorted((Path(__file__).parent / "bad_scenarios").glob("*.toml"))


def expected_field(path: Path) -> str:
    first = path.read_bytes().split(b"\n", 1)[0].decode("ascii")
    assert first.startswith("# expect: ")
    return first.removeprefix("# expect: ").strip()


def test_the_corpus_is_large():
    assert len(CORPUS) >= 40


@pytest.mark.parametrize("path", CORPUS, ids=[p.stem for p in CORPUS])
def test_bad_scenario_one_clear_message_exit_2_nothing_written(path, tmp_path, capsys):
    out = tmp_path / "out"
    assert main(["run", str(path), "--out", str(out), "--quiet"]) == 2
    err = capsys.readouterr().err
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert "Traceback" not in err
    field = expected_field(path)
    assert lines[0].startswith("tuopin: error: "), err
    assert f".toml: {field}:" in lines[0], (field, lines[0])
    assert not out.exists() and list(tmp_path.iterdir()) == []
    assert main(["validate", str(path)]) == 2
