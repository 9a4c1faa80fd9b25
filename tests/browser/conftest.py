"""Browser tests: the real service in a subprocess, driven with Playwright through Debian's Chromium.

Fixtures:

- `host_site` (session): a clinic's own website on another origin, serving whatever a test puts in it;
- `server` (session): `python -m service` on a free port over the seed index built with the ONNX embedder
  (`seed_index_dir_onnx`), served on the default ONNX backend as `make run` serves it (the graph from
  `var/models`, exported there by `onnx_embedder`), with a random staff token and
  `CLINIC_ALLOWED_ORIGINS=[host_site.origin]`; ready when `/readyz` answers 200;
- `library_server` (module): the same service over a private copy of that index, with its own library
  store, for tests that upload, publish or approve (the shared `server` is never changed);
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
import shutil
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import (
    Browser,
    BrowserContext,
    ConsoleMessage,
    Locator,
    Page,
    expect,
    sync_playwright,
)

from tests.conftest import ONNX_MODEL_CACHE

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
LAUNCHER = "Ask the clinic's library"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
READY_TIMEOUT = 120.0

expect.set_options(timeout=15_000)


@dataclass(frozen=True)
class Server:
    origin: str
    staff_token: str
    log: Path
    library_url: str = ""  # the server's own library store (a temporary SQLite file)


@dataclass
class HostSite:
    """A clinic's own website on another origin (`http://localhost:<port>`; the service is on 127.0.0.1).

    Tests put the HTML to serve in `pages[path]`. A real loopback server rather than Playwright's router:
    Chromium's private-network rules refuse a page it treats as public loading a script from loopback.
    """

    origin: str
    pages: dict[str, str] = field(default_factory=dict)


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@pytest.fixture(scope="session")
def host_site() -> Iterator[HostSite]:
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), BaseHTTPRequestHandler)
    site = HostSite(f"http://localhost:{httpd.server_address[1]}")

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            body = site.pages.get(self.path.split("?")[0])
            data = (body or "not found").encode()
            self.send_response(200 if body is not None else 404)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, format: str, *args: object) -> None:
            pass

    httpd.RequestHandlerClass = Handler
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield site
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture(scope="session")
def start_server(
    tmp_path_factory: pytest.TempPathFactory, host_site: HostSite
) -> Iterator[Callable[..., Server]]:
    """Start `python -m service` over an index directory; wait until `ready_path` answers 200.

    Every server gets its own library store (`CLINIC_LIBRARY_URL`, a fresh SQLite file), so no test writes
    to the repository's `var/library.db`; `extra_env` adds or overrides settings."""
    processes: list[subprocess.Popen[bytes]] = []

    def start(
        index_dir: Path, ready_path: str = "/readyz", extra_env: dict[str, str] | None = None
    ) -> Server:
        port = _free_port()
        token = secrets.token_urlsafe(24)[:32]
        library_url = f"sqlite:///{tmp_path_factory.mktemp('library') / 'library.db'}"
        env = {k: v for k, v in os.environ.items() if not k.startswith("CLINIC_")}
        env.update(
            CLINIC_LIBRARY_URL=library_url,
            CLINIC_INDEX_DIR=str(index_dir),
            CLINIC_STAFF_TOKEN=token,
            CLINIC_CLINIC_NAME=CLINIC_NAME,
            CLINIC_ALLOWED_ORIGINS=json.dumps([host_site.origin]),
            # the default backend (onnx), which built the seed index fixture, with the graph it exported
            CLINIC_MODEL_CACHE_DIR=str(ONNX_MODEL_CACHE),
            HF_HUB_OFFLINE="1",
            TRANSFORMERS_OFFLINE="1",
            TOKENIZERS_PARALLELISM="false",
        )
        env.update(extra_env or {})
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
                response = httpx.get(origin + ready_path, timeout=2)
            except httpx.TransportError:
                pass  # not listening yet
            else:
                if response.status_code == 200:
                    return Server(origin, token, log, env["CLINIC_LIBRARY_URL"])
                # the library loads before the server listens: a 503 now will not turn into a 200
                pytest.fail(f"service up but {ready_path} answers {response.status_code}: {response.text}")
            time.sleep(0.2)
        pytest.fail(
            f"service not ready on {ready_path} within {READY_TIMEOUT:.0f} s:\n{log.read_text()[-3000:]}"
        )

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
def server(start_server: Callable[..., Server], seed_index_dir_onnx: Path) -> Server:
    return start_server(seed_index_dir_onnx, "/readyz")


@pytest.fixture(scope="module")
def library_server(
    start_server: Callable[..., Server], seed_index_dir_onnx: Path, tmp_path_factory: pytest.TempPathFactory
) -> Server:
    """A server the test may change: a private copy of the seed index (a publish replaces it) and its own
    library store, which imports the seed corpus on start-up as a fresh installation does."""
    index_dir = tmp_path_factory.mktemp("library-index") / "index"
    shutil.copytree(seed_index_dir_onnx, index_dir)
    return start_server(index_dir, "/readyz", {"CLINIC_RELOAD_INTERVAL": "1"})


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


@dataclass
class PageWatch:
    """Script errors and CSP violations on the test's page. axe-core itself trips the CSP (it tries an
    inline style), so once a test has injected it, CSP reports are no longer counted."""

    problems: list[str] = field(default_factory=list)
    axe_injected: bool = False


@pytest.fixture
def page_watch() -> PageWatch:
    return PageWatch()


@pytest.fixture
def page(context: BrowserContext, requested_urls: list[str], page_watch: PageWatch) -> Iterator[Page]:
    problems = page_watch.problems

    def on_console(message: ConsoleMessage) -> None:
        if "Content Security Policy" in message.text and not page_watch.axe_injected:
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


def axe_violations(page: Page, artifacts: Path, name: str) -> tuple[int, str]:
    """Run axe-core (WCAG 2.0/2.1 A+AA and 2.2 AA rules) over the page, into open shadow roots.

    Saves the full result to `test-artifacts/axe-<name>.json`; returns (violations, readable report).
    """
    from axe_playwright_python.sync_playwright import Axe

    options = {"runOnly": {"type": "tag", "values": AXE_TAGS}, "resultTypes": ["violations"]}
    results = Axe().run(page, options=options)
    results.save_to_file(artifacts / f"axe-{name}.json")
    return results.violations_count, results.generate_report()


@pytest.fixture
def axe(artifacts: Path, page_watch: PageWatch) -> Callable[[Page, str], tuple[int, str]]:
    def run(page: Page, name: str) -> tuple[int, str]:
        page_watch.axe_injected = True
        return axe_violations(page, artifacts, name)

    return run
