"""Process hygiene: `tuopin run --workers 2` killed with SIGKILL or SIGTERM mid-run leaves no process
behind (workers, forkserver, resource tracker) and no half-written results folder; after SIGTERM,
as after Ctrl-C, the checkpoint is kept and --resume finishes the run; a damaged checkpoint file is
run again."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import psutil
import pytest

from conftest import ROOT, SMALL
from tuopin.cli import main


def _start(out: Path) -> tuple[subprocess.Popen, list[psutil.Process]]:
    env = dict(os.environ, PYTHONPATH=str(ROOT / "model"), MPLBACKEND="Agg")
    p = subprocess.Popen([sys.executable, "-m", "tuopin.cli", "run", str(SMALL), "--replicates", "30", "--workers", "2",
                          "--out", str(out), "--quiet"], env=env, stderr=subprocess.PIPE, stdout=subprocess.DEVNULL)
    partial = out.parent / f".{out.name}.partial"
    deadline = time.time() + 120
    while time.time() < deadline:  # workers up and at least one replicate checkpointed: mid-run
        kids = psutil.Process(p.pid).children(recursive=True)
        if len(kids) >= 3 and partial.is_dir() and any(partial.glob("point-*.npz")):
            return p, kids
        assert p.poll() is None, p.stderr.read().decode()
        time.sleep(0.1)
    p.kill()
    pytest.fail("the run did not get going")


def _survivors(kids: list[psutil.Process], wait: float = 8.0) -> list[psutil.Process]:
    deadline = time.time() + wait
    while True:
        alive = [k for k in kids if k.is_running() and k.status() != psutil.STATUS_ZOMBIE]
        if not alive or time.time() > deadline:
            return alive
        time.sleep(0.2)


@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGTERM], ids=["SIGKILL", "SIGTERM"])
def test_killed_run_leaves_no_process_and_no_half_folder(tmp_path, sig):
    out = tmp_path / "out"
    p, kids = _start(out)
    names = {" ".join(k.cmdline()) for k in kids}
    assert any("forkserver" in n for n in names) and any("resource_tracker" in n for n in names)
    p.send_signal(sig)
    p.wait(60)
    alive = _survivors(kids)
    for k in alive:  # do not leave them running for the rest of the suite, whatever the verdict
        k.kill()
    assert alive == [], [" ".join(k.cmdline())[:100] for k in alive]
    assert not out.exists()
    assert not [q for q in tmp_path.iterdir() if ".tmp-" in q.name or ".old-" in q.name]
    partial = tmp_path / ".out.partial"
    kept = sorted(partial.glob("point-*.npz"))
    assert kept, "finished replicates are kept"
    if sig == signal.SIGTERM:  # handled like Ctrl-C: the message, exit 130
        assert p.returncode == 130 and "interrupted" in p.stderr.read().decode()
    # --resume finishes it, whatever killed it, and leaves only the results folder
    kept[-1].write_bytes(b"cut short by the kill")  # a damaged point file is run again, not a traceback
    assert main(["run", str(SMALL), "--replicates", "30", "--workers", "2", "--out", str(out), "--resume", "--quiet"]) == 0
    assert (out / "manifest.json").is_file() and [q.name for q in tmp_path.iterdir()] == ["out"]
