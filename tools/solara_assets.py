"""Install the browser assets Solara's page loads from a CDN into Solara's local asset cache, from
the npm registry, so that the interactive page works on a machine with no other network.

Solara serves ``/_solara/cdn/<package>@<version>/...`` from ``settings.assets.proxy_cache_dir`` when
the file is there and fetches it from the CDN otherwise. This reads the package versions Solara's
page template asks for, runs ``npm pack`` for each and unpacks it into that cache. Run once at
set-up (``make install`` does); it does nothing for packages already cached.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

import solara.server.settings as settings


# Solara's documentation search: not used by tuopin's page (Markdown does load mermaid and katex)
SKIP = ("algoliasearch",)
PATTERN = re.compile(r"/((?:@[a-z0-9._-]+/)?[a-z0-9._-]+@\d+\.\d+\.\d+(?:-[a-z0-9.]+)?)/")


def wanted() -> set[str]:
    """npm package@version specs that Solara's page and components load from the CDN."""
    root = Path(settings.__file__).parents[1]
    found = set(PATTERN.findall(settings.assets.fontawesome_path))
    for path in root.rglob("*"):
        if path.suffix in (".py", ".vue", ".j2", ".js") and path.is_file():
            found.update(PATTERN.findall(path.read_text(encoding="utf-8", errors="ignore")))
    scoped = {spec.split("/", 1)[1] for spec in found if spec.startswith("@")}
    return {spec for spec in found
            if not spec.split("@")[-2].split("/")[-1].startswith(SKIP) and spec not in scoped}


def main() -> int:
    cache = Path(settings.assets.proxy_cache_dir)
    todo = sorted(p for p in wanted() if not (cache / p).is_dir())
    if not todo:
        print(f"solara assets: all cached in {cache}")
        return 0
    if not shutil.which("npm"):
        print("solara assets: npm not found; the interactive page will need the CDN", file=sys.stderr)
        return 0
    with tempfile.TemporaryDirectory() as tmp:
        for spec in todo:
            r = subprocess.run(["npm", "pack", spec, "--silent"], cwd=tmp, capture_output=True, text=True)
            if r.returncode:
                print(f"solara assets: npm pack {spec} failed: {r.stderr.strip()[:300]}", file=sys.stderr)
                continue
            tgz = Path(tmp) / r.stdout.strip().splitlines()[-1]
            dest = cache / spec
            with tarfile.open(tgz) as tar:
                tar.extractall(Path(tmp) / "x", filter="data")
            dest.parent.mkdir(parents=True, exist_ok=True)
            shutil.move(str(Path(tmp) / "x" / "package"), dest)
            shutil.rmtree(Path(tmp) / "x")
            print(f"solara assets: {spec} -> {dest}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
