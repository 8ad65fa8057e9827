"""The documentation site builds with ``mkdocs build --strict`` (a broken link, a missing page or a
docstring reference that does not resolve fails it), and its API reference is made from the
docstrings of everything ``tuopin`` exports. mkdocs is in the dev extra, so this always runs."""

import subprocess
import sys
from pathlib import Path

import tuopin

ROOT = Path(__file__).resolve().parents[1]


def test_docs_build_strictly(tmp_path):
    site = tmp_path / "site"
    done = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(site)], cwd=ROOT,
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    api = (site / "api" / "index.html").read_text(encoding="utf-8")
    for name in tuopin.__all__:
        assert f'id="tuopin.{"api." if name not in ("PovertyModel", "ScenarioError") else ""}{name}"' in api, name
    assert "Per year, as readable text" in api                     # Forecast.summary's docstring
    levers = (site / "levers" / "index.html").read_text(encoding="utf-8")
    assert "line_ratio" in levers and "transition_years" in levers  # the catalog tables
    assert "<!-- parameters" not in levers
    for page in ("quickstart", "scenarios", "results", "page", "sources"):
        assert (site / page / "index.html").is_file(), page
