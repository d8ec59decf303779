"""督办 in its own app: escalation 经办 → 科室负责人 → 分管领导 with each step visible, responses with phone
photos, the printable 督办单, and the named checks as a role × action matrix.

Expected escalation days come from the rule as written in envgov.rules.ledger (one step per
ESCALATION_STEP_DAYS after the response deadline); page sizes and margins from GB/T 9704-2012 5.1–5.2.1.
"""
from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, transaction
from django.test import Client
from django.urls import reverse

from envgov.apps.accounts.models import User
from envgov.apps.notices.models import Notice
from envgov.apps.plans.owed import owed_for
from envgov.apps.supervision import actions as supervision
from envgov.apps.supervision import permissions
from envgov.apps.supervision.models import SupervisionEvent, SupervisionItem, SupervisionPhoto
from envgov.rules import ledger

JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 64
DUE = dt.date(2024, 5, 10)


@pytest.fixture(autouse=True)
def _fast(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def _item(world, **kw) -> SupervisionItem:
    return supervision.open_supervision(world["plan"], acting_user=world["coordinator"], title="抽检进度滞后",
                                        due_date=kw.pop("due_date", DUE), task=world["task_unit_a"],
                                        addressee_unit=world["u_market"], detail="按时序应完成4组", **kw)


def _client(user: User) -> Client:
    c = Client()
    c.force_login(user)
    return c


@pytest.mark.django_db
def test_unanswered_item_climbs_one_level_per_step_and_each_step_is_seen(world):
    deputy = User.objects.create_user("deputy_a", password="x", role=User.Role.UNIT_LEADER, district=world["district"],
                                      unit=world["u_market"], leader_level=User.LeaderLevel.DEPUTY_IN_CHARGE)
    item = _item(world)
    step = ledger.ESCALATION_STEP_DAYS
    assert supervision.escalate_unanswered(world["plan"], DUE) == 0  # the deadline itself still holds
    assert supervision.escalate_unanswered(world["plan"], DUE + dt.timedelta(days=1)) == 1
    item.refresh_from_db()
    assert item.escalation_level == SupervisionItem.Level.SECTION_HEAD
    assert supervision.escalate_unanswered(world["plan"], DUE + dt.timedelta(days=step)) == 0  # same step
    assert supervision.escalate_unanswered(world["plan"], DUE + dt.timedelta(days=step + 1)) == 1
    item.refresh_from_db()
    assert item.escalation_level == SupervisionItem.Level.DEPUTY_IN_CHARGE
    assert supervision.escalate_unanswered(world["plan"], DUE + dt.timedelta(days=30)) == 0  # capped at 分管领导
    kinds = list(item.events.values_list("kind", "level"))
    assert kinds == [("opened", 0), ("escalated", 1), ("escalated", 2)]
    # the 科室负责人 hears of the first step, the 分管领导 of the second; the reporter is not told twice
    assert Notice.objects.filter(recipient=world["leader_a"], kind="supervision_escalated").count() == 1
    assert Notice.objects.filter(recipient=deputy, kind="supervision_escalated").count() == 1
    # the leaders owe an answer from their level on; the page shows the level and the timeline
    later = DUE + dt.timedelta(days=step + 1)
    assert [o.item_id for o in owed_for(world["leader_a"], later)] == [item.pk]
    assert [o.item_id for o in owed_for(deputy, later)] == [item.pk]
    page = _client(world["coordinator"]).get(reverse("supervision_detail", args=[item.pk])).content.decode()
    assert "已升级至分管领导" in page and page.count("逾期未反馈，升级督办") == 2


@pytest.mark.django_db
def test_an_answered_item_does_not_escalate_and_no_leader_means_the_coordinator_hears(world):
    answered = _item(world)
    supervision.respond_supervision(answered, acting_user=world["unit_a"], response="已补抽2组", expected_version=1)
    orphan = supervision.open_supervision(world["plan"], acting_user=world["coordinator"], title="扬尘检查滞后",
                                          due_date=DUE, addressee_town=world["t_songzhuang"])
    assert supervision.escalate_unanswered(world["plan"], DUE + dt.timedelta(days=2)) == 1
    answered.refresh_from_db()
    orphan.refresh_from_db()
    assert answered.escalation_level == 0 and orphan.escalation_level == 1
    told = Notice.objects.filter(kind="supervision_escalated")
    assert list(told.values_list("recipient__username", flat=True)) == ["coordinator"]
    assert "尚未在平台设置科室负责人账号" in told.get().body


@pytest.mark.django_db
def test_the_daily_check_escalates_too_and_stays_idempotent(world):
    _item(world)
    day = DUE + dt.timedelta(days=2)
    assert supervision.flag_overdue_and_lagging(world["plan"], day).escalated == 1
    assert supervision.flag_overdue_and_lagging(world["plan"], day).escalated == 0


@pytest.mark.django_db
def test_a_phone_response_carries_photos_shown_as_thumbnails_and_served_in_scope_only(world):
    item = _item(world)
    c = _client(world["unit_a"])
    photos = [SimpleUploadedFile("现场1.jpg", JPEG, content_type="image/jpeg"),
              SimpleUploadedFile("现场2.jpg", JPEG, content_type="image/jpeg")]
    r = c.post(reverse("supervision_detail", args=[item.pk]),
               {"op": "respond", "response": "已整改，见现场照片", "version": item.version, "photos": photos})
    assert r.status_code == 302
    item.refresh_from_db()
    assert item.status == SupervisionItem.Status.RESPONDED
    event = item.events.get(kind=SupervisionEvent.Kind.RESPONDED)
    assert sorted(event.photos.values_list("name", flat=True)) == ["现场1.jpg", "现场2.jpg"]
    page = c.get(reverse("supervision_detail", args=[item.pk])).content.decode()
    photo = SupervisionPhoto.objects.order_by("id").first()
    assert 'class="thumb"' in page and reverse("supervision_photo", args=[photo.pk]) in page
    assert c.get(reverse("supervision_photo", args=[photo.pk])).status_code == 200
    assert _client(world["unit_b"]).get(reverse("supervision_photo", args=[photo.pk])).status_code == 404


@pytest.mark.django_db
def test_a_response_with_a_file_that_is_not_a_photo_or_document_keeps_nothing(world):
    item = _item(world)
    page = SimpleUploadedFile("../../现场.jpg", b"<html><script>alert(1)</script></html>", content_type="image/jpeg")
    r = _client(world["unit_a"]).post(reverse("supervision_detail", args=[item.pk]),
                                      {"op": "respond", "response": "见附件", "version": item.version, "photos": [page]},
                                      follow=True)
    assert "不是允许的类型" in r.content.decode()
    item.refresh_from_db()
    assert item.status == SupervisionItem.Status.OPEN and not SupervisionPhoto.objects.exists()


@pytest.mark.django_db
def test_an_empty_response_keeps_nothing_and_says_why(world):
    item = _item(world)
    r = _client(world["unit_a"]).post(reverse("supervision_detail", args=[item.pk]),
                                      {"op": "respond", "response": "  ", "version": item.version}, follow=True)
    assert r.status_code == 200
    item.refresh_from_db()
    assert item.status == SupervisionItem.Status.OPEN and not item.events.filter(kind="responded").exists()


@pytest.mark.django_db
def test_the_printable_supervision_sheet_is_an_a4_official_layout_with_the_timeline(world):
    from docx import Document
    from docx.shared import Mm

    item = _item(world)
    supervision.escalate_unanswered(world["plan"], DUE + dt.timedelta(days=1))
    r = _client(world["unit_a"]).get(reverse("supervision_sheet", args=[item.pk]))
    assert r.status_code == 200 and r["Content-Type"].startswith("application/vnd.openxmlformats")
    doc = Document(io.BytesIO(r.content))
    section = doc.sections[0]
    # GB/T 9704-2012 5.1 A4, 5.2.1 天头 37 mm, 订口 28 mm (±1 mm)
    assert abs(section.page_width - Mm(210)) < Mm(1) and abs(section.page_height - Mm(297)) < Mm(1)
    assert abs(section.top_margin - Mm(37)) <= Mm(1) and abs(section.left_margin - Mm(28)) <= Mm(1)
    text = "\n".join(p.text for p in doc.paragraphs) + "\n".join(c.text for row in doc.tables[0].rows for c in row.cells)
    for words in ("督 办 单", "抽检进度滞后", "市场监管局", "2024年5月10日", "逾期未反馈，升级督办", "科室负责人"):
        assert words in text, words
    assert _client(world["unit_b"]).get(reverse("supervision_sheet", args=[item.pk])).status_code == 404


@pytest.mark.django_db
def test_manual_opening_page_opens_an_item_and_tells_the_addressee(world):
    c = _client(world["coordinator"])
    r = c.post(reverse("supervision_open", args=[world["plan"].pk]),
               {"title": "群众投诉：夜间施工扬尘", "detail": "请核查", "addressee_town": world["t_songzhuang"].pk,
                "due_date": "2024-06-01"})
    assert r.status_code == 302
    item = SupervisionItem.objects.get(title="群众投诉：夜间施工扬尘")
    assert item.source == SupervisionItem.Source.MANUAL and item.addressee_town == world["t_songzhuang"]
    assert Notice.objects.filter(recipient=world["town_a"], kind="supervision_opened").exists()
    r = c.post(reverse("supervision_open", args=[world["plan"].pk]), {"title": "无对象", "due_date": "2024-06-01"},
               follow=True)
    assert "请选择督办单位或街乡镇" in r.content.decode()
    assert not SupervisionItem.objects.filter(title="无对象").exists()


@pytest.mark.django_db
def test_one_item_per_cause_and_period_even_when_two_checks_race(world):
    fields = dict(plan=world["plan"], task=world["task_unit_b"], source=SupervisionItem.Source.OVERDUE,
                  party=world["task_unit_b"].parties.get(), period="2024-07", title="x", opened_on=DUE, due_date=DUE)
    SupervisionItem.objects.create(**fields)
    with pytest.raises(IntegrityError), transaction.atomic():
        SupervisionItem.objects.create(**fields)


# ---------------------------------------------------------------- the named checks as a role × action matrix

# Written out by hand from the design: who may do what to the 市场监管局 item of 通州, and to 门头沟's item.
MATRIX = {
    #  persona              view   respond close  print
    "admin":             ((True, False, True, True), (False, False, False, False)),
    "coordinator":       ((True, False, True, True), (False, False, False, False)),
    "unit_a":            ((True, True, False, True), (False, False, False, False)),
    "leader_a":          ((True, True, False, True), (False, False, False, False)),
    "unit_b":            ((False, False, False, False), (False, False, False, False)),
    "town_a":            ((False, False, False, False), (False, False, False, False)),
    "auditor":           ((True, False, False, True), (False, False, False, False)),
    "other_coordinator": ((False, False, False, False), (True, False, True, True)),
}


@pytest.mark.django_db
def test_named_checks_role_by_action(world):
    ours = _item(world)
    theirs = supervision.open_supervision(world["other_plan"], acting_user=world["other_coordinator"], title="门头沟督办",
                                          due_date=DUE, addressee_unit=world["u_market"].__class__.objects.create(
                                              district=world["other_plan"].district, name="发展改革委"))
    checks = (permissions.can_view, permissions.can_respond, permissions.can_close_supervision, permissions.can_print)
    failures = []
    for persona, rows in MATRIX.items():
        for item, want in zip((ours, theirs), rows):
            got = tuple(check(world[persona], item) for check in checks)
            if got != want:
                failures.append(f"{persona} on {item.title}: want {want}, got {got}")
    assert not failures, "\n".join(failures)
    opening = {p: permissions.can_open_supervision(world[p], world["plan"]) for p in MATRIX}
    assert {p for p, ok in opening.items() if ok} == {"admin", "coordinator"}
    supervision.close_supervision(ours, acting_user=world["coordinator"], note="核实完成", expected_version=ours.version)
    ours.refresh_from_db()
    assert not permissions.can_respond(world["unit_a"], ours) and not permissions.can_close_supervision(
        world["coordinator"], ours)


@pytest.mark.django_db
def test_respond_and_close_of_one_item_at_once_the_later_gets_409_and_changes_nothing(world):
    """Both read version 1; the response lands first; the 销号 built on version 1 is refused (409), so the
    coordinator never signs off an answer they have not seen."""
    import json

    from envgov.apps.accounts.models import ApiToken

    item = _item(world)

    def api(user):  # noqa: ANN001, ANN202
        return Client(HTTP_AUTHORIZATION="Bearer " + ApiToken.issue(user, "并发")[1])

    r = api(world["unit_a"]).post(f"/api/supervision/{item.pk}/respond", json.dumps({"response": "已整改", "version": 1}),
                                  content_type="application/json")
    assert r.status_code == 200
    r = api(world["coordinator"]).post(f"/api/supervision/{item.pk}/close", json.dumps({"note": "同意", "version": 1}),
                                       content_type="application/json")
    assert r.status_code == 409 and "已被他人修改" in r.json()["detail"]
    item.refresh_from_db()
    assert item.status == SupervisionItem.Status.RESPONDED and not item.closure_note
