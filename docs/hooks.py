"""MkDocs hooks for the site.

- Links from a page to repository files outside docs/ (``[the data](../data/README.md)``) have no page
  on the site: they become the text followed by the file's path in the repository, so ``mkdocs build
  --strict`` still fails on every other broken link.
- ``<!-- parameters: SECTION -->`` becomes the table of that catalog section (name, default, unit,
  range, meaning), read from the catalog itself so the page cannot drift from it.
"""

import re
import sys
from pathlib import Path

OUTSIDE = re.compile(r"\[([^\]]+)\]\(\.\./([^)#\s]+)\)")
PARAMETERS = re.compile(r"<!-- parameters: (\w+) -->")


def _catalog(config):
    sys.path.insert(0, str(Path(config.config_file_path).parent / "model"))
    from tuopin import parameters

    return parameters.catalog()


def _table(section: str, catalog) -> str:
    rows = [p for name, p in catalog.items() if name.split(".")[0] == section]
    if not rows:
        raise ValueError(f"no catalog section {section!r}")
    def cell(v, unit=""):
        if isinstance(v, bool) or not isinstance(v, (int, float)):
            return str(v).replace("|", "/")
        return f"{v:.10g}" if unit == "year" else f"{v:,.10g}"

    lines = [f"Parameters (`{section}.*`):", "", "| name | default | unit | range | meaning |", "|---|---|---|---|---|"]
    for p in rows:
        rng = "" if p.min is None and p.max is None else f"{cell(p.min, p.unit)} – {cell(p.max, p.unit)}"
        lines.append(f"| `{p.name.split('.', 1)[1]}` | {cell(p.default, p.unit)} | {p.unit or ''} | {rng} | "
                     f"{p.description.replace('|', '/')} |")
    return "\n".join(lines) + "\n"


def on_page_markdown(markdown, page, config, files):
    if PARAMETERS.search(markdown):
        catalog = _catalog(config)
        markdown = PARAMETERS.sub(lambda m: _table(m.group(1), catalog), markdown)
    return OUTSIDE.sub(lambda m: f"{m.group(1)} (`{m.group(2)}` in the repository)", markdown)
