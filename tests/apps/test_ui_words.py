"""The Chinese UI shows no internal code and no stray English: a walk over the demo district's pages, as a
coordinator, a unit reporter, a town reporter and a unit leader, reading the visible text of each page.

What counts as a leak is written out below (None级, pm25_mean, o3, ASCII colons after Chinese, CLI flags,
English words outside a short list of names a Chinese office uses as they are).
"""
from __future__ import annotations

import re
from collections import Counter
from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest
from django.core.management import call_command
from django.test import Client, override_settings

from envgov.apps.accounts.models import User

DEMO_DAY = "2024-09-16"
# names used as they are in Chinese offices and documents (formats, standards, products, units of measure)
ALLOWED_WORDS = {
    "envgov", "Excel", "Word", "API", "OpenAPI", "PDF", "JSON", "CSV", "XLSX", "DOCX", "Webhook", "Markdown", "HTTPS",
    "HTTP", "URL", "AQI", "IAQI", "HJ", "GB", "PM", "WGS", "GCJ", "TOTP", "ID", "docx", "xlsx", "csv", "pdf", "txt",
    "Parquet", "DuckDB", "Spark", "Token", "Bearer", "SMTP", "Email", "mail", "com", "www", "https", "http",
    "pptx", "ppt", "jpg", "png", "jpeg", "webp", "heic", "gif",
    # terms of the trade written in Latin letters in Chinese plans and standards
    "NOx", "VOCs", "GEP", "COD", "BOD", "TSP", "SVOC", "PCB",
}
LEAKS = {
    "None": re.compile(r"\bNone\b"),
    "snake_case code": re.compile(r"\b[a-z][a-z0-9]*_[a-z0-9_]+\b"),
    "pollutant code": re.compile(r"\b(pm25|pm10|pm2_5|o3|no2|so2|co|o3_8h)\b"),
    "ASCII colon after Chinese": re.compile(r"[\u4e00-\u9fff]:(?!//)"),
    "CLI flag": re.compile(r"(?<![\w-])--[a-z][a-z-]+"),
}
WORD = re.compile(r"[A-Za-z]{3,}")
SKIP = ("/api/", "/admin/", "/logout/", "/i18n/", ".xlsx", ".csv", ".docx", ".pdf", "/attachments/", "/evidence/",
        "/supervision/photos/", "/export", "/errors.", "/static/", "/media/")


class _Page(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.text: list[str] = []
        self.links: list[str] = []
        self._skip = 0
        self._stack: list[str] = []

    def handle_starttag(self, tag, attrs):  # noqa: ANN001
        # what a user typed or a code that names a thing (a login, a station code, a file name) is marked
        # translate="no" by the templates, as HTML means it; everything else is the platform's own words
        if tag in ("script", "style", "code", "pre", "textarea", "option") or ("translate", "no") in attrs:
            self._skip += 1
            self._stack.append(tag)
        if tag == "a":
            href = dict(attrs).get("href") or ""
            if href.startswith("/"):
                self.links.append(href.split("#")[0])
        if self._skip:
            return
        for name, value in attrs:  # words a user reads without opening anything
            if name in ("title", "placeholder", "alt", "aria-label") and value:
                self.text.append(value)

    def handle_endtag(self, tag):  # noqa: ANN001
        if self._stack and tag == self._stack[-1]:
            self._stack.pop()
            self._skip -= 1

    def handle_data(self, data):  # noqa: ANN001
        if not self._skip:
            self.text.append(data)


def _leaks(text: str) -> list[str]:
    found = [f"{kind}: {m.group(0)!r}" for kind, rx in LEAKS.items() for m in rx.finditer(text)]
    found += [f"English word: {w!r}" for w in WORD.findall(text) if w not in ALLOWED_WORDS]
    return found


@pytest.fixture
def demo(db, settings):  # noqa: ANN001
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    call_command("load_demo", quiet=True)


@override_settings(ENVGOV_TODAY=DEMO_DAY)
def test_demo_pages_show_no_internal_code_or_stray_english(demo):
    budget = {"coordinator": 90, "scjg": 30, "songzhuang": 25, "swj_kz": 20, "admin": 30}
    problems: dict[str, set[str]] = {}
    for username, limit in budget.items():
        client = Client()
        client.force_login(User.objects.get(username=username))
        queue, seen, kinds = ["/"], set(), Counter()
        while queue and len(seen) < limit:
            url = queue.pop(0)
            if url in seen or any(s in url for s in SKIP):
                continue
            seen.add(url)
            response = client.get(url, follow=True)
            if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
                continue
            page = _Page()
            page.feed(response.content.decode())
            path = urlsplit(url).path
            for leak in _leaks(" ".join(page.text)):
                problems.setdefault(leak, set()).add(path)
            for link in page.links:  # two pages of each kind: /tasks/12/ and /tasks/13/ share a template
                kind = re.sub(r"\d+", "N", link)
                if link not in seen and link not in queue and kinds[kind] < 2:
                    kinds[kind] += 1
                    queue.append(link)
    report = "\n".join(f"{leak} on {sorted(paths)[:3]}" for leak, paths in sorted(problems.items()))
    assert not problems, report
