"""``tuopin import-registry``'s writer: the population file (Parquet) and the bad rows beside it.

The Parquet file carries what the import did in its schema metadata (key ``tuopin``): the source
file and its sha256, the rows kept and skipped, the columns dropped (personal, unused) and hashed.
Only a file carrying that mark is replaced, and only with ``--force``; the registry itself, or any
other input, is never overwritten.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from .results import OutputError, check_not_input, force, neutralised, write_table

MARK = b"tuopin"


def _ours(path: Path) -> bool:
    """Whether ``path`` is a population file tuopin wrote (it carries the import's metadata)."""
    try:
        return MARK in (pq.read_schema(path).metadata or {})
    except Exception:  # noqa: BLE001 - not Parquet at all
        return False


def _check(out: Path, bad: Path, source: Path) -> None:
    if out.suffix.lower() != ".parquet":
        raise OutputError(f"{out}: the population file must end in .parquet")
    check_not_input(out, [source])
    check_not_input(bad, [source])
    if out.is_dir():
        raise OutputError(f"{out} is a folder")
    existing = [p for p in (out, bad) if p.exists()]
    if not existing:
        return
    if not force():
        raise OutputError(f"{existing[0]} already exists; choose another --out, or pass --force to replace "
                          "a population file tuopin wrote")
    if not (out.exists() and _ours(out)):
        raise OutputError(f"{existing[0]} cannot be replaced: {out} is not a population file tuopin wrote")


def write_population(imported, out: str | Path, source: str | Path) -> Path:
    """Write the households as Parquet (atomically; text cells neutralised) with the import's record
    in its metadata, and the bad rows beside it when there are any (an older list is removed)."""
    out, source = Path(out), Path(source)
    bad = out.with_name(out.stem + ".bad_rows.csv")
    _check(out, bad, source)
    record = {"source": source.name, "source_sha256": hashlib.sha256(source.read_bytes()).hexdigest(),
              "households": len(imported.households), "bad_rows_skipped": len(imported.bad_rows),
              "dropped_personal_columns": imported.dropped_personal, "dropped_unused_columns": imported.dropped_unused,
              "hashed_columns": imported.hashed}
    table = pa.Table.from_pandas(neutralised(imported.households), preserve_index=False)
    table = table.replace_schema_metadata({**(table.schema.metadata or {}), MARK: json.dumps(record).encode()})
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{out.name}.", dir=out.parent)
        os.close(fd)
        try:
            pq.write_table(table, tmp)
            if len(imported.bad_rows):
                write_table(imported.bad_rows, Path(tmp + ".bad"))
                os.replace(tmp + ".bad", bad)
            elif bad.exists():
                bad.unlink()  # the list of an earlier import into this file (checked to be ours above)
            os.replace(tmp, out)
        finally:
            for t in (tmp, tmp + ".bad"):
                if os.path.exists(t):
                    os.unlink(t)
    except OSError as e:
        raise OutputError(f"cannot write {out}: {e.strerror or e}") from None
    return out
