"""The record cannot be bypassed (issue 12, item 5): domain models are read-only in the Django admin, the
audit log cannot be written there, users changed there are audited, and marking a dust day records who."""
from __future__ import annotations

import pytest
from django.contrib import admin
from django.test import Client, RequestFactory

PW = "pw-12345-x"


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def superuser(world):
    from envgov.apps.accounts.models import User

    user = User.objects.create_superuser("root", password=PW, role=User.Role.ADMIN)
    c = Client()
    c.force_login(user)
    return user, c


READ_ONLY = ["plans.Plan", "plans.Task", "plans.Target", "plans.Indicator", "monitoring.Station",
             "monitoring.ExceptionalDay", "monitoring.ObservationImport", "monitoring.AirDaily", "accounts.Unit",
             "accounts.ApiToken", "accounts.LoginThrottle", "audit.AuditLog"]


@pytest.mark.parametrize("label", READ_ONLY)
def test_domain_models_cannot_be_added_changed_or_deleted_in_the_admin(superuser, label):
    from django.apps import apps

    user, _c = superuser
    model = apps.get_model(label)
    model_admin = admin.site._registry[model]
    request = RequestFactory().get("/admin/")
    request.user = user
    assert not model_admin.has_add_permission(request)
    assert not model_admin.has_change_permission(request)
    assert not model_admin.has_delete_permission(request)
    assert model_admin.has_view_permission(request)  # the operator still sees the record
    for inline in model_admin.get_inline_instances(request):
        assert not inline.has_add_permission(request, None)
        assert not inline.has_change_permission(request)
        assert not inline.has_delete_permission(request)


def test_task_change_form_posts_change_nothing(superuser, world):
    from envgov.apps.audit.models import AuditLog

    _user, c = superuser
    task = world["task_unit_a"]
    url = f"/admin/plans/task/{task.pk}/change/"
    assert c.get(url).status_code == 200  # a view page
    r = c.post(url, {"title": "后台改名", "code": task.code})
    assert r.status_code == 403
    task.refresh_from_db()
    assert task.title != "后台改名"
    assert c.post("/admin/plans/task/add/", {"title": "x"}).status_code == 403
    assert c.post(f"/admin/plans/task/{task.pk}/delete/", {"post": "yes"}).status_code == 403
    before = AuditLog.objects.count()
    assert c.post("/admin/audit/auditlog/add/", {"action": "create", "note": "冒名"}).status_code == 403
    assert AuditLog.objects.count() == before


def test_user_changes_in_the_admin_are_audited_and_versioned(superuser, world):
    from envgov.apps.audit.models import AuditLog

    _user, c = superuser
    member = world["unit_a"]
    version = member.version
    data = {"username": member.username, "first_name": "后台改名", "last_name": "", "email": "", "is_active": "on",
            "role": member.role, "district": member.district_id, "unit": member.unit_id, "town": "", "phone": "",
            "date_joined_0": "2024-01-01", "date_joined_1": "00:00:00", "initial-date_joined_0": "2024-01-01",
            "initial-date_joined_1": "00:00:00"}
    r = c.post(f"/admin/accounts/user/{member.pk}/change/", data)
    assert r.status_code == 302, r.content[:2000]
    member.refresh_from_db()
    assert member.first_name == "后台改名" and member.version == version + 1
    entry = AuditLog.objects.filter(action="user_update", object_id=str(member.pk)).latest("pk")
    assert entry.actor.username == "root" and entry.after["first_name"] == "后台改名" and entry.note == "系统后台"
    r = c.post(f"/admin/accounts/user/{member.pk}/password/",
               {"password1": "Another-pass-7731", "password2": "Another-pass-7731", "usable_password": "true"})
    assert r.status_code == 302
    assert AuditLog.objects.filter(action="password_reset", object_id=str(member.pk)).exists()
    assert not admin.site._registry[type(member)].has_delete_permission(RequestFactory().get("/"))


def test_marking_a_dust_day_records_its_actor(world):
    from envgov.apps.audit.models import AuditLog
    from envgov.apps.air.models import ExceptionalDay

    c = Client()
    c.force_login(world["coordinator"])
    r = c.post("/monitoring/air/exceptional-days/", {"day": "2024-03-15", "note": "市级沙尘认定"})
    assert r.status_code == 302
    day = ExceptionalDay.objects.get(district=world["district"])
    assert day.marked_by == world["coordinator"] and day.marked_at is not None
    entry = AuditLog.objects.get(action="exceptional_day")
    assert entry.actor == world["coordinator"] and entry.after["day"] == "2024-03-15"
    # marking it again changes nothing and writes nothing
    c.post("/monitoring/air/exceptional-days/", {"day": "2024-03-15", "note": "再次"})
    assert AuditLog.objects.filter(action="exceptional_day").count() == 1
    assert "coordinator 标记" in c.get("/monitoring/air/").content.decode()


def test_marking_a_dust_day_is_refused_to_others(world):
    from django.core.exceptions import PermissionDenied

    from envgov.apps.air import actions

    with pytest.raises(PermissionDenied):
        actions.mark_exceptional_day(world["district"], acting_user=world["other_coordinator"],
                                     day="2024-03-15", note="越权")
    with pytest.raises(PermissionDenied):
        actions.mark_exceptional_day(world["district"], acting_user=world["unit_a"], day="2024-03-15", note="x")
