"""The bad-scenario corpus (tests/bad_scenarios/): every file gets one clear message naming the
file and the field (and every further problem on its own line), exit status 2, no traceback, and
nothing written; `validate` over several files names every bad one."""

from pathlib import Path

import pytest

from tuopin.cli import main

CORPUS = sorted((Path(__file__).parent / "bad_scenarios").glob("*.toml"))
CORPUS_BY_NAME = {p.stem: p for p in CORPUS}


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
    assert all(line.startswith("  also ") for line in lines[1:]), err  # every further problem, one a line
    assert "Traceback" not in err
    field = expected_field(path)
    assert lines[0].startswith("tuopin: error: "), err
    assert f".toml: {field}:" in lines[0], (field, lines[0])
    assert not out.exists() and list(tmp_path.iterdir()) == []
    assert main(["validate", str(path)]) == 2


def test_validate_checks_every_file_and_lists_every_problem(capsys):
    good = str(Path(__file__).parents[1] / "scenarios" / "jingzhou_2015_2018.toml")
    empty, unknown = CORPUS_BY_NAME["empty_file"], next(p for p in CORPUS if "parameters." in expected_field(p))
    assert main(["validate", str(empty), good, str(unknown)]) == 2
    out, err = capsys.readouterr()
    assert f"{good}: ok" in out
    assert f"{empty}: 7 problems" in err and f"{unknown}:" in err
    for field in ("name", "region", "first_year", "last_year", "seed", "poverty_line", "population"):
        assert f"  {field}: is required" in err
    assert "more problem" not in err
    assert "2 of 3 files have problems" in err


def test_misspelt_names_get_a_suggestion(tmp_path):
    from tuopin.inputs.scenario import ScenarioError, load_scenario

    base = (Path(__file__).parents[1] / "scenarios" / "jingzhou_2015_2018.toml").resolve()
    f = tmp_path / "typo.toml"
    f.write_text(f'extends = "{base}"\n[parameters.medical]\noop_capp = 3000\n[budget.cap]\nindustri = 1\n'
                 '[population]\nhousehold = 3\n', encoding="utf-8")
    with pytest.raises(ScenarioError) as e:
        load_scenario(f)
    text = str(e.value)
    assert "did you mean medical.oop_cap" in text
    assert "did you mean industry" in text
    assert "population.household: is not a known field (did you mean households" in text
    assert len(e.value.problems) == 3
