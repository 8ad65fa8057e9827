"""Interrupted runs, --resume, rerun, disk errors and the memory check: no results lost, no half
folders, the same numbers."""

import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import ROOT
from tuopin import load_scenario
from tuopin.outputs import results as results_mod
from tuopin.cli import main
from tuopin.outputs.forecast import run_to_folder
from tuopin.outputs.results import OutputError

MEDIUM = ROOT / "tests" / "data" / "medium.toml"
SMALL = ROOT / "tests" / "data" / "small.toml"
TABLES = ("annual.csv", "spend.csv", "money.csv", "relapse_survival.csv", "at_risk.csv")


def _same_tables(a: Path, b: Path) -> None:
    for t in TABLES:
        assert (a / t).read_bytes() == (b / t).read_bytes(), t


def test_interrupt_then_resume_gives_the_same_numbers(tmp_path):
    out = tmp_path / "run"
    partial = tmp_path / ".run.partial"
    cmd = [sys.executable, "-m", "tuopin.cli", "run", str(MEDIUM), "--replicates", "30", "--out", str(out), "--quiet"]
    proc = subprocess.Popen(cmd, stderr=subprocess.PIPE, text=True)
    for _ in range(600):                                  # wait for a few finished replicates
        if len(list(partial.glob("point-*.npz"))) >= 3:
            break
        time.sleep(0.05)
    proc.send_signal(signal.SIGINT)
    err = proc.communicate(timeout=120)[1]
    assert proc.returncode == 130, err
    assert "--resume" in err and "Traceback" not in err
    assert not out.exists()                               # no half-written results folder
    assert not [p for p in tmp_path.iterdir() if ".tmp-" in p.name]
    kept = len(list(partial.glob("point-*.npz")))
    assert 3 <= kept < 30
    r = subprocess.run(cmd + ["--resume"], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    assert not partial.exists()
    straight = tmp_path / "straight"
    assert main(["run", str(MEDIUM), "--replicates", "30", "--out", str(straight), "--quiet"]) == 0
    _same_tables(out, straight)


def test_resume_refuses_another_runs_checkpoint(tmp_path, capsys):
    out = tmp_path / "run"
    (tmp_path / ".run.partial").mkdir()
    (tmp_path / ".run.partial" / "checkpoint.json").write_text('{"seed": 1}')
    assert main(["run", str(SMALL), "--out", str(out), "--resume", "--quiet"]) == 2
    assert "another run" in capsys.readouterr().err
    assert main(["run", str(SMALL), "--out", str(tmp_path / "none"), "--resume", "--quiet"]) == 2
    assert "nothing to resume" in capsys.readouterr().err


def test_resume_refuses_a_checkpoint_of_other_model_code(tmp_path, capsys):
    """The same scenario, seed and parameters, but replicates a different model's code ran: not mixed in."""
    import json
    from tuopin import load_scenario
    from tuopin.outputs.results import checkpoint_folder
    out = tmp_path / "run"
    folder = checkpoint_folder(out, load_scenario(SMALL), 4, resume=False)
    stamp = json.loads((folder / "checkpoint.json").read_text())
    assert checkpoint_folder(out, load_scenario(SMALL), 4, resume=True) == folder   # the same code resumes
    (folder / "checkpoint.json").write_text(json.dumps(dict(stamp, model_sha256="0" * 64)))
    assert main(["run", str(SMALL), "--out", str(out), "--replicates", "4", "--resume", "--quiet"]) == 2
    assert "model_sha256" in capsys.readouterr().err


def test_rerun_reproduces_byte_identical_tables(tmp_path, capsys):
    run = tmp_path / "run"
    assert main(["run", str(SMALL), "--replicates", "3", "--workers", "2", "--out", str(run), "--quiet"]) == 0
    assert main(["rerun", str(run), "--quiet"]) == 0
    assert "byte-identical" in capsys.readouterr().out
    _same_tables(run, tmp_path / "run-rerun")
    assert main(["rerun", str(tmp_path), "--quiet"]) == 2   # no manifest there


def test_unwritable_output_is_one_clear_error(tmp_path, capsys):
    assert main(["run", str(SMALL), "--out", "/proc/tuopin-cannot-write-here", "--quiet"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "cannot write" in err and "Traceback" not in err


def test_disk_full_leaves_nothing(tmp_path, monkeypatch):
    import pandas as pd

    def full(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(pd.DataFrame, "to_csv", full)
    with pytest.raises(OutputError, match="No space left on device"):
        run_to_folder(load_scenario(SMALL), tmp_path / "run", progress=False)
    assert [p.name for p in tmp_path.iterdir()] == [".run.partial"]   # only the checkpoint, for --resume


def test_run_too_big_for_memory_is_refused_up_front(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(results_mod, "available_memory", lambda: 100 * 2**20)
    assert main(["run", str(SMALL), "--out", str(tmp_path / "x"), "--quiet"]) == 2
    err = capsys.readouterr().err
    assert "needs about" in err and "GiB is available" in err
    assert list(tmp_path.iterdir()) == []


def test_killed_worker_loses_nothing_and_resume_finishes(tmp_path):
    psutil = pytest.importorskip("psutil")
    out = tmp_path / "run"
    partial = tmp_path / ".run.partial"
    cmd = [sys.executable, "-m", "tuopin.cli", "run", str(MEDIUM), "--replicates", "30", "--workers", "2",
           "--out", str(out), "--quiet"]
    proc = subprocess.Popen(cmd, stderr=subprocess.PIPE, text=True)
    for _ in range(600):
        if len(list(partial.glob("point-*.npz"))) >= 2:
            break
        time.sleep(0.05)
    server = [c for c in psutil.Process(proc.pid).children() if "forkserver" in " ".join(c.cmdline())]
    workers = server[0].children() if server else []   # pool workers are forked from the fork server
    assert workers
    workers[-1].kill()
    err = proc.communicate(timeout=120)[1]
    assert proc.returncode == 1 and "worker process died" in err and "Traceback" not in err
    assert not out.exists()
    r = subprocess.run(cmd + ["--resume"], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    straight = tmp_path / "straight"
    assert main(["run", str(MEDIUM), "--replicates", "30", "--out", str(straight), "--quiet"]) == 0
    _same_tables(out, straight)


def test_tables_byte_identical_across_worker_counts(tmp_path):
    one, two = tmp_path / "one", tmp_path / "two"
    assert main(["run", str(SMALL), "--replicates", "4", "--workers", "1", "--out", str(one), "--quiet"]) == 0
    assert main(["run", str(SMALL), "--replicates", "4", "--workers", "2", "--out", str(two), "--quiet"]) == 0
    _same_tables(one, two)
    for fig in sorted(one.glob("*.svg")) + sorted(one.glob("*.png")):  # figures too: no random SVG ids
        assert fig.read_bytes() == (two / fig.name).read_bytes(), fig.name
