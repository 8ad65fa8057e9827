"""How an input file says what is wrong: the error with file, field and message, and the translation
of pydantic's validation errors into (field, message) pairs for every input (scenarios, constraints)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path

from pydantic import ValidationError

from .. import parameters


class ScenarioError(Exception):
    """What is wrong with a scenario file: which file, which field, what is allowed. ``field`` and
    ``message`` are the first problem; ``problems`` lists every one found as (field, message)."""

    def __init__(self, file: Path | str, field: str, message: str, problems: list[tuple[str, str]] | None = None):
        self.file, self.field, self.message = str(file), field, message
        self.problems = problems or [(field, message)]
        super().__init__(f"{self.file}: {field}: {message}" + "".join(f"\n  also {f}: {m}" for f, m in self.problems[1:]))


class FieldProblem(ValueError):
    """A validator's complaint about one field (a path below the model being validated)."""

    def __init__(self, field: str, message: str):
        self.field = field
        super().__init__(message)


def explain_all(e: ValidationError, allowed: Callable[[tuple], Iterable[str]] | None = None) -> list[tuple[str, str]]:
    """Every problem of a pydantic error as (field path, message): the one way every input file
    (scenarios, constraints) says what is wrong. ``allowed(loc)`` lists the known fields at ``loc``."""
    out = []
    for err in e.errors():
        loc, msg = err["loc"], err["msg"].removeprefix("Value error, ")
        problem = err.get("ctx", {}).get("error")
        if isinstance(problem, FieldProblem):
            loc, msg = (*loc, *problem.field.split(".")), str(problem)
        if err["type"] == "extra_forbidden":
            known = list(allowed(loc)) if allowed else []
            msg = "is not a known field" + (parameters.suggest(str(loc[-1]), known) if known else "") \
                + (f"; allowed: {', '.join(known)}" if known else "")
        elif err["type"] == "missing":
            msg = "is required"
        out.append((_field_path(loc), msg))
    return out


def explain(e: ValidationError, allowed: Callable[[tuple], Iterable[str]] | None = None) -> tuple[str, str]:
    """The first problem of a pydantic error as (field path, message), the others appended to the
    message, so a one-line error still names them all."""
    (field_, msg), *rest = explain_all(e, allowed)
    return field_, msg + ("".join(f"; also {f}: {m}" for f, m in rest))


def _field_path(loc: tuple) -> str:
    parts = [str(p) for p in loc if not str(p).startswith("function-after") and str(p) != "[key]"]
    return ".".join(parts) or "(top level)"
