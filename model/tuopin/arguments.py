"""The ``tuopin`` command line's arguments: the parser and the argument types (checked on parsing)."""

from __future__ import annotations

import argparse
import math
import os

# upper bounds on every option that sizes work or memory, checked when the command line is read
MAX_REPLICATES = 10_000
MAX_WORKERS = max(64, 4 * (os.cpu_count() or 1))
MAX_SAMPLE = 100_000      # as population.sample in the scenario schema
MAX_DRAWS = 100_000
MAX_EVALUATIONS = 10_000
MAX_SAMPLES = 8192        # Morris trajectories or the Sobol base sample
MAX_FRONTIER = 25
FORCE_HELP = ("replace an existing destination if tuopin wrote it (a folder whose manifest lists everything in it, "
              "or a population file tuopin wrote); never a file tuopin did not write, never an input")


def _whole(text: str, lo: int, hi: int) -> int:
    try:
        v = int(text.strip().replace("_", "")) if len(text) <= 30 else None
    except ValueError:
        v = None
    if v is None:
        raise argparse.ArgumentTypeError(f"must be a whole number from {lo:,} to {hi:,}, got {text[:40]!r}")
    if not lo <= v <= hi:
        raise argparse.ArgumentTypeError(f"must be from {lo:,} to {hi:,}, got {v:,}")
    return v


def bounded(hi: int, lo: int = 1):
    """An argument type: a whole number from ``lo`` to ``hi``."""
    def check(text: str) -> int:
        return _whole(text, lo, hi)
    check.__name__ = "whole number"
    return check


_positive = bounded(MAX_REPLICATES)


def _path(text: str) -> str:
    """A file or folder path: not empty, no NUL or line breaks, not absurdly long."""
    if not text.strip() or any(c in text for c in "\0\n\r") or len(text) > 4096:
        raise argparse.ArgumentTypeError(f"must be a file or folder path, got {text[:60]!r}")
    return text


def _share(text: str) -> float:
    try:
        v = float(text)
    except ValueError:
        v = math.nan
    if not 0 < v <= 1:
        raise argparse.ArgumentTypeError(f"must be a share above 0 and at most 1, got {text[:40]!r}")
    return v


def _year(text: str) -> int:
    return _whole(text, 2000, 2100)


def _seed(text: str) -> int:
    try:
        v = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a whole number, got {text!r}") from None
    if not 0 <= v < 2**63:
        raise argparse.ArgumentTypeError(f"must be between 0 and 2**63-1, got {v}")
    return v


def _yuan(text: str) -> float:
    """A yearly amount in yuan: 760000000, 7.6e8, 7.6亿 or 76000万."""
    t = text.strip().replace(",", "")
    scale = 1e8 if t.endswith("亿") else 1e4 if t.endswith("万") else 1.0
    try:
        v = float(t[:-1] if scale > 1 else t) * scale
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be yuan a year (e.g. 7.6e8 or 7.6亿), got {text!r}") from None
    if not 0 < v < 1e13:  # also refuses nan
        raise argparse.ArgumentTypeError(f"must be more than 0 and less than 1e13 yuan a year, got {text!r}")
    return v


def _fractions(text: str) -> tuple[float, ...]:
    try:
        v = sorted({float(t) for t in text.split(",")[:MAX_FRONTIER + 1] if t.strip()} | {1.0})
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be fractions of the budget separated by commas, got {text[:60]!r}") from None
    if len(v) > MAX_FRONTIER:
        raise argparse.ArgumentTypeError(f"at most {MAX_FRONTIER} budget levels")
    if not all(0 < f <= 10 for f in v):
        raise argparse.ArgumentTypeError(f"fractions must be above 0 and at most 10, got {text!r}")
    return tuple(v)


def _at_risk(text: str) -> int | None:
    """How many households at_risk.csv lists: a whole number, or ``all`` (None)."""
    if text.strip().lower() == "all":
        return None
    try:
        v = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a whole number of households or 'all', got {text!r}") from None
    if v < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1 (or 'all'), got {v}")
    return v


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("tuopin")
    except PackageNotFoundError:  # run from a source tree without installing
        return "unknown (not installed)"


QUIET = "no progress bar"
WORKERS = "worker processes (default 1)"


def _results_folder(p: argparse.ArgumentParser) -> None:
    """The options of every command that writes a results folder."""
    p.add_argument("--out", type=_path, help="results folder (default: a new folder under results/)")
    p.add_argument("--quiet", action="store_true", help=QUIET)
    p.add_argument("--force", action="store_true", help=FORCE_HELP)


def parser(commands: dict) -> argparse.ArgumentParser:
    """The parser; ``commands`` maps each subcommand to the function that carries it out."""
    ap = argparse.ArgumentParser(prog="tuopin", description="Simulate and forecast poverty exits under 精准扶贫.")
    ap.add_argument("--version", action="version", version=f"%(prog)s {_version()}", help="print the version and exit")
    sub = ap.add_subparsers(dest="command", required=True)
    run = sub.add_parser("run", help="forecast a scenario and write a results folder")
    run.add_argument("scenario", type=_path, help="scenario TOML file")
    run.add_argument("--seed", type=_seed, help="override the scenario's seed")
    run.add_argument("--replicates", type=_positive, default=1, help="replicates with independent seeds (default 1)")
    run.add_argument("--workers", type=bounded(MAX_WORKERS), default=1, help="worker processes (default 1)")
    run.add_argument("--sample", type=bounded(MAX_SAMPLE), metavar="K", help="sampled mode: simulate 1 household and village in K, "
                     "each standing for K (overrides population.sample)")
    run.add_argument("--posterior", type=_path, metavar="FILE", help="parameter draws (tuopin calibrate's posterior.csv): each "
                     "replicate runs one, so the bands include parameter uncertainty (overrides the scenario's)")
    run.add_argument("--transfer", action="store_true", help="the posterior was fitted on another region (e.g. the "
                     "national one): take only its behavioural parameters, not the population section nor what the "
                     "scenario sets itself (the report lists both)")
    run.add_argument("--scheduler", help="run replicates on a Dask cluster: its scheduler address (tcp://host:8786), "
                     "or 'local' for a local cluster of --workers processes on loopback")
    run.add_argument("--resume", action="store_true", help="continue an interrupted run into the same --out from its "
                     "finished replicates (the numbers are the same as an uninterrupted run)")
    run.add_argument("--at-risk", type=_at_risk, default=1000, metavar="N|all", dest="at_risk",
                     help="households listed in at_risk.csv, most at risk first (default 1000; 'all' for every exited one)")
    run.add_argument("--levers", action="store_true", help="also run the scenario with each lever switched off in turn "
                     "(and 因户施策 off) on the same seeds: what each lever buys, in levers.csv and the report "
                     "(about 12 times the work)")
    _results_folder(run)
    run.set_defaults(func=commands["run"])
    imp = sub.add_parser("import-registry", help="read a 建档立卡 registry export (CSV/Excel) into a population file")
    imp.add_argument("file", type=_path, help="registry export: .csv (UTF-8 or GBK) or .xlsx")
    imp.add_argument("--out", type=_path, required=True, help="population file to write (.parquet)")
    imp.add_argument("--hash-ids", action="store_true", help="replace every household, village and county code by a "
                     "salted hash (random salt, not stored) instead of refusing codes shaped like ID card or phone numbers")
    imp.add_argument("--skip-bad-rows", action="store_true", help="import the good rows and list the bad ones "
                     "(default: refuse the whole file when any row is bad)")
    imp.add_argument("--force", action="store_true", help=FORCE_HELP)
    imp.set_defaults(func=commands["import_registry"])
    rer = sub.add_parser("rerun", help="reproduce a results folder from its manifest and check the tables match")
    rer.add_argument("run", type=_path, help="a results folder")
    rer.add_argument("--out", type=_path, help="where to write the rerun (default: RUN-rerun)")
    rer.add_argument("--quiet", action="store_true", help=QUIET)
    rer.add_argument("--force", action="store_true", help=FORCE_HELP)
    rer.set_defaults(func=commands["rerun"])
    cmp = sub.add_parser("compare", help="run scenarios with common random numbers and tabulate them side by side")
    cmp.add_argument("scenario", type=_path, nargs="+", help="scenario TOML files")
    cmp.add_argument("--seed", type=_seed, help="the seed shared by all scenarios (default: the first scenario's)")
    cmp.add_argument("--replicates", type=_positive, default=5, help="replicates per scenario, paired by seed (default 5)")
    cmp.add_argument("--workers", type=bounded(MAX_WORKERS), default=1, help=WORKERS)
    cmp.add_argument("--allow-other-regions", action="store_true", dest="allow_other_regions",
                     help="compare scenarios of different regions (refused by default: their differences are not a "
                     "policy's effect)")
    _results_folder(cmp)
    cmp.set_defaults(func=commands["compare"])
    lev = sub.add_parser("levers", help="what each lever buys: paired runs with each lever switched off in turn "
                         "(and 因户施策 off), on common random numbers")
    lev.add_argument("scenario", type=_path, help="scenario TOML file")
    lev.add_argument("--replicates", type=_positive, default=10, help="replicates per variant, paired by seed (default 10)")
    lev.add_argument("--workers", type=bounded(MAX_WORKERS), default=1, help=WORKERS)
    lev.add_argument("--sample", type=bounded(MAX_SAMPLE), metavar="K", help="sampled mode: simulate 1 household and "
                     "village in K (overrides population.sample)")
    lev.add_argument("--seed", type=_seed, help="override the scenario's seed")
    _results_folder(lev)
    lev.set_defaults(func=commands["levers"])
    opt = sub.add_parser("optimize", help="split a yearly budget over the levers to maximise an objective; "
                         "the best split and the budget-outcome frontier")
    opt.add_argument("scenario", type=_path, help="scenario TOML file")
    opt.add_argument("--budget", type=_yuan, required=True, help="total yuan a year to split (7.6e8 or 7.6亿)")
    opt.add_argument("--objective", choices=("sustained_exits", "shortfall", "relapse"), default="sustained_exits",
                     help="maximise sustained exits (default), or minimise the shortfall against targets or relapses")
    opt.add_argument("--constraints", type=_path, help="TOML file: doudi_coverage, [levers.<name>] min, max, min_share, "
                     "max_share, fixed, exclude")
    opt.add_argument("--replicates", type=_positive, default=3, help="common replicate seeds per candidate (default 3)")
    opt.add_argument("--confirm", type=bounded(MAX_EVALUATIONS), default=20, help="fresh common seeds to compare the best split with "
                     "the seed allocation and the uniform split (default 20)")
    opt.add_argument("--evaluations", type=bounded(MAX_EVALUATIONS), default=100, help="candidate splits per budget level (default 100)")
    opt.add_argument("--frontier", type=_fractions, default=(0.5, 0.75, 1.0, 1.25, 1.5), metavar="F,F,…",
                     help="budget levels for the frontier, as fractions of --budget (default 0.5,0.75,1,1.25,1.5; "
                     "1 is always included)")
    opt.add_argument("--workers", type=bounded(MAX_WORKERS), default=1, help=WORKERS)
    opt.add_argument("--sample", type=bounded(MAX_SAMPLE), metavar="K", help="simulate 1 household in K (default: about "
                     "10,000 simulated households; --sample 1 for the whole population)")
    opt.add_argument("--seed", type=_seed, help="override the scenario's seed")
    _results_folder(opt)
    opt.set_defaults(func=commands["optimize"])
    for name, what in (("calibrate", "fit behavioural parameters to observed aggregates (ABC) and write a calibrated scenario"),
                       ("backtest", "calibrate on the years up to a cut-off and score the forecast of the years after it")):
        c = sub.add_parser(name, help=what)
        c.add_argument("scenario", type=_path, help="scenario TOML file")
        c.add_argument("--data", type=_path, required=True, help="observed series, CSV like data/national_series.csv "
                       "(year, poor_headcount_10k, lifted_out_10k)")
        if name == "calibrate":
            c.add_argument("--through", type=_year, help="fit years up to this one (default: the scenario's last year)")
        else:
            c.add_argument("--cutoff", type=_year, required=True, help="last year the calibration may see")
        c.add_argument("--params", help="comma-separated catalog parameters to fit (default: income growth and spread, "
                       "starting income, industry take-up)")
        c.add_argument("--method", choices=("abc-pmc", "tpe-abc", "rejection"), default="abc-pmc",
                       help="abc-pmc (default): ABC population Monte Carlo from the prior box, in generations with a "
                       "falling tolerance; tpe-abc: the same after an Optuna TPE search, its first generation around the "
                       "search's best trials (kept for comparison: its posterior can come out too narrow); rejection: ABC "
                       "rejection from the prior box")
        c.add_argument("--trials", type=bounded(MAX_DRAWS, 3), help="TPE search trials (tpe-abc only; default 16 per "
                       "parameter and 16 more)")
        c.add_argument("--draws", type=bounded(MAX_DRAWS, 2), default=320, help="posterior draws: ABC-PMC draws over "
                       "its generations (abc-pmc, tpe-abc) or prior draws (rejection) (default 320)")
        c.add_argument("--accept", type=_share, help="abc-pmc, tpe-abc: the quantile of a generation's accepted distances "
                       "that is the next generation's tolerance (default 0.5); rejection: the share of the draws accepted "
                       "(default 0.1)")
        c.add_argument("--replicates", type=_positive, default=1, help="replicates per draw (default 1)")
        c.add_argument("--sample", type=bounded(MAX_SAMPLE), metavar="K", help="simulate 1 household in K (sampled mode)")
        c.add_argument("--workers", type=bounded(MAX_WORKERS), default=1, help=WORKERS)
        c.add_argument("--seed", type=_seed, help="override the scenario's seed")
        _results_folder(c)
        c.set_defaults(func=commands[name])
    sen = sub.add_parser("sensitivity", help="Morris or Sobol sensitivity of exits and relapses to the uncertain "
                         "parameters over their plausible ranges, with a tornado chart")
    sen.add_argument("scenario", type=_path, help="scenario TOML file")
    sen.add_argument("--method", choices=("morris", "sobol"), default="morris",
                     help="morris (screening, default) or sobol (variance shares; slower)")
    sen.add_argument("--samples", type=bounded(MAX_SAMPLES), help="Morris trajectories (default 10) or Sobol base sample N, "
                     "a power of 2 (default 64); runs: Morris N x (D+1), Sobol N x (2D+2), D parameters")
    sen.add_argument("--replicates", type=_positive, default=2, help="common replicate seeds per point (default 2)")
    sen.add_argument("--workers", type=bounded(MAX_WORKERS), default=1, help=WORKERS)
    sen.add_argument("--sample", type=bounded(MAX_SAMPLE), metavar="K", help="simulate 1 household in K (default: 20 for "
                     "synthetic populations of 40,000 households or more, else the whole population)")
    sen.add_argument("--params", metavar="GLOBS", help="only these uncertain parameters: comma-separated names or "
                     "globs (income.*,health.*)")
    sen.add_argument("--seed", type=_seed, help="override the scenario's seed")
    _results_folder(sen)
    sen.set_defaults(func=commands["sensitivity"])
    val = sub.add_parser("validate", help="check scenario files and say what is wrong")
    val.add_argument("scenario", type=_path, nargs="+", help="scenario TOML files; every one is checked and every problem listed")
    val.set_defaults(func=commands["validate"])
    app = sub.add_parser("app", help="start the interactive page (SolaraViz) on this machine")
    app.add_argument("--host", default="127.0.0.1", help="address to listen on (default: loopback only)")
    app.add_argument("--port", type=bounded(65535), default=8765, help="port to listen on (default 8765)")
    app.set_defaults(func=commands["app"])
    par = sub.add_parser("params", help="list the parameter catalog")
    par.add_argument("--grep", help="only parameters whose name, description or source contains WORD")
    par.set_defaults(func=commands["params"])
    return ap
