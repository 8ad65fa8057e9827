"""The ``tuopin`` command line: run, validate, params.

Bad input gets one line naming the file, the field and what is allowed, exit status 2, and
nothing written.
"""

from __future__ import annotations

import argparse
import sys
from concurrent.futures.process import BrokenProcessPool
from datetime import datetime
from pathlib import Path

from .analysis.calibrate import CalibrationError
from .outputs.results import OutputError
from .inputs.scenario import ScenarioError, load_scenario


def _positive(text: str) -> int:
    try:
        v = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a whole number, got {text!r}") from None
    if v < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {v}")
    return v


def _seed(text: str) -> int:
    try:
        v = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a whole number, got {text!r}") from None
    if not 0 <= v < 2**63:
        raise argparse.ArgumentTypeError(f"must be between 0 and 2**63-1, got {v}")
    return v


def cmd_run(args) -> int:
    from .analysis.forecast import run_to_folder

    overrides = {**({"seed": args.seed} if args.seed is not None else {}),
                 **({"population": {"sample": args.sample}} if args.sample else {})}
    loaded = load_scenario(args.scenario, overrides or None)
    if args.resume and not args.out:
        raise OutputError("--resume needs the --out folder of the interrupted run")
    out = Path(args.out) if args.out else Path("results") / f"{loaded.stem}-{datetime.now():%Y%m%d-%H%M%S}"
    if args.scheduler:
        from .runs.ensemble import dask_executor

        with dask_executor(args.scheduler, args.workers) as ex:
            timings = run_to_folder(loaded, out, replicates=args.replicates, workers=args.workers,
                                    progress=not args.quiet, executor=ex, resume=args.resume)
    else:
        timings = run_to_folder(loaded, out, replicates=args.replicates, workers=args.workers, progress=not args.quiet,
                                resume=args.resume)
    print(f"wrote {out}/ ({args.replicates} replicate{'s' * (args.replicates > 1)}, "
          f"{timings['household_steps_per_second']:,} household-steps/s)")
    return 0


def cmd_rerun(args) -> int:
    """Run again what a results folder's manifest records, and say whether the tables match."""
    import json

    from .analysis.forecast import run_to_folder
    from .inputs.scenario import LoadedScenario, Scenario

    run = Path(args.run)
    try:
        m = json.loads((run / "manifest.json").read_text(encoding="utf-8"))
        spec = Scenario.model_validate(m["scenario"]["spec"])
        loaded = LoadedScenario(spec=spec, path=Path(m["scenario"]["file"]), files=tuple(map(Path, m["scenario"]["extends_chain"])),
                                sha256=m["scenario"]["sha256"], params=m["parameters"])
        replicates, workers = int(m["replicates"]), int(m.get("workers", 1))
    except (OSError, ValueError, KeyError) as e:
        raise OutputError(f"{run}/manifest.json: not a readable tuopin manifest ({e})") from None
    out = Path(args.out) if args.out else run.with_name(run.name + "-rerun")
    run_to_folder(loaded, out, replicates=replicates, workers=workers, progress=not args.quiet)
    tables = sorted(p.name for p in run.glob("*.csv"))
    differ = [t for t in tables if not (out / t).is_file() or (out / t).read_bytes() != (run / t).read_bytes()]
    if differ:
        print(f"rerun into {out}/: tables differ: {', '.join(differ)}")
        return 1
    print(f"rerun into {out}/: all {len(tables)} tables are byte-identical to {run}/")
    return 0


def cmd_import_registry(args) -> int:
    from .inputs.registry import RegistryError, read_registry, write_population

    try:
        imp = read_registry(args.file, skip_bad_rows=args.skip_bad_rows)
    except RegistryError as e:
        print(f"tuopin: error: {e}", file=sys.stderr)
        if e.rows is not None and len(e.rows):
            for _, r in e.rows.head(20).iterrows():
                print(f"  line {r['line']}: {r['reasons']}", file=sys.stderr)
            if len(e.rows) > 20:
                print(f"  … and {len(e.rows) - 20} more rows", file=sys.stderr)
        return 2
    out = write_population(imp, args.out)
    h = imp.households
    print(f"imported {len(h):,} households, {h['people'].sum():,} people into {out}")
    if imp.dropped_personal:
        print(f"dropped personal columns (never stored): {', '.join(imp.dropped_personal)}")
    if len(imp.bad_rows):
        print(f"skipped {len(imp.bad_rows)} bad rows, listed in {out.with_name(out.stem + '.bad_rows.csv')}")
    return 0


def cmd_compare(args) -> int:
    from .outputs import plots
    from .outputs import results
    from .runs.ensemble import run_ensemble
    from .analysis.forecast import COMPARE_COLUMNS, compare_summary, compare_table, compare_totals

    loaded = [load_scenario(p) for p in args.scenario]
    seed = args.seed if args.seed is not None else loaded[0].spec.seed
    out = Path(args.out) if args.out else Path("results") / f"compare-{datetime.now():%Y%m%d-%H%M%S}"
    results.check_destination(out)
    runs = {}
    for s in loaded:  # the same seeds for every scenario: common random numbers
        s = load_scenario(s.path, {"seed": seed})
        name = s.stem if s.stem not in runs else f"{s.stem}#{len(runs) + 1}"
        runs[name] = run_ensemble(s, args.replicates, workers=args.workers, progress=not args.quiet)
    table = compare_table(runs)
    summary = compare_summary(runs)
    with results.atomic_folder(out) as tmp:
        table.to_csv(tmp / "compare.csv", index=False, float_format="%.6g")
        figures = plots.save(plots.compare(compare_totals(runs), loaded[0].spec.region), tmp, "compare") if len(runs) > 1 else []
        (tmp / "compare.md").write_text("# Comparison\n\n" + "\n".join(f"- {line}" for line in summary) + "\n\n"
                                        + "".join(f"![{f}]({f})\n" for f in figures if f.endswith(".png")),
                                        encoding="utf-8")
        results.write_manifest(tmp, scenarios=[str(s.path) for s in loaded], seed=seed, replicates=args.replicates,
                               files=["compare.csv", "compare.md", *figures])
    cols = ["scenario", "year", "target_exits", *COMPARE_COLUMNS, "spend_10k_yuan"]
    print(table[cols].to_string(index=False, float_format=lambda v: f"{v:,.0f}"))
    print("\n".join(summary))
    print(f"wrote {out}/")
    return 0


def _calibration_inputs(args):
    from .analysis.calibrate import DEFAULT_PARAMS, read_data

    overrides = {"population": {"sample": args.sample}} if args.sample else None
    loaded = load_scenario(args.scenario, overrides)
    data_path = Path(args.data)
    params = tuple(p.strip() for p in args.params.split(",") if p.strip()) if args.params else DEFAULT_PARAMS
    options = {"params": list(params), "draws": args.draws, "accept": args.accept, "replicates": args.replicates,
               "seed": args.seed if args.seed is not None else loaded.spec.seed, "sample": loaded.spec.population.sample,
               "workers": args.workers}
    out = Path(args.out) if args.out else Path("results") / f"{args.command}-{loaded.stem}-{datetime.now():%Y%m%d-%H%M%S}"
    return loaded, read_data(data_path), data_path, params, options, out


def cmd_calibrate(args) -> int:
    from .analysis import calibrate as cal
    from .outputs import results

    loaded, data, data_path, params, options, out = _calibration_inputs(args)
    results.check_destination(out)
    through = args.through if args.through is not None else loaded.spec.last_year
    post = cal.calibrate(loaded, data[data["year"] <= through], through, params=params, draws=args.draws,
                         accept=args.accept, replicates=args.replicates, seed=options["seed"], workers=args.workers,
                         progress=not args.quiet)
    fit = cal.calibration_fit_table(loaded, data, post, through, args.replicates, options["seed"], args.workers)
    cal.write_folder(out, loaded, data_path, post, fit, dict(options, through=through))
    print(post.summary[["parameter", "default", "posterior_p50", "posterior_p5", "posterior_p95"]].to_string(index=False))
    print(f"wrote {out}/")
    return 0


def cmd_backtest(args) -> int:
    from .analysis import calibrate as cal
    from .outputs import results

    loaded, data, data_path, params, options, out = _calibration_inputs(args)
    results.check_destination(out)
    post, fit = cal.backtest(loaded, data, args.cutoff, params=params, draws=args.draws, accept=args.accept,
                             replicates=args.replicates, seed=options["seed"], workers=args.workers, progress=not args.quiet)
    cal.write_folder(out, loaded, data_path, post, fit, dict(options, cutoff=args.cutoff), cutoff=args.cutoff)
    sc = cal.scores(fit)
    print(sc.to_string(index=False, float_format=lambda v: f"{v:,.1f}"))
    print(f"wrote {out}/")
    return 0


def _yuan(text: str) -> float:
    """A yearly amount in yuan: 760000000, 7.6e8, 7.6亿 or 76000万."""
    t = text.strip().replace(",", "")
    scale = 1e8 if t.endswith("亿") else 1e4 if t.endswith("万") else 1.0
    try:
        v = float(t.rstrip("亿万")) * scale
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be yuan a year (e.g. 7.6e8 or 7.6亿), got {text!r}") from None
    if not 0 < v < 1e13:
        raise argparse.ArgumentTypeError(f"must be more than 0 and less than 1e13 yuan a year, got {text!r}")
    return v


def _fractions(text: str) -> tuple[float, ...]:
    try:
        v = sorted({float(t) for t in text.split(",") if t.strip()} | {1.0})
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be fractions of the budget separated by commas, got {text!r}") from None
    if not all(0 < f <= 10 for f in v):
        raise argparse.ArgumentTypeError(f"fractions must be above 0 and at most 10, got {text!r}")
    return tuple(v)


def cmd_optimize(args) -> int:
    from .analysis import optimize as opt
    from . import parameters
    from .outputs import results

    loaded = load_scenario(args.scenario, {"seed": args.seed} if args.seed is not None else None)
    constraints = opt.load_constraints(args.constraints, sorted(parameters.levers()))
    sample = args.sample or opt.auto_sample(loaded)
    if sample != loaded.spec.population.sample:
        loaded = load_scenario(args.scenario, {**({"seed": args.seed} if args.seed is not None else {}),
                                               "population": {"sample": sample}})
    out = Path(args.out) if args.out else Path("results") / f"optimize-{loaded.stem}-{datetime.now():%Y%m%d-%H%M%S}"
    results.check_destination(out)
    say = (lambda msg: None) if args.quiet else (lambda msg: print(f"tuopin optimize: {msg}", file=sys.stderr))
    p = opt.plan(loaded, args.budget, args.objective, constraints, replicates=args.replicates, confirm=args.confirm,
                 evaluations=args.evaluations, workers=args.workers, seed=args.seed, progress=say, fractions=args.frontier,
                 constraints_file=str(args.constraints or "constraints"))
    options = {"objective": args.objective, "replicates": args.replicates, "confirm": args.confirm,
               "evaluations": args.evaluations, "workers": args.workers, "sample": sample, "frontier": list(args.frontier),
               "seed": loaded.spec.seed, "constraints": args.constraints}
    opt.write_folder(out, p, loaded, options)
    print(p.split[["lever", "cap_yuan", "share", "seed_allocation_yuan", "uniform_yuan"]].to_string(
        index=False, formatters={"share": "{:.1%}".format}, float_format=lambda v: f"{v:,.0f}"))
    cols = ["budget_fraction", "budget_yuan", "optimised_p50", "optimised_p5", "optimised_p95", "seed_allocation_p50", "uniform_p50"]
    print(p.frontier[cols].to_string(index=False, float_format=lambda v: f"{v:,.2f}" if v < 10 else f"{v:,.0f}"))
    print(f"wrote {out}/")
    return 0


def cmd_sensitivity(args) -> int:
    """Morris or Sobol sensitivity of exits and relapses to the uncertain parameters."""
    import warnings

    from .outputs import results
    from .analysis import sensitivity as sa

    loaded = load_scenario(args.scenario)
    sample = args.sample or sa.auto_sample(loaded)
    if sample > 1:
        loaded = load_scenario(args.scenario, {"population": {"sample": sample}})
    out = Path(args.out) if args.out else Path("results") / f"sensitivity-{loaded.stem}-{datetime.now():%Y%m%d-%H%M%S}"
    results.check_destination(out)
    if args.method == "sobol" and args.samples and args.samples & (args.samples - 1):
        print(f"tuopin sensitivity: warning: --samples {args.samples} is not a power of 2; Sobol indices are less "
              f"accurate (use {1 << (args.samples - 1).bit_length()})", file=sys.stderr)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)  # the power-of-2 note is printed above
            a = sa.run(args.scenario, method=args.method, samples=args.samples, replicates=args.replicates,
                       workers=args.workers, sample=sample, seed=args.seed, only=args.params, progress=not args.quiet)
    except sa.SensitivityError as e:
        print(f"tuopin: error: {e}", file=sys.stderr)
        return 2
    options = {"samples": args.samples or sa.DEFAULT_SAMPLES[args.method], "replicates": args.replicates,
               "workers": args.workers, "sample": sample,
               "seed": args.seed if args.seed is not None else loaded.spec.seed}
    sa.write_folder(out, a, loaded, options)
    key = "mu_star" if args.method == "morris" else "ST"
    cols = ["parameter", f"exits_{key}", f"relapses_{key}", "rank_relapses", "exits_swing", "relapses_swing"]
    print(a.table[cols].head(15).to_string(index=False, float_format=lambda v: f"{v:.3g}" if abs(v) < 10 else f"{v:,.0f}"))
    print(f"{len(a.names)} parameters, {a.evaluations} evaluations in {a.seconds:,.0f} s; wrote {out}/")
    return 0


def cmd_validate(args) -> int:
    for path in args.scenario:
        loaded = load_scenario(path)
        s = loaded.spec
        print(f"{path}: ok — {s.region}, {s.first_year}-{s.last_year}, {s.population.households:,} households, "
              f"{s.population.people:,} people")
    return 0


def cmd_params(args) -> int:
    from .parameters import catalog

    word = (args.grep or "").lower()
    rows = [p for p in catalog().values()
            if word in f"{p.name} {p.description} {p.source}".lower()]
    for p in rows:
        rng = "" if p.min is None else f" [{p.min:g}, {p.max:g}]"
        flag = " (uncertain)" if p.uncertain else ""
        print(f"{p.name} = {p.default} {p.unit}{rng}{flag}\n    {p.description}\n    source: {p.source}")
    print(f"{len(rows)} parameter{'s' * (len(rows) != 1)}")
    return 0


def cmd_app(args) -> int:
    import os
    from pathlib import Path as P

    app = P(__file__).with_name("app.py")
    solara = P(sys.executable).with_name("solara")
    print(f"tuopin app: http://{args.host}:{args.port}/  (Ctrl-C to stop)")
    os.execv(str(solara), [str(solara), "run", str(app), "--host", args.host, "--port", str(args.port), "--production"])


def parser() -> argparse.ArgumentParser:
    ap = argparse.ArgumentParser(prog="tuopin", description="Simulate and forecast poverty exits under 精准扶贫.")
    sub = ap.add_subparsers(dest="command", required=True)
    run = sub.add_parser("run", help="forecast a scenario and write a results folder")
    run.add_argument("scenario", help="scenario TOML file")
    run.add_argument("--out", help="results folder (default: a new folder under results/)")
    run.add_argument("--seed", type=_seed, help="override the scenario's seed")
    run.add_argument("--replicates", type=_positive, default=1, help="replicates with independent seeds (default 1)")
    run.add_argument("--workers", type=_positive, default=1, help="worker processes (default 1)")
    run.add_argument("--sample", type=_positive, metavar="K", help="sampled mode: simulate 1 household and village in K, "
                     "each standing for K (overrides population.sample)")
    run.add_argument("--scheduler", help="run replicates on a Dask cluster: its scheduler address (tcp://host:8786), "
                     "or 'local' for a local cluster of --workers processes on loopback")
    run.add_argument("--resume", action="store_true", help="continue an interrupted run into the same --out from its "
                     "finished replicates (the numbers are the same as an uninterrupted run)")
    run.add_argument("--quiet", action="store_true", help="no progress bar")
    run.set_defaults(func=cmd_run)
    imp = sub.add_parser("import-registry", help="read a 建档立卡 registry export (CSV/Excel) into a population file")
    imp.add_argument("file", help="registry export: .csv (UTF-8 or GBK) or .xlsx")
    imp.add_argument("--out", required=True, help="population file to write (.parquet)")
    imp.add_argument("--skip-bad-rows", action="store_true", help="import the good rows and list the bad ones "
                     "(default: refuse the whole file when any row is bad)")
    imp.set_defaults(func=cmd_import_registry)
    rer = sub.add_parser("rerun", help="reproduce a results folder from its manifest and check the tables match")
    rer.add_argument("run", help="a results folder")
    rer.add_argument("--out", help="where to write the rerun (default: RUN-rerun)")
    rer.add_argument("--quiet", action="store_true")
    rer.set_defaults(func=cmd_rerun)
    cmp = sub.add_parser("compare", help="run scenarios with common random numbers and tabulate them side by side")
    cmp.add_argument("scenario", nargs="+", help="scenario TOML files")
    cmp.add_argument("--out", help="results folder (default: a new folder under results/)")
    cmp.add_argument("--seed", type=_seed, help="the seed shared by all scenarios (default: the first scenario's)")
    cmp.add_argument("--replicates", type=_positive, default=5)
    cmp.add_argument("--workers", type=_positive, default=1)
    cmp.add_argument("--quiet", action="store_true")
    cmp.set_defaults(func=cmd_compare)
    opt = sub.add_parser("optimize", help="split a yearly budget over the levers to maximise an objective; "
                         "the best split and the budget-outcome frontier")
    opt.add_argument("scenario", help="scenario TOML file")
    opt.add_argument("--budget", type=_yuan, required=True, help="total yuan a year to split (7.6e8 or 7.6亿)")
    opt.add_argument("--objective", choices=("sustained_exits", "shortfall", "relapse"), default="sustained_exits",
                     help="maximise sustained exits (default), or minimise the shortfall against targets or relapses")
    opt.add_argument("--constraints", help="TOML file: doudi_coverage, [levers.<name>] min, max, min_share, "
                     "max_share, fixed, exclude")
    opt.add_argument("--replicates", type=_positive, default=3, help="common replicate seeds per candidate (default 3)")
    opt.add_argument("--confirm", type=_positive, default=20, help="fresh common seeds to compare the best split with "
                     "the seed allocation and the uniform split (default 20)")
    opt.add_argument("--evaluations", type=_positive, default=100, help="candidate splits per budget level (default 100)")
    opt.add_argument("--frontier", type=_fractions, default=(0.5, 0.75, 1.0, 1.25, 1.5), metavar="F,F,…",
                     help="budget levels for the frontier, as fractions of --budget (default 0.5,0.75,1,1.25,1.5; "
                     "1 is always included)")
    opt.add_argument("--workers", type=_positive, default=1)
    opt.add_argument("--sample", type=_positive, metavar="K", help="simulate 1 household in K (default: about "
                     "10,000 simulated households; --sample 1 for the whole population)")
    opt.add_argument("--seed", type=_seed, help="override the scenario's seed")
    opt.add_argument("--out", help="results folder (default: a new folder under results/)")
    opt.add_argument("--quiet", action="store_true")
    opt.set_defaults(func=cmd_optimize)
    for name, what in (("calibrate", "fit behavioural parameters to observed aggregates (ABC) and write a calibrated scenario"),
                       ("backtest", "calibrate on the years up to a cut-off and score the forecast of the years after it")):
        c = sub.add_parser(name, help=what)
        c.add_argument("scenario", help="scenario TOML file")
        c.add_argument("--data", required=True, help="observed series, CSV like data/national_series.csv "
                       "(year, poor_headcount_10k, lifted_out_10k)")
        if name == "calibrate":
            c.add_argument("--through", type=int, help="fit years up to this one (default: the scenario's last year)")
        else:
            c.add_argument("--cutoff", type=int, required=True, help="last year the calibration may see")
        c.add_argument("--params", help="comma-separated catalog parameters to fit (default: income growth and spread, "
                       "starting income, industry take-up, relapse detection)")
        c.add_argument("--draws", type=_positive, default=128, help="ABC draws (default 128)")
        c.add_argument("--accept", type=float, default=0.1, help="share of draws accepted (default 0.1)")
        c.add_argument("--replicates", type=_positive, default=1, help="replicates per draw (default 1)")
        c.add_argument("--sample", type=_positive, metavar="K", help="simulate 1 household in K (sampled mode)")
        c.add_argument("--workers", type=_positive, default=1)
        c.add_argument("--seed", type=_seed)
        c.add_argument("--out", help="results folder (default: a new folder under results/)")
        c.add_argument("--quiet", action="store_true")
        c.set_defaults(func=cmd_calibrate if name == "calibrate" else cmd_backtest)
    sen = sub.add_parser("sensitivity", help="Morris or Sobol sensitivity of exits and relapses to the uncertain "
                         "parameters over their plausible ranges, with a tornado chart")
    sen.add_argument("scenario", help="scenario TOML file")
    sen.add_argument("--method", choices=("morris", "sobol"), default="morris",
                     help="morris (screening, default) or sobol (variance shares; slower)")
    sen.add_argument("--samples", type=_positive, help="Morris trajectories (default 10) or Sobol base sample N, "
                     "a power of 2 (default 64); runs: Morris N x (D+1), Sobol N x (2D+2), D parameters")
    sen.add_argument("--replicates", type=_positive, default=2, help="common replicate seeds per point (default 2)")
    sen.add_argument("--workers", type=_positive, default=1)
    sen.add_argument("--sample", type=_positive, metavar="K", help="simulate 1 household in K (default: 20 for "
                     "synthetic populations of 40,000 households or more, else the whole population)")
    sen.add_argument("--params", metavar="GLOBS", help="only these uncertain parameters: comma-separated names or "
                     "globs (income.*,health.*)")
    sen.add_argument("--seed", type=_seed, help="override the scenario's seed")
    sen.add_argument("--out", help="results folder (default: a new folder under results/)")
    sen.add_argument("--quiet", action="store_true")
    sen.set_defaults(func=cmd_sensitivity)
    val = sub.add_parser("validate", help="check scenario files and say what is wrong")
    val.add_argument("scenario", nargs="+")
    val.set_defaults(func=cmd_validate)
    app = sub.add_parser("app", help="start the interactive page (SolaraViz) on this machine")
    app.add_argument("--host", default="127.0.0.1", help="address to listen on (default: loopback only)")
    app.add_argument("--port", type=int, default=8765)
    app.set_defaults(func=cmd_app)
    par = sub.add_parser("params", help="list the parameter catalog")
    par.add_argument("--grep", help="only parameters whose name, description or source contains WORD")
    par.set_defaults(func=cmd_params)
    return ap


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        return args.func(args)
    except ScenarioError as e:
        print(f"tuopin: error: {e}", file=sys.stderr)
        return 2
    except OutputError as e:
        print(f"tuopin: error: --out: {e}", file=sys.stderr)
        return 2
    except CalibrationError as e:
        print(f"tuopin: error: {e}", file=sys.stderr)
        return 2
    except BrokenProcessPool:
        print("tuopin: error: a worker process died; no results folder was written (finished replicates are "
              "kept: run again with --resume)", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("tuopin: interrupted; no results folder was written (finished replicates are kept: "
              "run again with --resume)", file=sys.stderr)
        return 130
    except BrokenPipeError:  # the reader went away (`tuopin params | head`): stop quietly
        import os

        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # so the exit flush cannot fail again
        return 0


if __name__ == "__main__":
    sys.exit(main())
