"""The dashboard in a real browser: headless Chromium (Debian's package) driven by Playwright.

Starts ``influencer-sim dashboard`` on loopback, changes controls, resets, steps,
plays and pauses, and checks that the charts and the displayed figures change and
that no request failed. A screenshot is kept in ``results/test-artifacts/``.
"""

from __future__ import annotations

import importlib.util
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = ROOT / "results" / "test-artifacts"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


def _missing() -> str | None:
    if importlib.util.find_spec("solara") is None:
        return "the dashboard extra is not installed (pip install -e '.[dashboard]')"
    if importlib.util.find_spec("playwright") is None:
        return "playwright is not installed (pip install -e '.[test]')"
    if CHROMIUM is None:
        return "no chromium on this machine: apt-get install chromium (.ci/run installs it in CI)"
    return None


pytestmark = [pytest.mark.browser, pytest.mark.skipif(_missing() is not None, reason=str(_missing()))]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def dashboard_url():
    port = _free_port()
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    log = (ARTIFACTS / "dashboard-server.log").open("w")
    server = subprocess.Popen(
        [sys.executable, "-m", "simulation.cli", "dashboard", "--port", str(port)],
        cwd=ROOT,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,  # its own process group: stopped as a whole below
    )
    url = f"http://127.0.0.1:{port}/"
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                with urllib.request.urlopen(url, timeout=5) as response:
                    if response.status == 200:
                        break
            except OSError:
                pass
            if server.poll() is not None or time.monotonic() > deadline:
                log.flush()
                pytest.fail("the dashboard did not start:\n" + (ARTIFACTS / "dashboard-server.log").read_text())
            time.sleep(0.5)
        yield url
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()
        log.close()


def test_dashboard_in_headless_chromium(dashboard_url):
    from playwright.sync_api import expect, sync_playwright

    expect.set_options(timeout=30_000)  # a reset builds a market: give the page time
    problems: list[str] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        try:
            page = browser.new_page(viewport={"width": 1600, "height": 1400})
            page.on("requestfailed", lambda r: problems.append(f"request failed: {r.url} ({r.failure})"))
            page.on("response", lambda r: r.status >= 400 and problems.append(f"HTTP {r.status}: {r.url}"))
            page.set_default_timeout(60_000)
            page.goto(dashboard_url)

            ahead = page.locator("p.ahead-line")
            expect(ahead).to_have_text(re.compile(r"^Day 0: A: mega and B: micro are level"))
            charts, network = page.locator("img").nth(0), page.locator("img").nth(1)
            expect(charts).to_have_attribute("src", re.compile("^(data:image/png|blob:)"))

            # a seed that is not a number: a message, not a crash
            seed = page.get_by_label("Seed (a whole number)")
            seed.fill("abc")
            seed.press("Enter")
            page.get_by_role("button", name="Reset").click()
            expect(page.get_by_text("seed = 'abc' is not allowed").first).to_be_visible()

            # change controls: a seed, strategy B and the budget; they take effect on reset
            seed.fill("7")
            seed.press("Enter")
            page.locator(".v-select").filter(has_text="Strategy B").click()
            page.get_by_role("option", name="nano").click()
            budget = page.get_by_role("slider", name="Budget (USD)")
            budget.focus()
            budget.press("End")
            expect(budget).to_have_attribute("aria-valuenow", "1000000")
            page.get_by_role("button", name="Reset").click()
            expect(ahead).to_have_text(re.compile(r"^Day 0: A: mega and B: nano are level"))
            table = page.locator("table.figures")
            expect(table).to_contain_text("B: nano")
            before = {"charts": charts.get_attribute("src"), "network": network.get_attribute("src")}
            figures_before = table.inner_text()

            step = page.get_by_role("button", name="Step")
            latency = []  # click to the new day on screen: recorded, not asserted (a benchmark, not a timed test)
            for day in range(1, 5):
                start = time.perf_counter()
                step.click()
                page.wait_for_function(  # checked at every animation frame: a precise time
                    "day => document.querySelector('p.ahead-line').innerText.startsWith(day)",
                    arg=f"Day {day}: ",
                    polling="raf",
                )
                latency.append(time.perf_counter() - start)
                expect(ahead).to_have_text(re.compile(rf"^Day {day}: "))
            (ARTIFACTS / "step-latency.txt").write_text(
                "seconds from clicking Step to the new day on screen: " + ", ".join(f"{t:.3f}" for t in latency) + "\n"
            )
            expect(charts).not_to_have_attribute("src", before["charts"])
            expect(network).not_to_have_attribute("src", before["network"])
            assert table.inner_text() != figures_before
            assert re.search(r"is ahead on conversions|are level on conversions", ahead.inner_text())

            # play runs on by itself, pause stops it
            page.get_by_role("button", name="▶").click()
            expect(ahead).to_have_text(re.compile(r"^Day ([6-9]|\d\d): "), timeout=60_000)
            page.get_by_role("button", name="❚❚").click()
            time.sleep(1.0)
            paused_at = ahead.inner_text()
            time.sleep(1.5)
            assert ahead.inner_text() == paused_at

            ARTIFACTS.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(ARTIFACTS / "dashboard.png"), full_page=True)
        finally:
            ARTIFACTS.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(ARTIFACTS / "dashboard-last.png"), full_page=True)
            browser.close()
    assert problems == [], problems
