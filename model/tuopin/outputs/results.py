"""One results path for every command: a whole folder or nothing, and one manifest.

Every command (run, compare, levers, calibrate, backtest, sensitivity, optimize) writes through
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

import csv
import glob
import hashlib
import json
import math
import os
import platform
import shutil
import sys
import tempfile
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import datetime, timezone
from importlib import metadata
from pathlib import Path

DEPENDENCIES = ("numpy", "scipy", "pandas", "mesa", "matplotlib", "pydantic", "tqdm", "SALib", "dask", "distributed")


class OutputError(Exception):
    """The output folder cannot be used."""


# --force: replace an existing destination, but only one tuopin wrote (see check_destination)
_REPLACE: ContextVar[bool] = ContextVar("replace", default=False)


@contextmanager
def replacing(force: bool):
    """Within this block, an existing destination that tuopin wrote may be replaced (``--force``)."""
    token = _REPLACE.set(bool(force))
    try:
        yield
    finally:
        _REPLACE.reset(token)


def force() -> bool:
    """Whether ``--force`` is on (see :func:`replacing`)."""
    return _REPLACE.get()


def input_files(scenarios=(), *paths) -> list[Path]:
    """The files a command reads: every scenario's extends chain, registry and posterior, and ``paths``."""
    files = [Path(p) for p in paths if p]
    for s in scenarios:
        files += list(s.files) + [Path(f) for f in (s.spec.population.registry, s.spec.posterior) if f]
    return files


def check_not_input(out: Path, inputs) -> None:
    """Refuse a destination that is, or holds, a file the command reads."""
    where = Path(out).resolve()
    for f in inputs:
        f = Path(f).resolve()
        if f == where or where in f.parents:
            raise OutputError(f"{out} {'is' if f == where else 'holds'} an input of this command ({f}); "
                              "choose another --out")


def written_by_tuopin(out: Path, command: str | None = None) -> str | None:
    """Why ``out`` is not a folder tuopin wrote whole (None when it is): it must have a readable
    manifest, every file in it must be the manifest or one the manifest lists and, when ``command``
    is given, that command must have written it (compare --force never replaces a run)."""
    try:
        m = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
        listed = {"manifest.json", *map(str, m["files"])}
    except (OSError, ValueError, KeyError, TypeError):
        return "it has no readable tuopin manifest.json"
    other = sorted(p.name for p in out.iterdir() if p.name not in listed)
    if other:
        return f"it holds files tuopin did not write ({', '.join(other[:5])}{' …' if len(other) > 5 else ''})"
    if command is not None and m.get("command") != command:
        return f"it holds the results of `tuopin {m.get('command')}`, not of `tuopin {command}`"
    return None


def check_destination(out: Path, inputs=(), command: str | None = None) -> None:
    """Refuse a destination that exists (an empty folder excepted), unless ``--force`` is on and it
    is a folder tuopin wrote whole: tuopin never deletes a file it did not write. Refuse an input."""
    out = Path(out)
    check_not_input(out, inputs)
    if out.exists() and not out.is_dir():
        raise OutputError(f"{out} exists and is not a folder; choose another --out")
    if not out.is_dir() or not any(out.iterdir()):
        return
    if not _REPLACE.get():
        raise OutputError(f"{out} already exists; choose another --out, or pass --force to replace it "
                          "(only a results folder tuopin wrote is replaced)")
    why = written_by_tuopin(out, command)
    if why:
        raise OutputError(f"{out} cannot be replaced: {why}; tuopin only replaces a folder it wrote whole")


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OverflowError):
        return pid < 2**22
    return True


def clean_stale(out: Path) -> None:
    """Remove temporary folders beside ``out`` left by a tuopin process that died (killed mid-write):
    ``.OUT.tmp-PID-…`` and ``.OUT.old-PID`` whose process is gone (or from before names held the pid)."""
    out = Path(out)
    if not out.parent.is_dir():
        return
    for p in out.parent.glob(f".{glob.escape(out.name)}.*"):
        kind, _, rest = p.name[len(out.name) + 2:].partition("-")
        if kind not in ("tmp", "old") or not p.is_dir():
            continue
        pid = rest.split("-")[0]
        if not pid.isdigit() or not _alive(int(pid)):
            shutil.rmtree(p, ignore_errors=True)


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
             "parameters_sha256": _digest(loaded.params), "model_sha256": model_digest()}
    try:
        clean_stale(out)
        if folder.exists() and resume:
            try:
                old = json.loads((folder / "checkpoint.json").read_text())
            except (OSError, ValueError) as e:
                raise OutputError(f"cannot --resume: the checkpoint {folder}/checkpoint.json is damaged ({e}); "
                                  "run again without --resume") from None
            if not isinstance(old, dict):
                raise OutputError(f"cannot --resume: the checkpoint {folder}/checkpoint.json is damaged; "
                                  "run again without --resume")
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


def model_digest() -> str:
    """The model's code (every module of the package): replicates a changed model ran are not resumed."""
    h = hashlib.sha256()
    root = Path(__file__).resolve().parents[1]
    for f in sorted(root.rglob("*.py")):
        h.update(f.relative_to(root).as_posix().encode() + b"\0" + f.read_bytes())
    return h.hexdigest()


@contextmanager
def atomic_folder(out: Path, remove_after: Path | None = None, inputs=(), command: str | None = None):
    """Yield a temporary folder; on success it replaces ``out`` in one rename (and ``remove_after``,
    a checkpoint, is deleted), on failure it is removed. Disk errors become one OutputError.
    Stale temporary folders of ``out`` (a killed process's) are removed first."""
    out = Path(out)
    check_destination(out, inputs, command)
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        clean_stale(out)
        tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.tmp-{os.getpid()}-", dir=out.parent))
    except OSError as e:
        raise OutputError(f"cannot write under {out.parent}: {e.strerror or e}") from None
    try:
        yield tmp
        check_destination(out, inputs, command)  # again: the destination may have changed while we worked
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


FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value):
    """A text cell a spreadsheet would run as a formula (leading = + - @, tab or CR), prefixed with
    a single quote so it is shown as text (the OWASP rule for CSV injection); carriage returns
    inside a cell become line feeds (which are quoted); anything else as is."""
    if not isinstance(value, str):
        return value
    if value.startswith(FORMULA_START):
        value = "'" + value
    # a bare CR inside a cell would end the row for some readers (pandas' writer does not quote it)
    return value.replace("\r\n", "\n").replace("\r", "\n") if "\r" in value else value


def neutralised(df):
    """``df`` with every text cell and header neutralised (numbers are left alone)."""
    df = df.rename(columns=lambda c: neutralise(str(c)) if isinstance(c, str) else c)
    text = [c for c in df.columns if df[c].dtype == object or str(df[c].dtype) in ("string", "category")]
    if text:
        df = df.copy()
        for c in text:
            df[c] = df[c].map(neutralise, na_action="ignore")
    return df


def write_table(df, path: Path, float_format: str = "%.6g") -> None:
    """The one way tuopin writes a CSV table: text cells neutralised, no index."""
    neutralised(df).to_csv(path, index=False, float_format=float_format, quoting=csv.QUOTE_MINIMAL)


def nonfinite(obj, where: str = "") -> str | None:
    """The path of the first NaN or infinite number in a JSON-like ``obj``, or None."""
    if isinstance(obj, float) and not math.isfinite(obj):
        return where or "(value)"
    if isinstance(obj, dict):
        items = obj.items()
    elif isinstance(obj, (list, tuple)):
        items = enumerate(obj)
    else:
        return None
    for k, v in items:
        found = nonfinite(v, f"{where}.{k}" if where else str(k))
        if found:
            return found
    return None


def manifest_json(m: dict) -> str:
    """The manifest as strict JSON: a NaN or infinity (which JSON cannot hold) is an OutputError."""
    bad = nonfinite(m)
    if bad:
        raise OutputError(f"manifest.json would hold a value that is not a finite number at {bad}; nothing was written")
    return json.dumps(m, indent=2, ensure_ascii=False, default=str, allow_nan=False)


class Folder:
    """The temporary folder a command writes into; it records every file written."""

    def __init__(self, path: Path):
        self.path, self.files = path, []

    def table(self, name: str, df, float_format: str = "%.6g") -> None:
        write_table(df, self.path / name, float_format)
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
    with atomic_folder(out, remove_after, input_files(scenarios, data), command) as tmp:
        folder = Folder(tmp)
        yield folder
        text = manifest_json(manifest(command, scenarios, seed=seed, replicates=replicates, workers=workers,
                                      options=options or {}, timings=timings, files=folder.files, data=data))
        (tmp / "manifest.json").write_text(text + "\n", encoding="utf-8")


MAX_REPLICATES = 10_000  # bounds on what a manifest (or the command line) may ask for
MAX_WORKERS = 1024


def scenario_from_manifest(folder: Path):
    """The scenario, replicates, workers and file list a ``tuopin run`` folder's manifest records:
    the spec and resolved parameters as they were, not the scenario file as it is now. The spec is
    validated by the schema and the parameters against the catalog, as a scenario file would be."""
    from .. import parameters
    from ..inputs.posterior import scenario_draws
    from ..inputs.problems import explain
    from ..inputs.scenario import LoadedScenario, Scenario, ScenarioError, buildable

    where = f"{folder}/manifest.json"
    try:
        m = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
        if not isinstance(m, dict):
            raise ValueError("it is not a JSON object")
        if "scenarios" not in m and isinstance(m.get("scenario"), dict):  # a run folder from before this schema
            m = dict(m, command="run", scenarios=[dict(m["scenario"], parameters=m["parameters"])],
                     workers=m.get("workers", 1))
        if m.get("command") != "run":
            made = m["command"] if isinstance(m.get("command"), str) else "another command"
            raise ValueError(f"made by `tuopin {made}`; rerun reproduces `tuopin run` folders")
        replicates, workers, files = m["replicates"], m["workers"], m["files"]
        for name, v, hi in (("replicates", replicates, MAX_REPLICATES), ("workers", workers, MAX_WORKERS)):
            if isinstance(v, bool) or not isinstance(v, int) or not 1 <= v <= hi:
                raise ValueError(f"{name} must be a whole number from 1 to {hi:,}, got {v!r}")
        if not isinstance(files, list) or not all(isinstance(f, str) and f and "/" not in f and "\\" not in f
                                                  and not f.startswith(".") for f in files):
            raise ValueError("files must be a list of file names in the folder")
        if not isinstance(m["scenarios"], list) or not m["scenarios"] or not isinstance(m["scenarios"][0], dict):
            raise ValueError("scenarios must list the scenario that was run")
        s = m["scenarios"][0]
        if not isinstance(s.get("parameters"), dict):
            raise ValueError("scenarios[0].parameters must be a table")
        values, problems = parameters.resolve(s["parameters"])
        if problems:
            raise ValueError(f"scenarios[0].parameters.{problems[0][0]} {problems[0][1]}")
        try:
            spec = Scenario.model_validate(s["spec"])
        except Exception as e:  # noqa: BLE001 - pydantic's ValidationError, or a wrong type inside
            field, msg = explain(e) if hasattr(e, "errors") else ("spec", str(e))
            raise ValueError(f"scenarios[0].spec.{field}: {msg}") from None
        problem = buildable(spec, values)
        if problem:
            raise ValueError(f"scenarios[0].spec.{problem[0]}: {problem[1]}")
        if spec.population.registry and not Path(spec.population.registry).is_file():
            raise ValueError(f"the registry {spec.population.registry} it ran on is gone")
        loaded = LoadedScenario(spec=spec, path=Path(str(s["file"])), files=tuple(Path(str(f)) for f in s["extends_chain"]),
                                sha256=str(s["sha256"]), params=values,
                                posterior=scenario_draws(spec)[0])
        return loaded, replicates, workers, files
    except ScenarioError as e:
        raise OutputError(f"{where}: {e}") from None
    except (OSError, ValueError, KeyError, IndexError, TypeError, AttributeError, RecursionError) as e:
        raise OutputError(f"{where}: not a usable tuopin run manifest ({str(e)[:300]})") from None
