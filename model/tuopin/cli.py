"""The ``tuopin`` command line: parse the arguments (:mod:`.arguments`), call the analysis and the
writer of its results folder, print a summary.

Bad input gets one line naming the file, the field and what is allowed, exit status 2, and
nothing written.
"""

from __future__ import annotations

import sys
import time
from datetime import datetime
from pathlib import Path

from .analysis.calibrate import CalibrationError
from .arguments import parser
from .inputs.scenario import ScenarioError, load_scenario
from .outputs.results import OutputError, check_destination, input_files, replacing
from .runs.runner import SchedulerError, WorkerLost, check_scheduler, start_pool_server


def _out(args, name: str) -> Path:
    """--out, or a new folder under results/ named for the command and the time."""
    return Path(args.out) if args.out else Path("results") / f"{name}-{datetime.now():%Y%m%d-%H%M%S}"


def cmd_run(args) -> int:
    from .outputs.forecast import report_headline, run_to_folder
    from .runs.runner import dask_executor

    overrides = {**({"seed": args.seed} if args.seed is not None else {}),
                 **({"population": {"sample": args.sample}} if args.sample else {}),
                 **({"posterior": str(Path(args.posterior).resolve())} if args.posterior else {}),
                 **({"posterior_transfer": True} if args.transfer else {})}
    if args.scheduler is not None:
        check_scheduler(args.scheduler)
    loaded = load_scenario(args.scenario, overrides or None)
    if args.resume and not args.out:
        raise OutputError("--resume needs the --out folder of the interrupted run")
    out = _out(args, loaded.stem)
    check_destination(out, input_files([loaded]), "run")
    options = dict(replicates=args.replicates, workers=args.workers, progress=not args.quiet, resume=args.resume,
                   at_risk_top=args.at_risk, levers=args.levers)
    if args.scheduler is not None:
        with dask_executor(args.scheduler, args.workers) as ex:
            timings = run_to_folder(loaded, out, executor=ex, **options)
    else:
        timings = run_to_folder(loaded, out, **options)
    s = loaded.spec
    print(f"{s.name}: {s.region} {s.first_year}-{s.last_year} (medians [5-95 %] over {args.replicates} "
          f"replicate{'s' * (args.replicates > 1)})")
    print("\n".join(f"  {line}" for line in report_headline(out)))
    print(f"wrote {out}/ (report.html; {timings['household_steps_per_second']:,} household-steps/s)")
    return 0


def cmd_rerun(args) -> int:
    """Run again what a results folder's manifest records, and say whether the tables match."""
    from .outputs.forecast import rerun

    out, tables, differ = rerun(Path(args.run), args.out, progress=not args.quiet)
    if differ:
        print(f"rerun into {out}/: tables differ: {', '.join(differ)}")
        return 1
    print(f"rerun into {out}/: all {len(tables)} tables are byte-identical to {args.run}/")
    return 0


def cmd_import_registry(args) -> int:
    from .inputs.registry import RegistryError, read_registry
    from .outputs.population import write_population

    try:
        imp = read_registry(args.file, skip_bad_rows=args.skip_bad_rows, hash_ids=args.hash_ids)
    except RegistryError as e:
        print(f"tuopin: error: {e}", file=sys.stderr)
        if e.rows is not None and len(e.rows):
            for _, r in e.rows.head(20).iterrows():
                print(f"  line {r['line']}: {r['reasons']}", file=sys.stderr)
            if len(e.rows) > 20:
                print(f"  … and {len(e.rows) - 20} more rows", file=sys.stderr)
        return 2
    out = write_population(imp, args.out, args.file)
    h = imp.households
    print(f"imported {len(h):,} households, {h['people'].sum():,} people into {out}")
    if imp.dropped_personal:
        print(f"dropped personal columns (never stored): {', '.join(imp.dropped_personal)}")
    if imp.dropped_unused:
        print(f"dropped columns the model does not use: {', '.join(imp.dropped_unused)}")
    if imp.hashed:
        print(f"replaced the codes of {', '.join(imp.hashed)} by salted hashes (--hash-ids)")
    if len(imp.bad_rows):
        print(f"skipped {len(imp.bad_rows)} bad rows, listed in {out.with_name(out.stem + '.bad_rows.csv')}")
    return 0


def cmd_compare(args) -> int:
    from .analysis.compare import COMPARE_COLUMNS, compare
    from .outputs.compare import write_folder

    out = _out(args, "compare")
    check_destination(out, args.scenario, "compare")
    specs = [load_scenario(p).spec for p in args.scenario]
    regions = sorted({s.region for s in specs})
    if len(regions) > 1:
        what = "; ".join(f"{p}: {s.region}" for p, s in zip(args.scenario, specs))
        if not args.allow_other_regions:
            print(f"tuopin: error: the scenarios are of different regions ({what}); their differences would not be a "
                  "policy's effect. Compare variants of one region, or pass --allow-other-regions", file=sys.stderr)
            return 2
        print(f"tuopin compare: warning: the scenarios are of different regions ({what})", file=sys.stderr)
    c = compare(args.scenario, args.replicates, seed=args.seed, workers=args.workers, progress=not args.quiet)
    write_folder(out, c, args.replicates, args.workers)
    cols = ["scenario", "year", "target_exits", *COMPARE_COLUMNS, "spend_10k_yuan"]
    print(c.table[cols].to_string(index=False, float_format=lambda v: f"{v:,.0f}"))
    print("\n".join(c.summary))
    print(f"wrote {out}/")
    return 0


def cmd_levers(args) -> int:
    """What each lever buys: the scenario against itself with each lever switched off, paired."""
    import pandas as pd

    from .analysis.levers import run_levers
    from .outputs.levers import readable, write_folder
    from .outputs.results import check_memory

    overrides = {**({"seed": args.seed} if args.seed is not None else {}),
                 **({"population": {"sample": args.sample}} if args.sample else {})}
    loaded = load_scenario(args.scenario, overrides or None)
    out = _out(args, f"levers-{loaded.stem}")
    check_destination(out, input_files([loaded]), "levers")
    check_memory(loaded, args.workers)
    lr = run_levers(loaded, args.replicates, workers=args.workers, progress=not args.quiet)
    write_folder(out, lr, args.workers, {"sample": loaded.spec.population.sample})
    with pd.option_context("display.width", 250, "display.max_columns", 20, "display.max_colwidth", 60):
        print(readable(lr.table).drop(columns="note").to_string())
    print(f"{len(lr.variants) + 1} variants x {args.replicates} replicates in {lr.seconds:,.0f} s; wrote {out}/")
    return 0


def _calibration(args, cutoff: int | None) -> int:
    """calibrate (``cutoff`` None) or backtest."""
    from .analysis import backtest as bt
    from .analysis import calibrate as cal
    from .outputs.calibration import write_folder

    t0 = time.perf_counter()
    loaded = load_scenario(args.scenario, {"population": {"sample": args.sample}} if args.sample else None)
    data = cal.read_data(args.data)
    params = tuple(p.strip() for p in args.params.split(",") if p.strip()) if args.params else cal.DEFAULT_PARAMS
    seed = args.seed if args.seed is not None else loaded.spec.seed
    through = cutoff if cutoff is not None else args.through if args.through is not None else loaded.spec.last_year
    cal.observed(data[data["year"] <= through], loaded.spec, through, source=args.data)  # bad data: before any work
    out = _out(args, f"{args.command}-{loaded.stem}")
    check_destination(out, input_files([loaded], args.data), args.command)
    fitting = dict(params=params, method=args.method, trials=args.trials, draws=args.draws, accept=args.accept,
                   replicates=args.replicates, seed=seed, workers=args.workers)
    if cutoff is None:
        post = cal.calibrate(loaded, data[data["year"] <= through], through, progress=not args.quiet, **fitting)
        fit = cal.calibration_fit_table(loaded, data, post, through, args.replicates, seed, args.workers)
    else:
        post, fit = bt.backtest(loaded, data, cutoff, progress=not args.quiet, **fitting)
    options = dict(fitting, params=list(params), sample=loaded.spec.population.sample,
                   trials=int((post.draws["stage"] == "search").sum()), accept=fitting["accept"] or cal.DEFAULT_ACCEPT[args.method],
                   **({"through": through} if cutoff is None else {"cutoff": cutoff}))
    seconds = time.perf_counter() - t0
    write_folder(out, loaded, Path(args.data), data, post, fit, options, seconds, cutoff=cutoff)
    if cutoff is None:
        print(post.summary[["parameter", "default", "posterior_p50", "posterior_p5", "posterior_p95"]].to_string(index=False))
    else:
        print(bt.scores(fit).to_string(index=False, float_format=lambda v: f"{v:,.1f}"))
        vd = bt.verdict(fit, cal.base_headcount(data, loaded.spec))
        print(vd[["criterion", "target", "measured", "passed"]].to_string(index=False))
    print(f"{post.describe(Path(args.data).name)}; {seconds:,.0f} s")
    if warning := post.thin():
        print(warning, file=sys.stderr)
    print(f"wrote {out}/")
    return 0


def cmd_optimize(args) -> int:
    from . import parameters
    from .analysis.optimize.constraints import load_constraints
    from .analysis.optimize.plan import plan
    from .analysis.sampling import auto_sample
    from .outputs.optimize import write_folder

    t0 = time.perf_counter()
    seed = {"seed": args.seed} if args.seed is not None else {}
    loaded = load_scenario(args.scenario, seed or None)
    constraints = load_constraints(args.constraints, sorted(parameters.levers()))
    sample = args.sample or auto_sample(loaded)
    if sample != loaded.spec.population.sample:
        loaded = load_scenario(args.scenario, {**seed, "population": {"sample": sample}})
    out = _out(args, f"optimize-{loaded.stem}")
    check_destination(out, input_files([loaded], args.constraints), "optimize")
    say = (lambda msg: None) if args.quiet else (lambda msg: print(f"tuopin optimize: {msg}", file=sys.stderr))
    p = plan(loaded, args.budget, args.objective, constraints, replicates=args.replicates, confirm=args.confirm,
             evaluations=args.evaluations, workers=args.workers, seed=args.seed, progress=say, fractions=args.frontier,
             constraints_file=str(args.constraints or "constraints"))
    options = {"objective": args.objective, "replicates": args.replicates, "confirm": args.confirm,
               "evaluations": args.evaluations, "workers": args.workers, "sample": sample, "frontier": list(args.frontier),
               "seed": loaded.spec.seed, "constraints": args.constraints}
    write_folder(out, p, loaded, options, time.perf_counter() - t0)
    print(p.split[["lever", "cap_yuan", "share", "seed_allocation_yuan", "uniform_yuan"]].to_string(
        index=False, formatters={"share": "{:.1%}".format}, float_format=lambda v: f"{v:,.0f}"))
    cols = ["budget_fraction", "budget_yuan", "optimised_p50", "optimised_p5", "optimised_p95", "seed_allocation_p50", "uniform_p50"]
    print(p.frontier[cols].to_string(index=False, float_format=lambda v: f"{v:,.2f}" if v < 10 else f"{v:,.0f}"))
    print(f"wrote {out}/")
    return 0


def cmd_sensitivity(args) -> int:
    """Morris or Sobol sensitivity of exits and relapses to the uncertain parameters."""
    import warnings

    from .analysis import sensitivity as sa
    from .analysis.sampling import auto_sample
    from .outputs.sensitivity import write_folder

    loaded = load_scenario(args.scenario)
    sample = args.sample or auto_sample(loaded)
    if sample > 1:
        loaded = load_scenario(args.scenario, {"population": {"sample": sample}})
    out = _out(args, f"sensitivity-{loaded.stem}")
    check_destination(out, input_files([loaded]), "sensitivity")
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
    write_folder(out, a, loaded, options)
    key = "mu_star" if args.method == "morris" else "ST"
    cols = ["parameter", f"exits_{key}", f"relapses_{key}", "rank_relapses", "exits_swing", "relapses_swing"]
    print(a.table[cols].head(15).to_string(index=False, float_format=lambda v: f"{v:.3g}" if abs(v) < 10 else f"{v:,.0f}"))
    print(f"{len(a.names)} parameters, {a.evaluations} evaluations in {a.seconds:,.0f} s; wrote {out}/")
    return 0


def cmd_validate(args) -> int:
    """Check every file and list every problem of each; exit status 2 if any file is bad."""
    bad = 0
    for path in args.scenario:
        try:
            s = load_scenario(path).spec
        except ScenarioError as e:
            bad += 1
            problems = e.problems
            sys.stdout.flush()
            print(f"{path}: {len(problems)} problem{'s' * (len(problems) > 1)}", file=sys.stderr)
            for field, message in problems:
                print(f"  {field}: {message}", file=sys.stderr)
            continue
        print(f"{path}: ok — {s.region}, {s.first_year}-{s.last_year}, {s.population.households:,} households, "
              f"{s.population.people:,} people", flush=True)
    if bad:
        print(f"tuopin validate: {bad} of {len(args.scenario)} file{'s' * (len(args.scenario) > 1)} "
              f"{'has' if bad == 1 else 'have'} problems", file=sys.stderr)
    return 2 if bad else 0


def cmd_params(args) -> int:
    from .parameters import catalog

    word = (args.grep or "").lower()
    rows = [p for p in catalog().values() if word in f"{p.name} {p.description} {p.source}".lower()]
    for p in rows:
        rng = "" if p.min is None else f" [{p.min:g}, {p.max:g}]"
        flag = " (uncertain)" if p.uncertain else ""
        print(f"{p.name} = {p.default} {p.unit}{rng}{flag}\n    {p.description}\n    source: {p.source}")
    print(f"{len(rows)} parameter{'s' * (len(rows) != 1)}")
    return 0


def cmd_app(args) -> int:
    import os

    app = Path(__file__).with_name("app.py")
    solara = Path(sys.executable).with_name("solara")
    print(f"tuopin app: http://{args.host}:{args.port}/  (Ctrl-C to stop)")
    os.execv(str(solara), [str(solara), "run", str(app), "--host", args.host, "--port", str(args.port), "--production"])


COMMANDS = {"run": cmd_run, "rerun": cmd_rerun, "import_registry": cmd_import_registry, "compare": cmd_compare,
            "calibrate": lambda args: _calibration(args, None), "backtest": lambda args: _calibration(args, args.cutoff),
            "optimize": cmd_optimize, "levers": cmd_levers, "sensitivity": cmd_sensitivity, "validate": cmd_validate, "params": cmd_params,
            "app": cmd_app}


def _terminated(signum, frame):
    """SIGTERM (a scheduler's time limit, `kill`) is handled like Ctrl-C: the pool is stopped, no
    results folder is written and the finished replicates are kept for --resume."""
    raise KeyboardInterrupt


def main(argv: list[str] | None = None) -> int:
    args = parser(COMMANDS).parse_args(argv)
    if getattr(args, "workers", 1) > 1 and getattr(args, "scheduler", None) is None:
        start_pool_server()  # its server imports the model while this process imports the rest
    import signal
    import threading

    main_thread = threading.current_thread() is threading.main_thread()
    previous = signal.signal(signal.SIGTERM, _terminated) if main_thread else None
    try:
        with replacing(getattr(args, "force", False)):
            return args.func(args)
    except (ScenarioError, CalibrationError, SchedulerError) as e:
        print(f"tuopin: error: {e}", file=sys.stderr)
        return 2
    except OutputError as e:
        print(f"tuopin: error: {e}", file=sys.stderr)
        return 2
    except WorkerLost:
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
    except (OSError, RecursionError, MemoryError) as e:  # a path that cannot be read, a disk that is full …
        what = f"{e.strerror}: {e.filename}" if isinstance(e, OSError) and e.strerror and e.filename else str(e)[:300]
        print(f"tuopin: error: {what or type(e).__name__}; nothing was written", file=sys.stderr)
        return 2
    except Exception as e:  # noqa: BLE001 - the last resort: one line, not a traceback (TUOPIN_DEBUG=1 shows it)
        import os

        if os.environ.get("TUOPIN_DEBUG"):
            raise
        print(f"tuopin: error: {type(e).__name__}: {str(e).splitlines()[0][:300] if str(e) else 'unexpected'}; "
              "nothing was written (TUOPIN_DEBUG=1 shows where)", file=sys.stderr)
        return 2
    finally:
        if main_thread:
            signal.signal(signal.SIGTERM, previous)


if __name__ == "__main__":
    sys.exit(main())
