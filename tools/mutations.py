"""Do the tests notice? Break each lever mechanism with a one-line change and check a test fails.

Each mutation is applied to a COPY of the package (the worktree stays clean), then the mechanism
tests run with PYTHONPATH pointing at the copy. A mutation that no test catches survives; a
pattern that no longer matches exactly once is stale (the code moved: update the pattern).
Exit status 1 if any mutation survives or is stale.

    python tools/mutations.py            # all mutations
    python tools/mutations.py -k credit  # those whose name contains "credit"
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# the tests that must notice; the stored baseline (tests/test_baseline.py) would catch most of these
# too, so it is left out: each mechanism needs a test of its own
TESTS = ["tests/test_mechanisms.py", "tests/test_campaign.py", "tests/test_levers_human.py"]


@dataclass(frozen=True)
class Mutation:
    name: str
    file: str     # under model/tuopin/
    pattern: str  # a regular expression (multiline) that must match exactly once
    repl: str


MUTATIONS = [
    Mutation("dibao first in the lever order", "sim/policies/__init__.py",
             r"^(LEVERS: [^=]*= )\(([^)]*?), Dibao, (\w+)\)", r"\1(Dibao, \2, \3)"),
    Mutation("the registry review ignored", "sim/assessment.py",
             r"review = p\.review_detection >= 0 and p\.review_from_year <= year <= p\.review_to_year",
             "review = False"),
    Mutation("the registry review without its last year", "sim/assessment.py",
             r"p\.review_from_year <= year <= p\.review_to_year", "p.review_from_year <= year < p.review_to_year"),
    Mutation("retiring labourers draw no basic pension", "sim/dynamics.py",
             r"^\s*kernels\.add_per\(hh\.transfer, basic_pension\(p, year\), retire \* hh\.pension\).*\n", ""),
    Mutation("basic pension never raised", "sim/dynamics.py",
             r"inc\.basic_pension_raised if year >= inc\.basic_pension_raised_from_year else inc\.basic_pension",
             "inc.basic_pension"),
    Mutation("basic pension paid to households not enrolled", "sim/dynamics.py",
             r"retire \* hh\.pension\)", "retire)"),
    Mutation("等靠要 effort ignored", "sim/dynamics.py",
             r"ys\.wage_factor\[:\] = effort \* ys\.wage_shock", "ys.wage_factor[:] = ys.wage_shock"),
    Mutation("relocation keeps its farm income", "sim/policies/relocation.py",
             r"^\s*hh\.farm\[moved\] \*= .*\n", ""),
    Mutation("credit interest subsidy unpaid", "sim/pay_kernels.py",
             r"wanted\[j\] = (.*) \* subsidy_share$", r"wanted[j] = 0.0 * \1"),
    Mutation("dibao exclusion error inverted", "sim/policies/dibao.py",
             r"random\(hh\.n\) >= p\.exclusion_error", "random(hh.n) < p.exclusion_error"),
    Mutation("dibao cover redrawn each January", "sim/year_kernels.py",
             r"stays = covered\[i\] \| found\[i\]$", "stays = found[i]"),
    Mutation("housing renovations uncapped", "sim/policies/housing.py",
             r"if p\.renovations_per_10k > 0:", "if False:"),
    Mutation("housing cap takes C houses first", "sim/year_kernels.py",
             r"order\[i\] = priority\[i\] - 1e9 \*", "order[i] = priority[i] + 1e9 *"),
    Mutation("village collective-income exit rule dropped", "sim/model.py",
             r"^\s*ok &= .*collective_income_min.*\n", ""),
    Mutation("villages all grow alike (no remoteness effect)", "sim/model.py",
             r"^( *)village\.grow_by_village\(hh, self\.village_growth\)", r"\1pass"),
    Mutation("village effect on migrant wages instead of local", "sim/village.py",
             r"hh\.wage_local \*= f", "hh.wage_migrant *= f"),
    Mutation("remote villages start no poorer", "sim/model.py",
             r"^( *)village\.grow_by_village\(hh, self\.village_market\)", r"\1pass"),
    Mutation("project returns ignore the village market", "sim/pay_kernels.py",
             r"return_rate \* market\[village\[r\]\]$", "return_rate"),
    Mutation("no industry ramp-up", "sim/pay_kernels.py",
             r"ramp = min\(1\.0, .*$", "ramp = 1.0"),
    Mutation("pension premiums not relieved", "sim/policies/pension.py",
             r"^\s*\S*expense -= paid\s*\n", ""),
    Mutation("income hiding off", "sim/policies/motivation.py",
             r"1\.0 - [^,)]*hiding_fraction[^,)]*", "1.0"),
    Mutation("exit on the year's income, not stable income", "sim/model.py",
             r"pc_true = self\.net_income_pc\(stable=True\)", "pc_true = self.net_income_pc()"),
    Mutation("支出型贫困 ignored", "sim/assessment.py",
             r"spend_ok = np\.ones\(n, bool\) if spend_poor is None else ~spend_poor", "spend_ok = np.ones(n, bool)"),
    Mutation("no monitoring", "sim/assessment.py",
             r"return year >= p\.monitoring_from_year$", "return False"),
    Mutation("兜底 ends at exit despite the entitlement", "sim/policies/dibao.py",
             r"return c\.eligible \| \(self\.p\.entitlement & \(c\.hh\.status == EXITED\)\)", "return c.eligible"),
    Mutation("低保 means test ignores lever income", "sim/policies/dibao.py",
             r"means = self\._market\(\) \+ self\.other_income", "means = self._market()"),
    Mutation("低保 means test ignores the premiums net income deducts", "sim/policies/dibao.py",
             r"means = (.*) - c\.ys\.expense$", r"means = \1"),
    Mutation("relapse on any measured fall, not on application", "sim/assessment.py",
             r"back = back_measured & back_true if p\.relapse_on_application else back_measured",
             "back = back_measured"),
    Mutation("no 低保渐退", "sim/policies/dibao.py",
             r"start = \(self\.monthly > 0\) & \(need == 0\) & entitled", "start = np.zeros(hh.n, bool)"),
    Mutation("placements ignore labour demand", "sim/policies/employment.py",
             r"k = min\(how_many\(pool, p\.placement_rate, self\.rng, c\.intensity\), .*$",
             "k = how_many(pool, p.placement_rate, self.rng, c.intensity)"),
    Mutation("training has no memory", "sim/policies/employment.py",
             r"pool = with_labour & ~self\.trained$", "pool = with_labour"),
    Mutation("training gain ignores the cause", "sim/policies/employment.py",
             r"gain = p\.training_wage_gain \* effect_scale\(.*$", "gain = p.training_wage_gain"),
    Mutation("a lost job keeps its wage", "sim/policies/employment.py",
             r"^\s*wage\[i\] -= .*\n", ""),
    Mutation("migration ignores the wage work already held", "sim/policies/employment.py",
             r"k = int\(round\(self\.stock \* c\.migrant_workers / c\.weight - held\)\)",
             "k = int(round(self.stock * c.migrant_workers / c.weight))"),
    Mutation("the first migrant count is taken as published, not as the stock the wages hold", "sim/policies/employment.py",
             r"self\.stock = held / \(c\.migrant_workers / c\.weight\)", "self.stock = 1.0"),
    Mutation("the deadline year registers new poor", "sim/assessment.py",
             r" & \(not deadline\)$", ""),
    Mutation("a net quota ignores the year's relapses and new poor", "sim/assessment.py",
             r"owed = quota \+ \(int\(hh\.size\[relapse \| new_poor\]\.sum\(\)\) if quota_net else 0\)", "owed = quota"),
    Mutation("base transfers ignore the transfer-income series", "sim/dynamics.py",
             r"hh\.transfer \*= np\.where\(in_codes\(hh\.category, DOUBAO_CODES\), line_ratio, transfer_ratio\)",
             "hh.transfer *= line_ratio"),
    Mutation("credit ignores the county volumes", "sim/policies/credit.py",
             r"k = min\(how_many\(pool, p\.take_up, self\.rng, c\.intensity\), .*$",
             "k = how_many(pool, p.take_up, self.rng, c.intensity)"),
    Mutation("新农合 contribution never charged", "sim/model.py",
             r"^\s*self\.ys\.expense \+= dynamics\.insurance_premiums\(.*\n", ""),
    Mutation("新农合 subsidy paid but not relieved", "sim/policies/medical.py",
             r"^\s*c\.ys\.expense -= paid\s*\n", ""),
    Mutation("雨露计划 kept by the ledger, not paid to the household", "sim/policies/education.py",
             r"pay_kernels\.receive_rows\(to, paid, c\.ys\.income, c\.ys\.benefits, _NO_TALLY\)", "pass"),
    Mutation("雨露计划 capped at the vocational cost again", "sim/policies/education.py",
             r"voc = p\.yulu_subsidy / p\.cost_vocational", "voc = min(p.yulu_subsidy, p.cost_vocational) / p.cost_vocational"),
    Mutation("continuation ignores support", "sim/policies/education.py",
             r"h1 = min\(1\.0, h0 \+ .*$", "h1 = h0"),
    Mutation("dropout ignores support", "sim/policies/education.py",
             r"max\(0\.0, 1 - p\.dropout_support_response \* s_comp\)", "1.0"),
    Mutation("shares go at random despite by_cause", "sim/policies/industry.py",
             r"suits = self\.share_suits\(\)", "suits = 0 * self.share_suits()"),
    Mutation("vacated shares not passed on", "sim/policies/industry.py",
             r"refill = choose\(free, self\.shares - .*$", "refill = np.zeros(c.hh.n, bool)"),
    Mutation("扶志 restores nothing", "sim/policies/motivation.py",
             r"1\.0 - p\.fuzhi_effect,", "1.0,"),
    Mutation("以工代赈 beyond the works' capacity", "sim/policies/work_relief.py",
             r"choose\(self\.eligible\(\), self\.jobs\(\),", "choose(self.eligible(), 2 * self.jobs(),"),
    Mutation("poor-village households not served first", "sim/kernels.py",
             r"x = \(x \+ focus\[i\]\) / ", "x = (x + 0 * focus[i]) / "),
    Mutation("no village exit batches", "sim/model.py",
             r"focus\[batch\] = v\.batch_focus", "pass"),
    # the same mechanisms broken another way
    Mutation("dibao before relocation", "sim/policies/__init__.py",
             r"Relocation, ([^)]*?), Dibao,", r"Dibao, Relocation, \1,"),
    Mutation("dibao before employment", "sim/policies/__init__.py",
             r"Employment,(\s+[^)]*?), Dibao,", r"Dibao, Employment,\1,"),
    Mutation("credit interest paid but still charged", "sim/pay_kernels.py",
             r"expense\[r\] \+= interest - paid\[j\]", "expense[r] += interest"),
    Mutation("pension premiums relieved but not paid", "sim/policies/pension.py",
             r"paid = self\.pay\(premium\)", "paid = 0 * premium"),
    # the campaign's inputs by year (sim/campaign.py; tests/test_campaign.py)
    Mutation("funding intensity ignored", "sim/campaign.py",
             r"return float\(min\(cap, \(\(funds / poor\) / \(ref_funds / ref_poor\)\) \*\* elasticity\)\)", "return 1.0"),
    Mutation("deadline declares only those meeting the standard", "sim/assessment.py",
             r"exit_declared = assessed & \(True if deadline else meets_measured\)", "exit_declared = assessed & meets_measured"),
    Mutation("monitored households not supported", "sim/year_kernels.py", r" \| \(any_also and also\[i\]\)", ""),
    Mutation("monitored households without labour not 兜底", "sim/policies/dibao.py",
             r"\| \(c\.monitored if c\.monitored\.size else False\)", "| False"),
    Mutation("兜底 not extended to partly labour-incapable households", "sim/policies/dibao.py",
             r"no_labour = no_labour \| self\.partly_lost_labour\(\)", "no_labour = no_labour"),
    Mutation("兜底 partial-labour rule covers exited households too", "sim/policies/dibao.py",
             r"return \(hh\.status == POOR\) & \(hh\.labour > 0\)", "return (hh.labour > 0)"),
    Mutation("the scenario's 低保 standard ignored", "sim/policies/dibao.py",
             r"standard = c\.dibao_line if c\.dibao_line > 0 else", "standard = 0 if True else"),
]


def apply(m: Mutation, package: Path) -> bool:
    """Apply ``m`` to the package copy; False if its pattern does not match exactly once."""
    path = package / m.file
    text = path.read_text(encoding="utf-8")
    new, n = re.subn(m.pattern, m.repl, text, flags=re.MULTILINE)
    if n != 1:
        return False
    path.write_text(new, encoding="utf-8")
    return True


def run_tests(model_dir: Path) -> subprocess.CompletedProcess:
    env = dict(os.environ, PYTHONPATH=str(model_dir), MPLBACKEND="Agg", PYTHONDONTWRITEBYTECODE="1")
    return subprocess.run([sys.executable, "-m", "pytest", *TESTS, "-q", "-p", "no:cacheprovider", "--tb=no"],
                          cwd=ROOT, env=env, capture_output=True, text=True)


def failed_tests(out: str) -> list[str]:
    return [line.split("::", 1)[1].split(" ")[0] for line in out.splitlines() if line.startswith("FAILED ")]


def check(m: Mutation) -> str:
    """Return "caught by <test>", "SURVIVED" or "STALE (...)"."""
    with tempfile.TemporaryDirectory(prefix="tuopin-mutant-") as tmp:
        model_dir = Path(tmp) / "model"
        # numba's compiled kernels come along (their index checks the source's time and size, which the
        # copy keeps), so only a mutant of sim/kernels.py or sim/pay_kernels.py compiles them again; Python's
        # bytecode does not
        shutil.copytree(ROOT / "model", model_dir, ignore=shutil.ignore_patterns("*.pyc"))
        if not apply(m, model_dir / "tuopin"):
            return f"STALE (pattern does not match exactly once in {m.file})"
        r = run_tests(model_dir)
        if r.returncode == 0:
            return "SURVIVED"
        failed = failed_tests(r.stdout)
        if not failed:  # an error before any test ran (import, collection): show it
            return "ERROR\n" + (r.stdout + r.stderr)[-2000:]
        return "caught by " + ", ".join(failed)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("-k", default="", help="only mutations whose name contains this")
    args = ap.parse_args()
    clean = run_tests(ROOT / "model")
    if clean.returncode != 0:
        print("the tests fail on the unmutated package; fix them first\n" + clean.stdout[-2000:])
        return 1
    bad = 0
    for m in MUTATIONS:
        if args.k not in m.name:
            continue
        verdict = check(m)
        bad += not verdict.startswith("caught")
        print(f"{m.name}: {verdict}", flush=True)
    print("all mutations caught" if not bad else f"{bad} mutation(s) not caught or stale")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
