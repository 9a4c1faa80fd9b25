"""Browser tests: the real service in a subprocess, driven with Playwright through Debian's Chromium.

Fixtures:

- `server` (session): `python -m service` on a free port over the seed index (`seed_index_dir`), with a
  random staff token and `CLINIC_ALLOWED_ORIGINS=[CROSS_ORIGIN]`; ready when `/readyz` answers 200;
- `browser` (session): Chromium from /usr/bin/chromium (skips the suite when it is not installed);
- `context` / `page`: a fresh browser context per test; the page fails the test on an uncaught script
  error or a Content-Security-Policy violation, and records every URL it requests in `requested_urls`;
- `widget`: a `WidgetDriver` for the demo page at `server.origin + "/"`;
- `artifacts`: `test-artifacts/` (git-ignored) for screenshots.
"""

from __future__ import annotations

import json
import os
import secrets
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Browser, BrowserContext, ConsoleMessage, Locator, Page, expect, sync_playwright

REPO_ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = REPO_ROOT / "test-artifacts"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
CLINIC_NAME = "Test Valley Clinic"
EMERGENCY = "911"  # region US, the default
CROSS_ORIGIN = "http://clinic.test"  # a host page on another origin, served by Playwright's router
LAUNCHER = "Ask the clinic's library"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
READY_TIMEOUT = 120.0

expect.set_options(timeout=15_000)


@dataclass(frozen=True)
class Server:
    origin: str
    staff_token: str
    log: Path


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@pytest.fixture(scope="session")
def start_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Callable[[Path, str], Server]]:
    """Start `python -m service` over an index directory; wait until `ready_path` answers 200."""
    processes: list[subprocess.Popen[bytes]] = []

    def start(index_dir: Path, ready_path: str = "/readyz") -> Server:
        port = _free_port()
        token = secrets.token_urlsafe(24)[:32]
        env = {k: v for k, v in os.environ.items() if not k.startswith("CLINIC_")}
        env.update(
            CLINIC_INDEX_DIR=str(index_dir),
            CLINIC_STAFF_TOKEN=token,
            CLINIC_CLINIC_NAME=CLINIC_NAME,
            CLINIC_ALLOWED_ORIGINS=json.dumps([CROSS_ORIGIN]),
            HF_HUB_OFFLINE="1",
            TRANSFORMERS_OFFLINE="1",
            TOKENIZERS_PARALLELISM="false",
        )
        log = tmp_path_factory.mktemp("server") / "server.log"
        with log.open("wb") as out:
            process = subprocess.Popen(
                [sys.executable, "-m", "service", "--port", str(port)],
                cwd=REPO_ROOT,
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        processes.append(process)
        origin = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + READY_TIMEOUT
        while time.monotonic() < deadline:
            if process.poll() is not None:
                pytest.fail(f"service exited with {process.returncode}:\n{log.read_text()[-3000:]}")
            try:
                if httpx.get(origin + ready_path, timeout=2).status_code == 200:
                    return Server(origin, token, log)
            except httpx.TransportError:
                pass
            time.sleep(0.2)
        pytest.fail(f"service not ready on {ready_path} within {READY_TIMEOUT:.0f} s:\n{log.read_text()[-3000:]}")

    yield start
    for process in processes:
        process.terminate()
    for process in processes:
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.fixture(scope="session")
def server(start_server: Callable[[Path, str], Server], seed_index_dir: Path) -> Server:
    return start_server(seed_index_dir, "/readyz")


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    if not os.access(CHROMIUM, os.X_OK):
        pytest.skip(f"Chromium not found at {CHROMIUM}: run `make browser-deps`")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def context(browser: Browser) -> Iterator[BrowserContext]:
    ctx = browser.new_context(viewport={"width": 1280, "height": 860}, service_workers="block")
    yield ctx
    ctx.close()


@pytest.fixture
def requested_urls() -> list[str]:
    """Every URL the test's page requests, from before its first navigation."""
    return []


@pytest.fixture
def page(context: BrowserContext, requested_urls: list[str]) -> Iterator[Page]:
    problems: list[str] = []

    def on_console(message: ConsoleMessage) -> None:
        if "Content Security Policy" in message.text:
            problems.append(f"CSP violation: {message.text}")

    page = context.new_page()
    page.on("console", on_console)
    page.on("pageerror", lambda error: problems.append(f"uncaught error: {error}"))
    page.on("request", lambda request: requested_urls.append(request.url))
    yield page
    assert not problems, "\n".join(problems)


@pytest.fixture(scope="session")
def artifacts() -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS


class WidgetDriver:
    """The chat widget on a page, found through its open shadow root by role and label."""

    def __init__(self, page: Page) -> None:
        self.page = page
        self.launcher = page.get_by_role("button", name=LAUNCHER)
        self.panel = page.get_by_role("dialog")
        self.input = page.get_by_label("Your question")
        self.log = page.get_by_role("log")
        self.replies = self.log.locator(".wg-reply")

    def open(self) -> None:
        self.launcher.click()
        expect(self.input).to_be_focused()

    def ask(self, question: str) -> Locator:
        """Type and submit with Enter; returns the new reply once it has replaced the loading message."""
        before = self.replies.count()
        self.input.fill(question)
        self.input.press("Enter")
        expect(self.replies).to_have_count(before + 1)
        return self.replies.last


@pytest.fixture
def widget(page: Page, server: Server) -> WidgetDriver:
    page.goto(server.origin + "/")
    driver = WidgetDriver(page)
    expect(driver.launcher).to_be_visible()
    return driver
