"""Writes the bad-input corpus (tests/bad_inputs/<command>/*.toml; see tests/test_hardening_corpus.py).
Run it again after changing it: python tests/bad_inputs/make_corpus.py"""
import json
import pathlib
import zlib

import tomli_w

root = pathlib.Path(__file__).resolve().parent
hash = lambda v: zlib.crc32(v.encode())  # noqa: E731 - stable case names
S = "{small}"
def case(cmd, name, why, args, expect, **extra):
    d = root / cmd; d.mkdir(parents=True, exist_ok=True)
    body = {"args": [cmd, *args], "expect": expect, **extra}
    (d / f"{name}.toml").write_text(f"# {why}\n" + tomli_w.dumps(body), encoding="utf-8")

VARIANT = lambda extra: 'extends = "{root}/tests/data/small.toml"\n' + extra
GOOD_REG = "户编码,人口数,贫困户属性,主要致贫原因,年人均纯收入\nH1,3,一般贫困户,因病,2500\nH2,2,低保户,因残,1800\n"
# ---------------- run
common_bounds = [("replicates", "0"), ("replicates", "1000000000"), ("replicates", "many"), ("replicates", "1e3"),
                 ("replicates", "-3"), ("workers", "0"), ("workers", "100000"), ("workers", "two"),
                 ("sample", "0"), ("sample", "1000000"), ("seed", "-1"), ("seed", "99999999999999999999999"), ("seed", "nan")]
for cmd in ("run", "compare", "calibrate", "backtest", "optimize", "sensitivity"):
    base = {"run": [S], "compare": [S, S], "calibrate": [S, "--data", "{data}"],
            "backtest": [S, "--data", "{data}", "--cutoff", "2016"],
            "optimize": [S, "--budget", "1e8"], "sensitivity": [S]}[cmd]
    for opt, val in common_bounds:
        if cmd == "compare" and opt == "sample":
            continue
        case(cmd, f"{opt}_{val.replace('-', 'neg')[:12]}", f"--{opt} {val} is refused before any work",
             [*base, f"--{opt}", val, "--out", "{tmp}/out"], f"--{opt}")
    # destinations
    case(cmd, "out_exists_no_force", "an existing results folder is never replaced without --force",
         [*base, "--out", "{tmp}/run", "--quiet"], "already exists", copy_run="run")
    case(cmd, "out_foreign_force", "--force does not replace a folder tuopin did not write",
         [*base, "--out", "{tmp}/mine", "--force", "--quiet"], "tuopin only replaces a folder it wrote whole",
         files={"mine/notes.txt": "my notes"})
    case(cmd, "out_run_plus_user_file_force", "--force does not replace a results folder holding a user's file",
         [*base, "--out", "{tmp}/run", "--force", "--quiet"], "did not write (notes.txt)",
         copy_run="run", files={"run/notes.txt": "mine"})
    case(cmd, "out_is_file", "--out onto a file", [*base, "--out", "{tmp}/f.txt", "--quiet"], "f.txt",
         files={"f.txt": "keep me"})
    case(cmd, "out_is_file_force", "--out onto a file with --force", [*base, "--out", "{tmp}/f.txt", "--force", "--quiet"],
         "f.txt", files={"f.txt": "keep me"})
    case(cmd, "out_is_scenario", "--out onto the scenario file it reads", [*base, "--out", S, "--force", "--quiet"],
         "input")
    case(cmd, "out_holds_scenario", "--out onto the folder holding the scenario", [*base, "--out", "{root}/tests/data",
         "--force", "--quiet"], "input")
    case(cmd, "out_empty_path", "--out ''", [*base, "--out", ""], "--out")
    case(cmd, "out_newline_path", "--out with a line break", [*base, "--out", "{tmp}/a\nb"], "--out")
    case(cmd, "scenario_missing", "a scenario file that is not there",
         [*( ["{tmp}/nope.toml"] + base[1:] if cmd != "compare" else [S, "{tmp}/nope.toml"]), "--out", "{tmp}/out"], "nope.toml")
    case(cmd, "scenario_folder", "a folder given as the scenario",
         [*( ["{tmp}/d"] + base[1:] if cmd != "compare" else [S, "{tmp}/d"]), "--out", "{tmp}/out"], "d",
         files={"d/x.txt": "x"})
    case(cmd, "scenario_binary", "a binary file given as the scenario",
         [*( ["{tmp}/b.toml"] + base[1:] if cmd != "compare" else [S, "{tmp}/b.toml"]), "--out", "{tmp}/out"], "UTF-8",
         files_hex={"b.toml": "ff fe 00 01 89 50 4e 47 0d 0a 1a 0a"})
    case(cmd, "scenario_people_unbuildable", "more people per household than the builder can place",
         [*( ["{tmp}/s.toml"] + base[1:] if cmd != "compare" else [S, "{tmp}/s.toml"]), "--out", "{tmp}/out"], "population.people",
         files={"s.toml": VARIANT("[population]\npeople = 33000\n")})
    case(cmd, "scenario_shard_weight_tiny", "a shard weight too small to hold a household",
         [*( ["{tmp}/s.toml"] + base[1:] if cmd != "compare" else [S, "{tmp}/s.toml"]), "--out", "{tmp}/out"], "shards.a.weight",
         files={"s.toml": VARIANT("[shards.a]\nregion = \"A\"\nweight = 1e-300\n[shards.b]\nregion = \"B\"\nweight = 1\n")})
    case(cmd, "scenario_nan_share", "a category share of nan",
         [*( ["{tmp}/s.toml"] + base[1:] if cmd != "compare" else [S, "{tmp}/s.toml"]), "--out", "{tmp}/out"], "population.category",
         files={"s.toml": VARIANT("[population.category]\nwubao = nan\n")})
    case(cmd, "scenario_inf_count", "an infinite category count",
         [*( ["{tmp}/s.toml"] + base[1:] if cmd != "compare" else [S, "{tmp}/s.toml"]), "--out", "{tmp}/out"], "population.category",
         files={"s.toml": VARIANT("[population.category]\nwubao = inf\ndibao = 0\nfupin_dibao = 0\nfupin = 0\n")})
# run-specific
case("run", "resume_without_out", "--resume needs --out", [S, "--resume"], "--resume")
case("run", "resume_nothing", "--resume with no checkpoint", [S, "--resume", "--out", "{tmp}/out", "--quiet"], "nothing to resume")
case("run", "resume_damaged_checkpoint", "a checkpoint.json that is not JSON", [S, "--resume", "--out", "{tmp}/out", "--quiet"],
     "damaged", files={".out.partial/checkpoint.json": "{not json"})
case("run", "resume_checkpoint_list", "a checkpoint.json holding a list", [S, "--resume", "--out", "{tmp}/out", "--quiet"],
     "damaged", files={".out.partial/checkpoint.json": "[1, 2]"})
case("run", "resume_other_run", "a checkpoint of another run", [S, "--resume", "--out", "{tmp}/out", "--quiet"],
     "another run", files={".out.partial/checkpoint.json": json.dumps({"scenario_sha256": "0", "seed": 1, "replicates": 1,
                                                                       "parameters_sha256": "0"})})
for addr, frag in (("http://example.org", "--scheduler"), ("tcp://", "--scheduler"), ("local;rm -rf /", "--scheduler"),
                   ("tcp://host:notaport", "--scheduler"), ("", "--scheduler")):
    case("run", f"scheduler_{len(frag)}_{abs(hash(addr)) % 1000}", f"--scheduler {addr!r}", [S, "--scheduler", addr, "--out", "{tmp}/out"], frag)
case("run", "extends_deep", "an extends chain 40 files deep", ["{tmp}/d0.toml", "--out", "{tmp}/out"], "deeper than",
     files={**{f"d{i}.toml": f'extends = "d{i + 1}.toml"\n' for i in range(40)}, "d40.toml": VARIANT("")})
case("run", "name_newline", "a name with a line break (would inject TOML lines into generated files)",
     ["{tmp}/s.toml", "--out", "{tmp}/out"], "name", files={"s.toml": VARIANT('name = "a\\n[parameters]\\nx = 1"\n')})
case("run", "description_huge", "a description of 100,000 characters", ["{tmp}/s.toml", "--out", "{tmp}/out"], "description",
     files={"s.toml": VARIANT(f'description = "{"x" * 100_000}"\n')})
case("run", "registry_more_villages", "an imported registry with more villages than the scenario's villages",
     ["{tmp}/s.toml", "--out", "{tmp}/out"], "population.villages",
     files={"s.toml": VARIANT('[population]\nregistry = "{here}/many_villages.parquet"\nvillages = 2\npoor_villages = 1\n'
                              'households = 6\npeople = 12\n')})
case("run", "registry_not_parquet", "a registry that is not a population file", ["{tmp}/s.toml", "--out", "{tmp}/out"],
     "population.registry", files={"s.toml": VARIANT('[population]\nregistry = "r.parquet"\n'), "r.parquet": "a,b\n1,2\n"})
# ---------------- import-registry
R = "{tmp}/reg.csv"
def reg(name, why, text, expect, args=None, **kw):
    case("import-registry", name, why, args or [R, "--out", "{tmp}/pop.parquet"], expect, files={"reg.csv": text, **kw.pop("files", {})}, **kw)
reg("out_is_input", "--out onto the registry it reads", GOOD_REG, "parquet", args=[R, "--out", R])
reg("out_is_input_force", "--out onto the registry it reads, with --force", GOOD_REG, "parquet", args=[R, "--out", R, "--force"])
reg("out_is_input_parquet", "importing a .parquet onto itself", GOOD_REG, "input", args=["{tmp}/pop.parquet", "--out", "{tmp}/pop.parquet", "--force"],
    files={"pop.parquet": GOOD_REG})
reg("out_not_parquet", "a population file must be .parquet", GOOD_REG, ".parquet", args=[R, "--out", "{tmp}/pop.csv"])
reg("out_scenario", "--out onto a scenario", GOOD_REG, ".parquet", args=[R, "--out", S, "--force"])
reg("out_exists", "an existing population file without --force", GOOD_REG, "already exists", files={"pop.parquet": "x"})
reg("out_foreign_force", "--force onto a file tuopin did not write", GOOD_REG, "cannot be replaced",
    args=[R, "--out", "{tmp}/pop.parquet", "--force"], files={"pop.parquet": "my own data"})
reg("out_bad_rows_exists", "the bad-rows list beside the output exists", GOOD_REG, "already exists",
    files={"pop.bad_rows.csv": "mine"})
reg("out_is_folder", "--out onto a folder", GOOD_REG, "is a folder", args=[R, "--out", "{tmp}/d.parquet"],
    files={"d.parquet/x": "x"})
reg("id_number_household", "an 18-digit ID card number used as 户编码", GOOD_REG.replace("H1", "11010519491231002X"),
    "ID card number")
reg("id_number_spaced", "an ID card number with spaces", GOOD_REG.replace("H1", "110105 19491231 002X"), "ID card number")
reg("old_id_household", "a 15-digit old ID as 户编码", GOOD_REG.replace("H1", "110105491231002"), "15-digit")
reg("phone_village", "a mobile number as 村编码", "户编码,人口数,贫困户属性,主要致贫原因,年人均纯收入,村编码\n"
    "H1,3,一般贫困户,因病,2500,13812345678\nH2,2,低保户,因残,1800,V2\n", "'村编码'")
reg("phone_county_plus86", "a +86 mobile number as 县编码", "household_id,people,category,cause,income_per_capita,county\n"
    "H1,3,fupin,1,2500,+86 139 1234 5678\n", "mobile phone")
reg("empty_file", "an empty file", "", "cannot read")
reg("header_only", "a header and no rows", "户编码,人口数,贫困户属性,主要致贫原因,年人均纯收入\n", "no rows")
reg("missing_columns", "no required columns", "a,b\n1,2\n", "missing columns")
reg("duplicate_columns", "two headers giving household_id", "户编码,household_id,人口数,贫困户属性,主要致贫原因,年人均纯收入\nH1,H1,3,一般贫困户,因病,2500\n", "both give")
reg("people_inf", "people = inf", GOOD_REG.replace(",3,", ",inf,"), "rows cannot be used")
reg("income_nan", "income = nan", GOOD_REG.replace("2500", "nan"), "rows cannot be used")
reg("income_inf", "income = 1e999", GOOD_REG.replace("2500", "1e999"), "rows cannot be used")
reg("formula_category", "a formula in a category cell (refused as an unknown category)", GOOD_REG.replace("一般贫困户", "=HYPERLINK(\"http://x\")"), "rows cannot be used")
reg("all_rows_bad", "every row bad", "户编码,人口数,贫困户属性,主要致贫原因,年人均纯收入\n,0,x,y,-1\n,0,x,y,-1\n", "rows cannot be used")
reg("ragged_rows", "rows with more cells than the header", "户编码,人口数,贫困户属性,主要致贫原因,年人均纯收入\nH1,3,一般贫困户,因病,2500,9,9,9\n", "more cells than the header")
reg("unclosed_quote", "an unclosed quote", "户编码,人口数,贫困户属性,主要致贫原因,年人均纯收入\n\"H1,3,一般贫困户,因病,2500\n", "")
case("import-registry", "binary_csv", "binary garbage named .csv", ["{tmp}/reg.csv", "--out", "{tmp}/pop.parquet"], "",
     files_hex={"reg.csv": "00 ff 00 fe 89 50 4e 47 0d 0a 1a 0a 00 00 00 0d"})
case("import-registry", "fake_xlsx", "a text file named .xlsx", ["{tmp}/reg.xlsx", "--out", "{tmp}/pop.parquet"], "cannot read",
     files={"reg.xlsx": GOOD_REG})
case("import-registry", "zip_xlsx", "a zip that is not a workbook, named .xlsx", ["{tmp}/reg.xlsx", "--out", "{tmp}/pop.parquet"],
     "cannot read", files_hex={"reg.xlsx": "50 4b 05 06" + " 00" * 18})
case("import-registry", "xls_old", "an old .xls (not readable here)", ["{tmp}/reg.xls", "--out", "{tmp}/pop.parquet"], "cannot read",
     files={"reg.xls": GOOD_REG})
case("import-registry", "missing_file", "a registry that is not there", ["{tmp}/none.csv", "--out", "{tmp}/pop.parquet"], "no such file")
case("import-registry", "folder", "a folder as the registry", ["{tmp}/d", "--out", "{tmp}/pop.parquet"], "no such file", files={"d/x": "x"})
case("import-registry", "no_out", "--out missing", [R], "--out", files={"reg.csv": GOOD_REG})
# ---------------- rerun
RUN = "{tmp}/run"
def rr(name, why, expect, args=None, **kw):
    if "manifest" in kw:
        kw["manifest"] = {("/".join(k.split(".")[:3]) + "/" + ".".join(k.split(".")[3:])
                           if ".parameters." in k else k.replace(".", "/")): v for k, v in kw["manifest"].items()}
    case("rerun", name, why, args or [RUN, "--quiet", "--out", "{tmp}/again"], expect, copy_run="run", **kw)
rr("manifest_not_json", "manifest.json is not JSON", "manifest.json", manifest_text="{oops")
rr("manifest_list", "manifest.json holds a list", "not a JSON object", manifest_text="[1, 2, 3]")
rr("manifest_empty", "manifest.json is empty", "manifest.json", manifest_text="")
rr("manifest_other_command", "a compare folder", "rerun reproduces", manifest={"command": "compare"})
rr("manifest_command_number", "command is a number", "rerun reproduces", manifest={"command": 7})
rr("manifest_replicates_huge", "a billion replicates", "replicates", manifest={"replicates": 1_000_000_000})
rr("manifest_replicates_text", "replicates as text", "replicates", manifest={"replicates": "20"})
rr("manifest_replicates_float", "replicates as a fraction", "replicates", manifest={"replicates": 2.5})
rr("manifest_workers_zero", "zero workers", "workers", manifest={"workers": 0})
rr("manifest_workers_huge", "a million workers", "workers", manifest={"workers": 1_000_000})
rr("manifest_files_missing", "no file list", "files", manifest_text='{"command": "run", "scenarios": [], "replicates": 1, "workers": 1}')
rr("manifest_files_not_list", "files is a string", "files", manifest={"files": "annual.csv"})
rr("manifest_files_traversal", "a file list reaching outside the folder", "files", manifest={"files": ["../../etc/passwd"]})
rr("manifest_param_out_of_range", "a catalog parameter out of its range", "medical.oop_cap",
   manifest={"scenarios.0.parameters.medical.oop_cap": -5})
rr("manifest_param_unknown", "an unknown parameter", "not a known parameter", manifest={"scenarios.0.parameters.nope.x": 1})
rr("manifest_param_nan", "a NaN parameter", "medical.oop_cap", manifest={"scenarios.0.parameters.medical.oop_cap": float("nan")})
rr("manifest_param_inf", "an infinite parameter", "medical.oop_cap", manifest={"scenarios.0.parameters.medical.oop_cap": float("inf")})
rr("manifest_parameters_list", "parameters as a list", "parameters", manifest={"scenarios.0.parameters": [1, 2]})
rr("manifest_spec_negative", "negative households in the spec", "households", manifest={"scenarios.0.spec.population.households": -1})
rr("manifest_spec_unbuildable", "people the builder cannot place", "population.people",
   manifest={"scenarios.0.spec.population.people": 33000})
rr("manifest_spec_nan", "a NaN share in the spec", "share_in_poor_villages",
   manifest={"scenarios.0.spec.population.share_in_poor_villages": float("nan")})
rr("manifest_spec_string", "the spec is a string", "spec", manifest={"scenarios.0.spec": "x"})
rr("manifest_scenarios_empty", "no scenarios", "manifest", manifest={"scenarios": []})
rr("manifest_registry_gone", "a registry that is no longer there", "registry",
   manifest={"scenarios.0.spec.population.registry": "/nonexistent/pop.parquet"})
rr("out_is_run", "rerun into the run itself", "input", args=[RUN, "--out", RUN, "--force", "--quiet"])
rr("out_inside_run", "rerun into a folder that holds the run", "input", args=[RUN, "--out", "{tmp}", "--force", "--quiet"])
rr("out_exists", "rerun into an existing folder", "already exists", args=[RUN, "--out", "{tmp}/again", "--quiet"],
   files={"again/x.txt": "mine"})
rr("out_default_exists", "the default RUN-rerun folder exists", "already exists", args=[RUN, "--quiet"],
   files={"run-rerun/x.txt": "mine"})
case("rerun", "run_missing", "a run folder that is not there", ["{tmp}/none", "--quiet"], "manifest.json")
case("rerun", "run_is_file", "a file as the run", ["{tmp}/f", "--quiet"], "manifest.json", files={"f": "x"})
case("rerun", "no_manifest", "a folder without manifest", ["{tmp}/d", "--quiet"], "manifest.json", files={"d/annual.csv": "x"})
# ---------------- calibrate / backtest
for cmd in ("calibrate", "backtest"):
    base = [S, "--data", "{data}"] + (["--cutoff", "2016"] if cmd == "backtest" else [])
    for v in ("0", "nan", "inf", "1.5", "-0.1", "x"):
        case(cmd, f"accept_{v.replace('-', 'neg').replace('.', '_')}", f"--accept {v}", [*base, "--accept", v], "--accept")
    for v in ("0", "1000000000"):
        case(cmd, f"draws_{v}", f"--draws {v}", [*base, "--draws", v], "--draws")
    case(cmd, "data_missing", "no data file", [S, "--data", "{tmp}/none.csv", *base[3:]], "none.csv")
    case(cmd, "data_garbage", "a data file without the columns", [S, "--data", "{tmp}/d.csv", *base[3:]], "year",
         files={"d.csv": "a,b\n1,2\n"})
    case(cmd, "data_inf", "an infinite observation", [S, "--data", "{tmp}/d.csv", *base[3:]], "finite",
         files={"d.csv": "year,poor_headcount_10k,lifted_out_10k\n2015,inf,10\n"})
    case(cmd, "data_binary", "binary data", [S, "--data", "{tmp}/d.csv", *base[3:]], "d.csv",
         files_hex={"d.csv": "00 ff 00 fe 89 50"})
    case(cmd, "out_is_data", "--out onto the data file", [*base, "--out", "{data}", "--force"], "input")
    case(cmd, "params_unknown", "an unknown parameter to fit", [*base, "--params", "nope.x", "--out", "{tmp}/o"], "nope.x")
case("calibrate", "through_text", "--through 20x5", [S, "--data", "{data}", "--through", "20x5"], "--through")
case("calibrate", "through_far", "--through 99999", [S, "--data", "{data}", "--through", "99999"], "--through")
case("backtest", "cutoff_ancient", "--cutoff 1900", [S, "--data", "{data}", "--cutoff", "1900"], "--cutoff")
case("backtest", "cutoff_missing", "--cutoff missing", [S, "--data", "{data}"], "--cutoff")
# ---------------- optimize
O = [S, "--budget", "1e8"]
for v in ("0", "nan", "inf", "-1e8", "1e99", "lots", "7.6亿亿"):
    case("optimize", f"budget_{abs(hash(v)) % 10000}", f"--budget {v}", [S, "--budget", v], "--budget")
for v in ("0,1", "-1", "nan", "x", ",".join(str(i / 10) for i in range(1, 60))):
    case("optimize", f"frontier_{abs(hash(v)) % 10000}", f"--frontier {v[:30]}", [*O, "--frontier", v], "--frontier")
for opt in ("evaluations", "confirm"):
    for v in ("0", "100000000"):
        case("optimize", f"{opt}_{v}", f"--{opt} {v}", [*O, f"--{opt}", v], f"--{opt}")
case("optimize", "objective_bad", "an unknown objective", [*O, "--objective", "happiness"], "--objective")
case("optimize", "constraints_missing", "a constraints file that is not there", [*O, "--constraints", "{tmp}/c.toml"], "c.toml")
case("optimize", "constraints_garbage", "a constraints file with bad TOML", [*O, "--constraints", "{tmp}/c.toml"], "c.toml",
     files={"c.toml": "[levers\n"})
case("optimize", "constraints_unknown_lever", "a constraint on an unknown lever", [*O, "--constraints", "{tmp}/c.toml"], "levers.nope",
     files={"c.toml": "[levers.nope]\nmin = 1\n"})
case("optimize", "out_is_constraints", "--out onto the constraints file", [*O, "--constraints", "{tmp}/c.toml", "--out", "{tmp}/c.toml", "--force"],
     "input", files={"c.toml": ""})
# ---------------- sensitivity
for v in ("0", "100000000", "x"):
    case("sensitivity", f"samples_{v}", f"--samples {v}", [S, "--samples", v], "--samples")
case("sensitivity", "method_bad", "an unknown method", [S, "--method", "fast"], "--method")
case("sensitivity", "params_no_match", "--params matching nothing", [S, "--params", "zzz.*", "--out", "{tmp}/o"], "zzz")
# ---------------- validate
case("validate", "missing", "a file that is not there", ["{tmp}/none.toml"], "none.toml")
case("validate", "folder", "a folder", ["{tmp}/d"], "d", files={"d/x": "x"})
case("validate", "binary", "a binary file", ["{tmp}/b.toml"], "UTF-8", files_hex={"b.toml": "ff fe 00 01"})
case("validate", "deep_extends", "an extends chain 40 deep", ["{tmp}/d0.toml"], "deeper than",
     files={**{f"d{i}.toml": f'extends = "d{i + 1}.toml"\n' for i in range(40)}, "d40.toml": VARIANT("")})
case("validate", "people_unbuildable", "people the builder cannot place", ["{tmp}/s.toml"], "population.people",
     files={"s.toml": VARIANT("[population]\npeople = 33000\n")})
case("validate", "shard_weight_inf", "an infinite shard weight", ["{tmp}/s.toml"], "weight",
     files={"s.toml": VARIANT("[shards.a]\nregion = \"A\"\nweight = inf\n")})
case("validate", "shard_region_newline", "a shard region with a line break", ["{tmp}/s.toml"], "region",
     files={"s.toml": VARIANT("[shards.a]\nregion = \"A\\n=cmd\"\nweight = 1\n")})
case("validate", "empty_path", "an empty path", [""], "scenario")
# ---------------- app (bounds only; a good port would start the server)
for v in ("0", "70000", "-1", "http"):
    case("app", f"port_{v.replace('-', 'neg')}", f"--port {v}", ["--port", v], "--port")
# ---------------- later additions
import io  # noqa: E402

import pandas as pd  # noqa: E402


def _parquet_hex(df):
    b = io.BytesIO()
    df.to_parquet(b, index=False)
    return b.getvalue().hex()


for name, df, why in (
        ("registry_people_zero", pd.DataFrame({"people": [0, 2], "category": ["fupin"] * 2, "cause": ["illness"] * 2,
                                               "income_per_capita": [1.0, 2.0]}), "a household of 0 people"),
        ("registry_people_text", pd.DataFrame({"people": ["3", "2"], "category": ["fupin"] * 2, "cause": ["illness"] * 2,
                                               "income_per_capita": [1.0, 2.0]}), "people as text"),
        ("registry_unknown_category", pd.DataFrame({"people": [3, 2], "category": ["rich", "fupin"], "cause": ["illness"] * 2,
                                                    "income_per_capita": [1.0, 2.0]}), "an unknown category"),
        ("registry_income_inf", pd.DataFrame({"people": [3, 2], "category": ["fupin"] * 2, "cause": ["illness"] * 2,
                                              "income_per_capita": [float("inf"), 2.0]}), "an infinite income"),
        ("registry_empty", pd.DataFrame({"people": pd.Series([], dtype="int64"), "category": pd.Series([], dtype=str),
                                         "cause": pd.Series([], dtype=str), "income_per_capita": pd.Series([], dtype=float)}),
         "no households")):
    for cmd in ("run", "validate"):
        args = ["{tmp}/s.toml"] + (["--out", "{tmp}/out"] if cmd == "run" else [])
        case(cmd, name, f"a registry Parquet written by other means: {why}", args, "population.registry",
             files={"s.toml": VARIANT('[targets]\npeople = {}\nhouseholds = {}\n[population]\nregistry = "r.parquet"\n'
                                      'poor_villages = 1\nvillages = 2\n')},
             files_hex={"r.parquet": _parquet_hex(df)})
case("compare", "out_run_force", "compare --force onto a run's folder (the run is never replaced by a comparison)",
     [S, S, "--out", "{tmp}/run", "--force", "--quiet"], "not of `tuopin compare`", copy_run="run")
case("sensitivity", "out_run_force", "sensitivity --force onto a run's folder", [S, "--out", "{tmp}/run", "--force", "--quiet"],
     "not of `tuopin sensitivity`", copy_run="run")
