"""Each lever mechanism's one-line breakage (tools/mutations.py) fails a mechanism test, and every
mutation pattern still matches the code: a change that moves a mechanism updates its mutation too."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_every_mutation_is_caught_and_none_is_stale():
    r = subprocess.run([sys.executable, str(ROOT / "tools" / "mutations.py")], cwd=ROOT, capture_output=True,
                       text=True, timeout=900)
    assert r.returncode == 0, r.stdout[-3000:] + r.stderr[-2000:]
    assert "all mutations caught" in r.stdout
