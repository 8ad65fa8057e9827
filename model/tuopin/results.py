"""One results path: a run writes a whole folder or nothing.

Files are written into a hidden temporary folder beside the destination, which is renamed into
place at the end; an interrupted run leaves no half-written folder behind.
"""

from __future__ import annotations

import json
import os
import platform
import shutil
import sys
import tempfile
from contextlib import contextmanager
from datetime import datetime, timezone
from importlib import metadata
from pathlib import Path

DEPENDENCIES = ("numpy", "scipy", "pandas", "mesa", "matplotlib", "pydantic", "tqdm")


class OutputError(Exception):
    """The output folder cannot be used."""


def check_destination(out: Path) -> None:
    """Refuse a destination that exists and is not an earlier tuopin results folder."""
    if out.exists() and not out.is_dir():
        raise OutputError(f"{out} exists and is not a folder")
    if out.is_dir() and any(out.iterdir()) and not (out / "manifest.json").is_file():
        raise OutputError(f"{out} exists, is not empty and is not a tuopin results folder; choose another --out")


@contextmanager
def atomic_folder(out: Path):
    """Yield a temporary folder; on success it replaces ``out`` in one rename, on failure it is removed."""
    out = Path(out)
    check_destination(out)
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.tmp-", dir=out.parent))
    except OSError as e:
        raise OutputError(f"cannot write under {out.parent}: {e.strerror}") from None
    try:
        yield tmp
        if out.exists():
            old = out.with_name(f".{out.name}.old-{os.getpid()}")
            out.rename(old)
            tmp.rename(out)
            shutil.rmtree(old, ignore_errors=True)
        else:
            tmp.rename(out)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


def versions() -> dict[str, str]:
    v = {"tuopin": metadata.version("tuopin") if _installed("tuopin") else "source",
         "python": platform.python_version()}
    v.update({d: metadata.version(d) for d in DEPENDENCIES if _installed(d)})
    return v


def _installed(dist: str) -> bool:
    try:
        metadata.version(dist)
        return True
    except metadata.PackageNotFoundError:
        return False


def write_manifest(folder: Path, **fields) -> None:
    manifest = {"created": datetime.now(timezone.utc).isoformat(timespec="seconds"),
                "command": sys.argv, "versions": versions(), **fields}
    (folder / "manifest.json").write_text(json.dumps(manifest, indent=2, ensure_ascii=False, default=str) + "\n",
                                          encoding="utf-8")
