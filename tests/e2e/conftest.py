"""Browser tests: Playwright (sync API) driving Debian's Chromium against pytest-django's live_server.

Never lets Playwright download a browser: it launches /usr/bin/chromium. Without it the tests are skipped,
unless ENVGOV_REQUIRE_E2E=1 (CI), where a missing browser is a failure.
"""
from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

os.environ.setdefault("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1")

CHROMIUM = Path(os.environ.get("ENVGOV_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-dev-shm-usage"]
PASSWORD = "pw-12345-x"  # the `world` fixture's password


def _require_browser() -> None:
    if CHROMIUM.exists():
        return
    reason = f"浏览器测试需要 Debian Chromium（{CHROMIUM} 不存在）：apt-get install -y chromium fonts-noto-cjk"
    if os.environ.get("ENVGOV_REQUIRE_E2E") == "1":
        pytest.fail(reason + "；ENVGOV_REQUIRE_E2E=1 时不允许跳过", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="module")  # closed after each test module: later modules run without its event loop
def browser():
    _require_browser()
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread; Django's ORM would refuse to run beside it.
    # Allowed only while the browser tests run, so the rest of the suite keeps Django's guard.
    before = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as pw:
            b = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
            yield b
            b.close()
    finally:
        if before is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = before


@pytest.fixture
def e2e_settings(settings, tmp_path):
    """Uploads go to a temporary folder; the ledger's clock is pinned to the demo date."""
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.ENVGOV_TODAY = "2024-09-16"
    return settings


class Session:
    """One signed-in person in their own browser context (own cookies)."""

    def __init__(self, browser, base_url: str, **context_kw) -> None:
        self.base_url = base_url.rstrip("/")
        self.context = browser.new_context(locale="zh-CN", **context_kw)
        self.context.set_default_timeout(10_000)
        self.page = self.context.new_page()
        self.errors: list[str] = []
        self.page.on("pageerror", lambda exc: self.errors.append(str(exc)))
        # anything the Content-Security-Policy blocked is an error too (Chromium logs each refusal)
        self.page.on("console", lambda msg: self.errors.append(msg.text)
                     if "Content Security Policy" in msg.text else None)

    def url(self, path: str) -> str:
        return self.base_url + path

    def goto(self, path: str):
        response = self.page.goto(self.url(path))
        assert response is not None and response.ok, f"{path} → {response and response.status}"
        return response

    def login(self, username: str, password: str = PASSWORD) -> Session:
        self.goto("/login/")
        self.page.get_by_label("用户名").fill(username)
        self.page.get_by_label("密码").fill(password)
        self.page.get_by_role("button", name="登录").click()
        self.page.wait_for_url(re.compile(r".*/(my|plans/\d+)/$"))
        return self

    def close(self) -> None:
        self.context.close()


@pytest.fixture
def open_session(browser, live_server):
    """open_session(username, **context options) → a signed-in Session; all closed at the end."""
    sessions: list[Session] = []

    def make(username: str, password: str = PASSWORD, **context_kw) -> Session:
        s = Session(browser, live_server.url, **context_kw)
        sessions.append(s)
        return s.login(username, password)

    yield make
    for s in sessions:
        assert not s.errors, f"JavaScript errors: {s.errors}"
        s.close()
