"""Browser tests: the product served on a loopback port, driven by Playwright in the system Chromium.

They are skipped only where /usr/bin/chromium is missing; `make test` installs it where it can (root).
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from werkzeug.serving import make_server

CHROMIUM = "/usr/bin/chromium"
FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SHOTS = Path(os.environ.get("MART_SCREENSHOTS", "/tmp/mart-screenshots"))


@pytest.fixture(params=["sqlite"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """Browser tests look at screens, not databases: SQLite is enough (the database suite covers both)."""
    return f"sqlite:///{tmp_path / 'browser.db'}"


def _whole(app):
    """The app with each response read whole before it is sent: a browser that drops a connection (a page left
    while a script still loads) then leaves no static file open behind it in the test server."""

    def wsgi(environ, start_response):
        result = app(environ, start_response)
        try:
            return [b"".join(result)]
        finally:
            if hasattr(result, "close"):
                result.close()

    return wsgi


@pytest.fixture
def live_server(app) -> Iterator[str]:
    server = make_server("127.0.0.1", 0, _whole(app), threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(5)


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    if not Path(CHROMIUM).exists():
        pytest.skip("the system Chromium is not installed (apt-get install chromium fonts-noto-cjk)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS, headless=True)
        yield browser
        browser.close()


def watch_policy(page) -> list[str]:
    """Collect what the browser refuses under the content policy (an inline script or style, say)."""
    refused: list[str] = []
    page.on("console", lambda m: refused.append(m.text) if "Content Security Policy" in m.text else None)
    return refused


@pytest.fixture
def page(browser) -> Iterator[object]:
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    page = context.new_page()
    refused = watch_policy(page)
    yield page
    context.close()
    assert not refused, refused  # every page works with only its own scripts and styles


def shot(page, name: str) -> Path:
    SHOTS.mkdir(parents=True, exist_ok=True)
    path = SHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def sign_in(page, server: str, username: str, password: str = "password-123") -> None:
    """Sign a staff member in through the sign-in page, as they would."""
    page.goto(f"{server}/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.get_by_role("button", name="登录", exact=True).click()
    page.wait_for_url("**/admin/")
