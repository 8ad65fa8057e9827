"""The page in real headless Chromium: it loads without Mesa's debugging controls, a change says it
needs RESET and then runs beside the baseline, ▶ plays to the scenario's end and stops there, and
two visitors each get a model of their own. Skipped where Chromium or Playwright is missing (CI
installs both). The screenshots are kept in tests/artifacts/ to look at."""

import os
import re
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARTIFACTS = ROOT / "tests" / "artifacts"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]
playwright = pytest.importorskip("playwright.sync_api")
# on a developer's machine without Chromium the test is skipped; in CI (which installs it) it must run
pytestmark = pytest.mark.skipif(not Path(CHROMIUM).exists() and not os.environ.get("CI"), reason="Chromium is not installed")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server():
    port = _free_port()
    solara = Path(sys.executable).with_name("solara")
    env = dict(os.environ, PYTHONPATH=str(ROOT / "model"))
    proc = subprocess.Popen([str(solara), "run", str(ROOT / "model" / "tuopin" / "app.py"), "--host", "127.0.0.1",
                             "--port", str(port), "--production"], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                            env=env)
    for _ in range(120):
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                break
        except OSError:
            time.sleep(0.5)
    yield f"http://127.0.0.1:{port}/"
    proc.terminate()
    proc.wait(timeout=20)


@pytest.fixture(scope="module")
def browser():
    ARTIFACTS.mkdir(exist_ok=True)
    with playwright.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield b
        b.close()


def _visit(browser, url):
    """A new visitor (own browser context, so own session) with the page loaded; its page errors."""
    page = browser.new_context(viewport={"width": 1500, "height": 1100}).new_page()
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(url, wait_until="networkidle", timeout=120_000)
    page.wait_for_selector(".tuopin-numbers", timeout=120_000)
    return page, errors


def _numbers(page) -> str:
    return page.inner_text(".tuopin-numbers")


def _wait_text(page, js_test: str, timeout: int = 60_000) -> None:
    """Wait until the numbers' text passes ``js_test`` (a JS expression on ``t``); the element is
    redrawn on each step, so it may briefly be missing."""
    page.wait_for_function(f"() => {{ const e = document.querySelector('.tuopin-numbers'); "
                           f"if (!e) return false; const t = e.innerText; return {js_test}; }}", timeout=timeout)


def _step(page, n: int) -> None:
    for _ in range(n):
        page.get_by_role("button", name="Step").click()
        page.wait_for_timeout(120)
    _wait_text(page, f"t.includes('({n} of ')")


def _spend(text: str, who: str) -> float:
    line = next(x for x in text.splitlines() if x.startswith(who))
    return float(re.search(r"spend ([\d,.]+) million yuan", line).group(1).replace(",", ""))


def test_page_reads_for_planners_and_compares_a_change(server, browser):
    page, errors = _visit(browser, server)
    body = page.inner_text("body")
    for label in ("Scenario", "dibao) line", "Out-of-pocket medical cap", "deductible", "Transition years",
                  "Industry budget cap", "Education budget cap", "STEP", "RESET", "press RESET"):
        assert label in body, label
    for debug in ("Render Interval", "Use Threads", "Play Interval", "PAGE 0", "Step:"):
        assert debug not in body, debug                    # Mesa's debugging controls are not shown
    assert "not started" in _numbers(page)
    page.screenshot(path=str(ARTIFACTS / "app_start.png"), full_page=True)

    _step(page, 12)                                         # through the 2015 assessment
    first = _numbers(page)
    assert int(re.search(r"exits declared ([\d,]+)", first).group(1).replace(",", "")) > 0
    assert "Baseline" not in first                          # nothing changed: one run

    # raise the 低保 line: the page says RESET is needed, then runs the change beside the baseline
    before = re.search(r"低保 line [\d.]+", page.inner_text("body")).group(0)  # the scenario's own line
    slider = page.locator(".v-input", has_text="dibao) line").locator(".v-slider").first
    slider.click()
    for _ in range(6):
        page.keyboard.press("ArrowRight")
    page.wait_for_timeout(1500)                              # let the slider's last value arrive
    page.wait_for_function("() => document.body.innerText.includes('Press RESET to run with the new values')",
                           timeout=30_000)
    page.get_by_role("button", name="Reset").click()
    _wait_text(page, "t.includes('not started')")
    page.wait_for_function("(b) => !document.body.innerText.includes(b)", arg=before, timeout=30_000)
    assert "Press RESET to run with the new values" not in page.inner_text("body")
    _step(page, 12)
    second = _numbers(page)
    assert "Baseline" in second and "With your changes" in second
    assert _spend(second, "With your changes") > _spend(second, "Baseline")   # a higher line costs more
    page.wait_for_function("() => !document.body.innerText.includes('Computing the range')", timeout=180_000)
    page.wait_for_timeout(1000)
    page.screenshot(path=str(ARTIFACTS / "app_change_vs_baseline.png"), full_page=True)
    assert not errors, errors


def test_play_runs_to_the_end_and_stops(server, browser):
    page, errors = _visit(browser, server)
    page.get_by_role("button", name="▶").click()
    _wait_text(page, "t.includes('ends in December')", timeout=300_000)
    text = page.inner_text("body")
    assert "error in step" not in text
    months = re.search(r"\((\d+) of (\d+)\)", _numbers(page))
    assert months.group(1) == months.group(2) == "48"       # Jingzhou 2015-2018, and not a month more
    assert page.get_by_role("button", name="Step").is_disabled()
    page.wait_for_timeout(1500)                              # ▶ has nothing left to play
    assert "(48 of 48)" in _numbers(page) and "error" not in page.inner_text("body")
    page.screenshot(path=str(ARTIFACTS / "app_end.png"), full_page=True)
    assert not errors, errors


def test_two_visitors_have_their_own_models(server, browser):
    a, errors_a = _visit(browser, server)
    b, errors_b = _visit(browser, server)
    _step(a, 3)
    b.wait_for_timeout(1000)
    assert "not started" in _numbers(b)                    # A's steps are not B's
    _step(b, 1)
    assert "(3 of " in _numbers(a) and "(1 of " in _numbers(b)
    b.screenshot(path=str(ARTIFACTS / "app_second_visitor.png"), full_page=True)
    assert not errors_a and not errors_b
