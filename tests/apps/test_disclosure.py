"""信息公开 (decision 0039): the district's one public page (`public_district`; `/disclosure/<adcode>/` leads there)
opens without login and shows only public content — town air, published circulars (downloadable), published
drinking-water entries — and none of: tasks, units' progress, 督办, draft circulars, unpublished entries, names."""
from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.base import ContentFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from envgov.apps.audit.models import AuditLog
from envgov.apps.disclosure import actions
from envgov.apps.disclosure.models import DrinkingWaterNotice

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fast(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.ENVGOV_TODAY = "2024-09-16"


def _circular(district, status: str, title: str):
    from envgov.apps.circulars.models import Circular

    c = Circular(district=district, kind="on_demand", status=status, period="2024-Q1", period_label="2024年第1季度",
                 period_start=dt.date(2024, 1, 1), period_end=dt.date(2024, 3, 31), title=title, content={},
                 created_at=timezone.now(), number="通环〔2024〕1号" if status == "published" else "")
    c.docx.save(f"{status}.docx", ContentFile(b"PK\x03\x04 docx"), save=False)
    c.save()
    return c


def test_anonymous_sees_public_content_only(world):
    from envgov.apps.supervision import actions as supervision

    d = world["district"]
    world["coordinator"].first_name = "王协调"
    world["coordinator"].save()
    actions.create_notice(d, acting_user=world["coordinator"], data={
        "title": "二季度饮用水水源水质", "body": "公开正文", "published_on": dt.date(2024, 7, 1), "published": True})
    actions.create_notice(d, acting_user=world["coordinator"], data={
        "title": "三季度草稿条目", "body": "内部草稿", "published_on": dt.date(2024, 9, 1), "published": False})
    published = _circular(d, "published", "一季度空气质量通报")
    _circular(d, "draft", "草稿通报不得公开")
    supervision.open_supervision(world["plan"], acting_user=world["coordinator"], title="督办内部事项",
                                 due_date=dt.date(2024, 5, 1), task=world["task_unit_a"], addressee_unit=world["u_market"])
    r = Client().get(reverse("disclosure_public", args=[d.adcode]))
    assert r.status_code == 302 and r["Location"] == reverse("public_district", args=[d.adcode])
    r = Client().get(r["Location"])
    assert r.status_code == 200
    html = r.content.decode()
    for shown in ("二季度饮用水水源水质", "公开正文", "一季度空气质量通报", "通环〔2024〕1号", "饮用水安全信息"):
        assert shown in html, shown
    for hidden in ("三季度草稿条目", "内部草稿", "草稿通报不得公开", "督办内部事项", world["task_unit_a"].title,
                   world["task_unit_b"].title, "王协调", "coordinator", "市场监管局", "/login/"):
        assert hidden not in html, hidden
    link = reverse("circular_public_docx", kwargs={"published_id": published.pk})
    assert link in html
    assert Client().get(link).status_code == 200


def test_unknown_district_is_404_and_other_districts_entries_stay_apart(world):
    assert Client().get(reverse("disclosure_public", args=["999999"])).status_code == 404
    other = world["other_plan"].district
    actions.create_notice(other, acting_user=world["other_coordinator"], data={
        "title": "门头沟条目", "body": "x", "published_on": dt.date(2024, 7, 1), "published": True})
    html = Client().get(reverse("disclosure_public", args=[world["district"].adcode]), follow=True).content.decode()
    assert "门头沟条目" not in html


def test_editing_is_behind_login_for_coordinators_and_audited(world):
    url = reverse("disclosure_manage")
    assert Client().get(url).status_code == 302  # login first
    reporter = Client()
    reporter.force_login(world["unit_a"])
    assert reporter.post(url, {"title": "x", "body": "y", "published_on": "2024-07-01"}).status_code == 403
    c = Client()
    c.force_login(world["coordinator"])
    r = c.post(url, {"title": "水源地公告", "body": "正文", "published_on": "2024-07-01", "published": "on"})
    assert r.status_code == 302
    entry = DrinkingWaterNotice.objects.get()
    assert entry.published and AuditLog.objects.filter(action="disclosure_create", object_id=str(entry.pk)).exists()
    r = c.post(reverse("disclosure_edit", args=[entry.pk]), {"title": "水源地公告", "body": "正文",
                                                            "published_on": "2024-07-01", "version": entry.version})
    assert r.status_code == 302
    entry.refresh_from_db()
    assert not entry.published  # withdrawn from the public page
    assert AuditLog.objects.filter(action="disclosure_update").exists()
    other = Client()
    other.force_login(world["other_coordinator"])
    assert other.get(reverse("disclosure_edit", args=[entry.pk])).status_code == 404
    bad = c.post(url, {"title": "", "body": "", "published_on": "not a date"})
    assert bad.status_code == 422 and DrinkingWaterNotice.objects.count() == 1
