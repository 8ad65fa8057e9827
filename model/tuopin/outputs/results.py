"""One results path for every command: a whole folder or nothing, and one manifest.

Every command (run, compare, calibrate, backtest, sensitivity, optimize) writes through
:func:`results_folder`: files go into a hidden temporary folder beside the destination, which is
renamed into place at the end, so an interrupted command leaves no half-written folder behind.
Its ``manifest.json`` has the same fields for every command:

- ``created``, ``command`` (the subcommand), ``argv``, ``versions``
- ``scenarios``: each scenario's file, extends chain, sha256, name, validated spec and resolved
  catalog ``parameters``
- ``seed``, ``replicates``, ``workers``, ``options`` (what else the command was given)
- ``data``: an observed series' file and sha256 (calibrate, backtest), else null
- ``timings`` and ``files`` (every file written, in order)

:func:`scenario_from_manifest` reads a run's scenario back (``tuopin rerun``).
"""

from __future__ import annotations

import hashlib
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


def scenario_entry(loaded) -> dict:
    return {"file": str(loaded.path), "extends_chain": [str(f) for f in loaded.files], "sha256": loaded.sha256,
            "name": loaded.spec.name, "spec": loaded.spec.model_dump(mode="json"), "parameters": loaded.params}


def manifest(command: str, scenarios: list, *, seed: int, replicates: int, workers: int, options: dict,
             timings: dict, files: list[str], data: Path | None = None) -> dict:
    """The manifest of a results folder (the same fields for every command; see the module)."""
    return {"created": datetime.now(timezone.utc).isoformat(timespec="seconds"), "command": command,
            "argv": sys.argv, "versions": versions(), "scenarios": [scenario_entry(s) for s in scenarios],
            "seed": seed, "replicates": replicates, "workers": workers, "options": options,
            "data": None if data is None else {"file": str(data), "sha256": hashlib.sha256(Path(data).read_bytes()).hexdigest()},
            "timings": timings, "files": files}


class Folder:
    """The temporary folder a command writes into; it records every file written."""

    def __init__(self, path: Path):
        self.path, self.files = path, []

    def table(self, name: str, df, float_format: str = "%.6g") -> None:
        df.to_csv(self.path / name, index=False, float_format=float_format)
        self.files.append(name)

    def text(self, name: str, text: str) -> None:
        (self.path / name).write_text(text, encoding="utf-8")
        self.files.append(name)

    def figure(self, fig, stem: str) -> list[str]:
        from . import plots

        names = plots.save(fig, self.path, stem)
        self.files += names
        return names


@contextmanager
def results_folder(out: Path, command: str, scenarios: list, *, seed: int, replicates: int, workers: int = 1,
                   options: dict | None = None, timings: dict | None = None, data: Path | None = None,
                   remove_after: Path | None = None):
    """Yield a :class:`Folder` to write into; on success it becomes ``out`` with its manifest, in
    one rename. ``timings`` may be filled in while the folder is written."""
    timings = {} if timings is None else timings
    with atomic_folder(out, remove_after) as tmp:
        folder = Folder(tmp)
        yield folder
        text = json.dumps(manifest(command, scenarios, seed=seed, replicates=replicates, workers=workers,
                                   options=options or {}, timings=timings, files=folder.files, data=data),
                          indent=2, ensure_ascii=False, default=str)
        (tmp / "manifest.json").write_text(text + "\n", encoding="utf-8")


def scenario_from_manifest(folder: Path):
    """The scenario, replicates and workers a ``tuopin run`` folder's manifest records: the spec
    and resolved parameters as they were, not the scenario file as it is now."""
    from ..inputs.posterior import read_posterior
    from ..inputs.scenario import LoadedScenario, Scenario

    try:
        m = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
        if "scenarios" not in m and isinstance(m.get("scenario"), dict):  # a run folder from before this schema
            m = dict(m, command="run", scenarios=[dict(m["scenario"], parameters=m["parameters"])],
                     workers=m.get("workers", 1))
        if m.get("command") != "run":
            made = m["command"] if isinstance(m.get("command"), str) else "another command"
            raise ValueError(f"made by `tuopin {made}`; rerun reproduces `tuopin run` folders")
        s = m["scenarios"][0]
        spec = Scenario.model_validate(s["spec"])
        loaded = LoadedScenario(spec=spec, path=Path(s["file"]), files=tuple(map(Path, s["extends_chain"])),
                                sha256=s["sha256"], params=s["parameters"],
                                posterior=read_posterior(spec.posterior) if spec.posterior else ())
        return loaded, int(m["replicates"]), int(m["workers"])
    except (OSError, ValueError, KeyError, IndexError, TypeError) as e:
        raise OutputError(f"{folder}/manifest.json: not a readable tuopin run manifest ({e})") from None
