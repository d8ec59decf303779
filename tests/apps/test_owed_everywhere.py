"""One number for "owed": for every demo user, my tasks, the header badge, the API and the coordinator's
reminders agree — they all read envgov.apps.plans.owed."""
from __future__ import annotations

import re

import pytest
from django.core.management import call_command
from django.test import Client, override_settings

from envgov.apps.accounts.models import User

R = User.Role
DEMO_DAY = "2024-09-16"


@pytest.fixture
def demo(db, settings):  # noqa: ANN001
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    call_command("load_demo", quiet=True)


def _number(pattern: str, html: str) -> int | None:
    m = re.search(pattern, html, re.S)
    return int(m[1]) if m else None


@override_settings(ENVGOV_TODAY=DEMO_DAY)
def test_owed_count_is_the_same_on_every_page_for_every_demo_user(demo):
    from envgov.apps.plans.models import Plan

    plan = Plan.objects.get()
    coordinator = Client()
    coordinator.force_login(User.objects.get(username="coordinator"))
    reminders = coordinator.get(f"/plans/{plan.pk}/reminders/").content.decode()
    per_party = {name.strip(): int(n) for name, n in re.findall(
        r"<tr><td>([^<]+)</td><td data-label=\"[^\"]*\">(\d+)</td>", reminders)}
    seen_reporters = 0
    for user in User.objects.filter(is_active=True).select_related("unit", "town"):
        client = Client()
        client.force_login(user)
        my = client.get("/my/").content.decode()
        page = _number(r'id="owed-count">[^<\d]*(\d+)', my)
        badge = _number(r'id="owed-badge">(\d+)<', client.get("/plans/").content.decode()) or 0
        api = client.get("/api/me/owed").json()
        if user.role == R.AUDITOR:
            assert api["count"] == 0 and badge == 0, user.username
            continue
        assert page == badge == api["count"], (user.username, page, badge, api["count"])
        if user.role in (R.UNIT_REPORTER, R.TOWN_REPORTER):
            reports = sum(1 for o in api["items"] if o["kind"] in ("report", "correction"))
            name = (user.unit or user.town).name
            assert per_party.get(name, 0) == reports, (user.username, name, per_party.get(name), reports)
            seen_reporters += 1
    assert seen_reporters >= 8  # the named demo logins and the per-unit/per-town reporters
    assert sum(per_party.values()) > 0
