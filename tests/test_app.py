"""The interactive page in real headless Chromium: it loads, its controls are there, and changing a
control then running changes the numbers. Skipped where Chromium or Playwright is missing (CI
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
    proc = subprocess.Popen([str(solara), "run", str(ROOT / "model" / "tuopin" / "app.py"), "--host", "127.0.0.1",
                             "--port", str(port), "--production"], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    url = f"http://127.0.0.1:{port}/"
    for _ in range(120):
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                break
        except OSError:
            time.sleep(0.5)
    yield url
    proc.terminate()
    proc.wait(timeout=20)


def _numbers(page) -> str:
    return page.inner_text(".tuopin-numbers")


def _wait_text(page, js_test: str) -> None:
    """Wait until the numbers' text passes ``js_test`` (a JS expression on ``t``); the element is
    redrawn on each step, so it may briefly be missing."""
    page.wait_for_function(f"() => {{ const e = document.querySelector('.tuopin-numbers'); "
                           f"if (!e) return false; const t = e.innerText; return {js_test}; }}", timeout=60_000)


def _step(page, n: int) -> None:
    before = _numbers(page)
    for _ in range(n):
        page.get_by_role("button", name="Step").click()
        page.wait_for_timeout(150)
    _wait_text(page, f"t.includes('-{n:02d} ')")  # the n-th month has been drawn
    assert _numbers(page) != before


def test_page_loads_controls_run_and_respond(server):
    ARTIFACTS.mkdir(exist_ok=True)
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        errors = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.goto(server, wait_until="networkidle", timeout=120_000)
        page.wait_for_selector(".tuopin-numbers", timeout=120_000)
        body = page.inner_text("body")
        for label in ("Scenario", "低保 line / poverty line", "Out-of-pocket cap", "大病 deductible", "Transition years",
                      "Industry cap", "Education cap", "STEP", "RESET"):
            assert label in body, label
        assert "not started" in _numbers(page)
        assert page.locator(".vue-grid-item").count() >= 5        # the numbers and four figures
        page.screenshot(path=str(ARTIFACTS / "app_start.png"), full_page=True)

        _step(page, 12)                                           # through the 2015 assessment
        first = _numbers(page)
        exits = int(re.search(r"exits declared ([\d,]+)", first).group(1).replace(",", ""))
        assert exits > 0
        page.screenshot(path=str(ARTIFACTS / "app_2015.png"), full_page=True)

        # move the 低保 line up: the model is rebuilt with the new value; run the same year again
        slider = page.locator(".v-input", has_text="低保 line / poverty line").locator(".v-slider").first
        slider.click()
        for _ in range(6):
            page.keyboard.press("ArrowRight")
        page.wait_for_timeout(1500)
        page.get_by_role("button", name="Reset").click()
        _wait_text(page, "t.includes('not started')")
        _step(page, 12)
        second = _numbers(page)
        page.screenshot(path=str(ARTIFACTS / "app_dibao_up.png"), full_page=True)
        spend = lambda text: int(re.search(r"spend ([\d,]+)", text).group(1).replace(",", ""))  # noqa: E731
        assert spend(second) > spend(first), (first, second)       # a higher 低保 line costs more
        assert not errors, errors
        browser.close()
