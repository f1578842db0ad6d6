"""End to end in Debian's headless Chromium, driven by Playwright, against `labscout serve`."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

CHROMIUM = "/usr/bin/chromium"
SCREENSHOT = Path(__file__).resolve().parents[1] / "docs" / "screenshot-search.png"
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

pytestmark = pytest.mark.browser


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server(demo_db: str):
    if not Path(CHROMIUM).exists():
        pytest.skip(f"{CHROMIUM} not installed (apt-get install chromium)")
    pytest.importorskip("playwright.sync_api", reason="the playwright package is not installed")
    port = _free_port()
    env = {**os.environ, "HF_HUB_OFFLINE": "1"}
    # the demo store is indexed with the tests' fake embedder: the server registers it too
    launch = (
        "import sys; sys.path.insert(0, sys.argv.pop(1)); import conftest; "
        "from labscout.cli import main; sys.argv[0] = 'labscout'; main()"
    )
    tests = str(Path(__file__).resolve().parent)
    proc = subprocess.Popen(
        [sys.executable, "-c", launch, tests, "serve", "--db", demo_db, "--port", str(port),
         "--workers", "1"],  # one process: worker processes would not register the embedder
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.time() + 60
    while time.time() < deadline:
        if proc.poll() is not None:
            pytest.fail("labscout serve exited: " + proc.stderr.read().decode()[-2000:])
        try:
            if httpx.get(url + "/", timeout=2).status_code == 200:
                break
        except httpx.HTTPError:
            time.sleep(0.2)
    else:
        proc.kill()
        pytest.fail("labscout serve did not answer within 60 s")
    yield url
    proc.terminate()
    proc.wait(timeout=10)


def test_search_open_researcher_see_evidence(server: str, tmp_path) -> None:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            page = browser.new_page(viewport={"width": 1100, "height": 900})
            page.goto(server + "/")
            page.fill("#q", "graph neural networks")
            page.click("button[type=submit]")
            page.wait_for_selector(".card.researcher", timeout=120_000)
            cards = page.locator(".card.researcher")
            assert cards.count() >= 5
            assert cards.first.locator(".evidence li").count() >= 1
            assert "q=graph+neural+networks" in page.url  # shareable link
            SCREENSHOT.parent.mkdir(exist_ok=True)
            page.screenshot(path=str(tmp_path / "search.png"), full_page=False)
            if os.environ.get("UPDATE_SCREENSHOTS"):
                shutil.copy(tmp_path / "search.png", SCREENSHOT)
            name = cards.first.locator("h2 a").inner_text()
            cards.first.locator("h2 a").click()
            page.wait_for_selector("text=The signals")
            assert page.locator("h1").inner_text() == name
            assert page.locator("svg").count() >= 1
        finally:
            browser.close()


def test_plan_page_renders_its_sections(server: str) -> None:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            page = browser.new_page(viewport={"width": 1100, "height": 900})
            page.goto(server + "/plan")
            page.fill("#q", "graph neural networks")
            page.click("button[type=submit]")
            page.wait_for_selector("#reading", timeout=120_000)
            assert "q=graph+neural+networks" in page.url
            for band in ("reach", "match", "safer"):
                assert page.locator(f"#band-{band} h2").count() == 1
            assert page.locator("#internships h2").inner_text() == "Internships"
            targets = page.locator(".card.target")
            assert targets.count() >= 1
            first = targets.first
            for label in ("Fit", "Takes students", "Hosts interns", "Shared topic"):
                assert first.locator("dt", has_text=label).count() == 1
            links = page.locator("#reading li a")
            assert links.count() >= 1
            hrefs = [links.nth(i).get_attribute("href") for i in range(links.count())]
            assert all(h.startswith(("https://", "http://")) for h in hrefs)
        finally:
            browser.close()
