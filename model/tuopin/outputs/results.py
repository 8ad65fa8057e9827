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

DEPENDENCIES = ("numpy", "scipy", "pandas", "mesa", "matplotlib", "pydantic", "tqdm", "SALib", "dask", "distributed")


class OutputError(Exception):
    """The output folder cannot be used."""


def check_destination(out: Path) -> None:
    """Refuse a destination that exists and is not an earlier tuopin results folder."""
    if out.exists() and not out.is_dir():
        raise OutputError(f"{out} exists and is not a folder")
    if out.is_dir() and any(out.iterdir()) and not (out / "manifest.json").is_file():
        raise OutputError(f"{out} exists, is not empty and is not a tuopin results folder; choose another --out")


BYTES_PER_HOUSEHOLD = 2500  # peak of one replicate (state, year accumulators, temporaries), measured ~1.7 KiB
BASE_BYTES = 400 * 2**20    # Python, numpy, pandas, matplotlib, Mesa


def available_memory() -> int:
    """Memory the system can give now (MemAvailable), in bytes."""
    try:
        with open("/proc/meminfo") as f:
            for line in f:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_AVPHYS_PAGES")


def check_memory(loaded, workers: int) -> None:
    """Refuse up front a run that would not fit in memory, with the estimate."""
    pop = loaded.spec.population
    # the largest piece held at once: the whole population, or its largest shard, in sampled mode 1/k of it
    largest = max((sh.weight for sh in loaded.spec.shards.values()), default=1.0) / \
        (sum(sh.weight for sh in loaded.spec.shards.values()) or 1.0)
    households = pop.households * largest / pop.sample * (1 + pop.near_poor_per_registered)
    need = BASE_BYTES * (1 + workers) + households * BYTES_PER_HOUSEHOLD * max(workers, 1)
    have = available_memory()
    if need > have:
        raise OutputError(f"this run needs about {need / 2**30:.1f} GiB ({households:,.0f} households x "
                          f"{max(workers, 1)} worker(s)) but {have / 2**30:.1f} GiB is available; "
                          "use fewer --workers or a smaller population")


def checkpoint_folder(out: Path, loaded, replicates: int, resume: bool) -> Path:
    """The hidden folder holding finished replicates of a run into ``out``. A fresh run clears a
    stale one; ``resume`` keeps it, after checking it belongs to the same scenario and seeds."""
    folder = out.parent / f".{out.name}.partial"
    stamp = {"scenario_sha256": loaded.sha256, "seed": loaded.spec.seed, "replicates": replicates,
             "parameters_sha256": _digest(loaded.params)}
    try:
        if folder.exists() and resume:
            old = json.loads((folder / "checkpoint.json").read_text())
            if old != stamp:
                diff = ", ".join(k for k in stamp if old.get(k) != stamp[k])
                raise OutputError(f"cannot --resume: the checkpoint in {folder} is of another run (differs in {diff})")
            return folder
        if resume:
            raise OutputError(f"nothing to resume: no checkpoint {folder} (run without --resume)")
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True)
        (folder / "checkpoint.json").write_text(json.dumps(stamp))
    except OSError as e:
        raise OutputError(f"cannot write under {out.parent}: {e.strerror or e}") from None
    return folder


def _digest(params: dict) -> str:
    import hashlib

    return hashlib.sha256(json.dumps(params, sort_keys=True, default=str).encode()).hexdigest()


@contextmanager
def atomic_folder(out: Path, remove_after: Path | None = None):
    """Yield a temporary folder; on success it replaces ``out`` in one rename (and ``remove_after``,
    a checkpoint, is deleted), on failure it is removed. Disk errors become one OutputError."""
    out = Path(out)
    check_destination(out)
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.tmp-", dir=out.parent))
    except OSError as e:
        raise OutputError(f"cannot write under {out.parent}: {e.strerror or e}") from None
    try:
        yield tmp
        if out.exists():
            old = out.with_name(f".{out.name}.old-{os.getpid()}")
            out.rename(old)
            tmp.rename(out)
            shutil.rmtree(old, ignore_errors=True)
        else:
            tmp.rename(out)
    except OSError as e:
        shutil.rmtree(tmp, ignore_errors=True)
        raise OutputError(f"cannot write {out}: {e.strerror or e}; nothing was written") from None
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    if remove_after is not None:
        shutil.rmtree(remove_after, ignore_errors=True)


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
