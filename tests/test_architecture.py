"""The house rules, read from the source with ``ast``: imports only go down the layers
(parameters → inputs → sim → runs → analysis → outputs → cli/app), no import cycles between
modules (function-level imports included), only the runner starts processes, no module over 450
lines. Imports under ``if TYPE_CHECKING:`` are for type hints only and do not count."""

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "model" / "tuopin"
LAYERS = ("parameters", "inputs", "sim", "runs", "analysis", "outputs")  # then the top: cli, app, arguments
RUNNER = "tuopin.runs.runner"
PROCESS_MODULES = ("concurrent.futures", "multiprocessing", "dask.distributed")
PROCESS_CALLS = {"ProcessPoolExecutor", "ThreadPoolExecutor", "Pool", "Client", "LocalCluster"}
MAX_LINES = 450


def _name(path: Path) -> str:
    parts = ("tuopin", *path.relative_to(PACKAGE).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def _type_checking(node: ast.AST) -> bool:
    return isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test)


def _nodes(tree: ast.AST):
    """Every node, skipping the bodies of ``if TYPE_CHECKING:`` blocks."""
    stack = [tree]
    while stack:
        node = stack.pop()
        yield node
        stack.extend(c for c in ast.iter_child_nodes(node) if not _type_checking(c))


def _imports(module: str) -> list[str]:
    """Modules imported by ``module`` (absolute names; a package's own modules resolved)."""
    path = MODULES[module]
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    out = []
    for node in _nodes(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            out += [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parent = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join(parent + ([node.module] if node.module else []))
            out += [f"{base}.{a.name}" if f"{base}.{a.name}" in MODULES else base for a in node.names]
    return out


def _internal(module: str) -> set[str]:
    return {m for m in _imports(module) if m in MODULES and m != module}


def _layer(module: str) -> int:
    parts = module.split(".")
    return LAYERS.index(parts[1]) if len(parts) > 1 and parts[1] in LAYERS else len(LAYERS)


def test_no_import_cycles():
    graph = {m: _internal(m) for m in MODULES}
    state: dict[str, int] = {}   # 1: on the current path, 2: done
    cycles = []

    def visit(m, path):
        state[m] = 1
        for n in sorted(graph[m]):
            if state.get(n) == 1:
                cycles.append(" -> ".join(path[path.index(n):] + [n]))
            elif n not in state:
                visit(n, path + [n])
        state[m] = 2

    for m in sorted(graph):
        if m not in state:
            visit(m, [m])
    assert not cycles, "import cycles:\n" + "\n".join(cycles)


def test_imports_only_go_down_the_layers():
    up = [f"{m} ({LAYERS[_layer(m)] if _layer(m) < len(LAYERS) else 'top'}) imports {n}"
          for m in MODULES for n in sorted(_internal(m)) if _layer(n) > _layer(m)]
    assert not up, "imports going up the layers:\n" + "\n".join(up)


def test_only_the_runner_starts_processes():
    found = []
    for m, path in MODULES.items():
        if m == RUNNER:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        found += [f"{m} imports {i}" for i in _imports(m) if i.startswith(PROCESS_MODULES)]
        found += [f"{m} calls {ast.unparse(n.func)}" for n in _nodes(tree) if isinstance(n, ast.Call)
                  and (n.func.attr if isinstance(n.func, ast.Attribute) else getattr(n.func, "id", "")) in PROCESS_CALLS]
    assert not found, "process pools outside the runner:\n" + "\n".join(found)


@pytest.mark.parametrize("module", sorted(MODULES))
def test_module_is_at_most_450_lines(module):
    lines = MODULES[module].read_text(encoding="utf-8").count("\n")
    assert lines <= MAX_LINES, f"{module}: {lines} lines"
