"""The comparison's results folder: compare.csv, the totals chart, compare.md and the manifest."""

from __future__ import annotations

from pathlib import Path

from ..analysis.compare import Comparison
from . import plots, results
from .tables import FLOAT_FORMAT, for_people


def write_folder(out: Path, c: Comparison, replicates: int, workers: int) -> None:
    with results.results_folder(out, "compare", c.scenarios, seed=c.seed, replicates=replicates, workers=workers,
                                timings={"wall_seconds": round(c.seconds, 4)}) as f:
        f.table("compare.csv", for_people(c.table), float_format=FLOAT_FORMAT)
        names = {key: s.spec.name for key, s in zip(c.runs, c.scenarios)}
        figures = f.figure(plots.compare(c.totals, c.scenarios[0].spec.region, names), "compare") if len(c.runs) > 1 else []
        f.text("compare.md", "# Comparison\n\n" + "\n".join(f"- {line}" for line in c.summary) + "\n\n"
               + "".join(f"![{name}]({name})\n" for name in figures if name.endswith(".png")))
