"""管理 — the district administrator's pages and actions: users, units (aliases, merge), towns, stations.

Expected values are written by hand from the fixture (tests/conftest.py `world`): 通州区 with units
市场监管局 (u_market) and 发展改革委 (u_dev), towns 宋庄镇 and 张家湾镇; task_unit_a led by 市场监管局 with
发展改革委 cooperating; task_unit_b led by 发展改革委; task_town_a for 宋庄镇.
"""
from __future__ import annotations

import datetime as dt
import re

import pytest
from django.contrib.auth import authenticate
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse

from envgov.apps.supervision import actions as supervision
from envgov.apps.accounts import actions, permissions
from envgov.apps.accounts.models import ApiToken, Unit, UnitAlias, User
from envgov.apps.geo.models import Town
from envgov.apps.air.models import Station
from envgov.apps.plans.actions import StaleEdit
from envgov.apps.audit.models import AuditLog
from envgov.apps.plans.models import ProgressReport
from envgov.apps.supervision.models import SupervisionItem

R = User.Role


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def cast(world):
    """The world plus: an admin of another district, a Django superuser of 通州, an inactive admin."""
    other_d = world["other_plan"].district
    extra = {
        "other_admin": User.objects.create_user("other_admin", password="pw-12345-x", role=R.ADMIN, district=other_d),
        "staff": User.objects.create_user("staff", password="pw-12345-x", role=R.ADMIN, district=world["district"],
                                          is_staff=True, is_superuser=True),
        "inactive_admin": User.objects.create_user("inactive_admin", password="pw-12345-x", role=R.ADMIN,
                                                   district=world["district"], is_active=False),
        "other_unit": Unit.objects.create(district=other_d, name="发展改革委"),
        "other_town": Town.objects.create(district=other_d, code="110109001000", name="大峪街道"),
    }
    return {**world, **extra}


def client_for(user: User) -> Client:
    c = Client()
    c.force_login(user)
    return c


def text_of(response) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode()))


# ---------------------------------------------------------------- the named checks, role × action

ACTORS = ["admin", "other_admin", "staff", "inactive_admin", "coordinator", "unit_a", "town_a", "auditor"]


def _checks(c):  # noqa: ANN001
    d = c["district"]
    return {
        "manage users of 通州": lambda u: permissions.can_manage_users(u, d),
        "edit unit_a": lambda u: permissions.can_manage_user(u, c["unit_a"]),
        "edit the superuser": lambda u: permissions.can_manage_user(u, c["staff"]),
        "edit other district's coordinator": lambda u: permissions.can_manage_user(u, c["other_coordinator"]),
        "grant admin in 通州": lambda u: permissions.can_assign_role(u, R.ADMIN, d),
        "grant a role in 门头沟": lambda u: permissions.can_assign_role(u, R.AUDITOR, c["other_plan"].district),
        "make unit_a coordinator": lambda u: permissions.can_change_role(u, c["unit_a"], R.COORDINATOR),
        "demote oneself": lambda u: permissions.can_change_role(u, u, R.AUDITOR),
        "reset unit_a's password": lambda u: permissions.can_reset_password(u, c["unit_a"]),
        "deactivate unit_a": lambda u: permissions.can_set_active(u, c["unit_a"], False),
        "deactivate oneself": lambda u: permissions.can_set_active(u, u, False),
        "edit 市场监管局": lambda u: permissions.can_edit_unit(u, c["u_market"]),
        "merge 市场监管局 into 发展改革委": lambda u: permissions.can_merge_units(u, c["u_market"], c["u_dev"]),
        "merge a unit into itself": lambda u: permissions.can_merge_units(u, c["u_market"], c["u_market"]),
        "merge across districts": lambda u: permissions.can_merge_units(u, c["u_market"], c["other_unit"]),
        "edit 宋庄镇": lambda u: permissions.can_edit_town(u, c["t_songzhuang"]),
        "edit 大峪街道": lambda u: permissions.can_edit_town(u, c["other_town"]),
        "manage stations of 通州": lambda u: permissions.can_manage_stations(u, d),
    }


# who may: written out by hand, one row per action
MAY = {
    "manage users of 通州": {"admin", "staff"},
    "edit unit_a": {"admin", "staff"},
    "edit the superuser": {"staff"},  # a district admin never manages an account with more power
    "edit other district's coordinator": {"other_admin"},  # 门头沟's own admin, nobody else
    "grant admin in 通州": {"admin", "staff"},
    "grant a role in 门头沟": {"other_admin"},
    "make unit_a coordinator": {"admin", "staff"},
    "demote oneself": set(),
    "reset unit_a's password": {"admin", "staff"},
    "deactivate unit_a": {"admin", "staff"},
    "deactivate oneself": set(),
    "edit 市场监管局": {"admin", "staff"},
    "merge 市场监管局 into 发展改革委": {"admin", "staff"},
    "merge a unit into itself": set(),
    "merge across districts": set(),
    "edit 宋庄镇": {"admin", "staff"},
    "edit 大峪街道": {"other_admin"},
    "manage stations of 通州": {"admin", "staff"},
}


def test_permission_matrix(cast):
    got = {name: {a for a in ACTORS if check(cast[a])} for name, check in _checks(cast).items()}
    assert got == MAY


# ---------------------------------------------------------------- users

def test_create_unit_reporter_with_one_time_password_then_forced_change(cast):
    admin = cast["admin"]
    user, otp = actions.create_user(acting_user=admin, username="lisi", name="李四", phone="13900000001",
                                    role=R.UNIT_REPORTER, unit=cast["u_market"])
    assert re.fullmatch(r"[a-z2-9]{4}-[a-z2-9]{4}-[a-z2-9]{4}", otp)
    assert user.district == cast["district"] and user.unit == cast["u_market"] and user.must_change_password
    assert authenticate(username="lisi", password=otp) == user
    entry = AuditLog.objects.get(action="user_create", object_id=str(user.pk))
    assert entry.actor == admin and otp not in str(entry.after) and "password" not in entry.after

    c = Client()
    assert c.post("/login/", {"username": "lisi", "password": otp}).status_code == 302
    r = c.get(reverse("my_tasks"))
    assert r.status_code == 302 and r["Location"] == reverse("password_change")
    r = c.get(reverse("password_change"))
    assert "管理员为您重置了密码" in text_of(r)
    r = c.post(reverse("password_change"), {"old_password": otp, "new_password1": "Lisi-own-pass-2024",
                                            "new_password2": "Lisi-own-pass-2024"})
    assert r.status_code == 302
    user.refresh_from_db()
    assert not user.must_change_password and user.check_password("Lisi-own-pass-2024")
    assert c.get(reverse("my_tasks")).status_code == 200  # still signed in, no longer redirected


@pytest.mark.parametrize("role, unit, town, field", [
    (R.UNIT_REPORTER, None, None, "unit"),
    (R.TOWN_REPORTER, None, None, "town"),
    (R.COORDINATOR, "u_market", None, "unit"),
    (R.AUDITOR, None, "t_songzhuang", "town"),
    (R.UNIT_REPORTER, "other_unit", None, "unit"),
    (R.TOWN_REPORTER, None, "other_town", "town"),
])
def test_create_user_binding_is_validated(cast, role, unit, town, field):
    with pytest.raises(ValidationError) as exc:
        actions.create_user(acting_user=cast["admin"], username="bad", role=role,
                            unit=cast[unit] if unit else None, town=cast[town] if town else None)
    assert field in exc.value.message_dict
    assert not User.objects.filter(username="bad").exists()


def test_create_user_refuses_taken_name_weak_password_and_non_admins(cast):
    with pytest.raises(ValidationError) as exc:
        actions.create_user(acting_user=cast["admin"], username="Unit_A", role=R.AUDITOR)
    assert "已被使用" in exc.value.message_dict["username"][0]
    with pytest.raises(ValidationError) as exc:
        actions.create_user(acting_user=cast["admin"], username="weak", role=R.AUDITOR, password="123")
    assert "password" in exc.value.message_dict
    for who in ("coordinator", "other_coordinator", "inactive_admin", "unit_a"):
        with pytest.raises(PermissionDenied):
            actions.create_user(acting_user=cast[who], username="x_" + who, role=R.AUDITOR)
    assert not User.objects.filter(username__in=["weak", "x_coordinator"]).exists()


def test_user_created_through_the_page_lands_in_the_admins_district(cast):
    c = client_for(cast["admin"])
    r = c.post(reverse("manage_user_create"), {"username": "wangwu", "name": "王五", "role": R.TOWN_REPORTER,
                                                "town": cast["t_songzhuang"].pk, "password_mode": "generate",
                                                "district": cast["other_plan"].district_id})  # ignored
    assert r.status_code == 200 and r["Cache-Control"] == "no-store"
    otp = re.search(r'id="one-time-password"[^>]*>([^<]+)<', r.content.decode()).group(1)
    user = User.objects.get(username="wangwu")
    assert user.district == cast["district"] and user.town == cast["t_songzhuang"] and user.check_password(otp)
    page = c.get(reverse("manage_user", args=[user.pk])).content.decode()
    assert otp not in page  # shown once


def test_create_page_shows_located_errors_in_chinese(cast):
    r = client_for(cast["admin"]).post(reverse("manage_user_create"), {
        "username": "zhao", "role": R.UNIT_REPORTER, "password_mode": "set", "password": ""})
    assert r.status_code == 200
    text = text_of(r)
    assert "请填写要设定的密码" in text
    r = client_for(cast["admin"]).post(reverse("manage_user_create"), {
        "username": "zhao", "role": R.UNIT_REPORTER, "password_mode": "generate"})
    assert r.status_code == 200 and "单位填报员须选择所属单位" in text_of(r)
    assert not User.objects.filter(username="zhao").exists()


def test_update_role_unit_town_audited_and_stale_edit_refused(cast):
    admin, member = cast["admin"], cast["unit_a"]
    v = member.version
    actions.update_user(member, acting_user=admin, expected_version=v, name="张三", phone="", role=R.TOWN_REPORTER,
                        town=cast["t_songzhuang"])
    member.refresh_from_db()
    assert (member.role, member.unit, member.town, member.version) == (R.TOWN_REPORTER, None, cast["t_songzhuang"], v + 1)
    entry = AuditLog.objects.filter(action="user_update", object_id=str(member.pk)).get()
    assert entry.before["role"] == R.UNIT_REPORTER and entry.after["role"] == R.TOWN_REPORTER
    assert entry.before["unit"] == cast["u_market"].pk and entry.after["unit"] is None
    with pytest.raises(StaleEdit):
        actions.update_user(member, acting_user=admin, expected_version=v, name="张三", phone="", role=R.AUDITOR)
    member.refresh_from_db()
    assert member.role == R.TOWN_REPORTER


def test_no_one_is_raised_above_the_admin(cast):
    admin = cast["admin"]
    with pytest.raises(PermissionDenied):  # a Django superuser of the district
        actions.update_user(cast["staff"], acting_user=admin, expected_version=cast["staff"].version, name="",
                            phone="", role=R.AUDITOR)
    with pytest.raises(PermissionDenied):
        actions.reset_password(cast["staff"], acting_user=admin)
    with pytest.raises(PermissionDenied):  # another district's user
        actions.reset_password(cast["other_coordinator"], acting_user=admin)
    with pytest.raises(PermissionDenied):  # taking away one's own admin role
        actions.update_user(admin, acting_user=admin, expected_version=admin.version, name="", phone="",
                            role=R.COORDINATOR)
    # the pages: the other district's user is not found, the superuser cannot be changed
    c = client_for(admin)
    assert c.get(reverse("manage_user", args=[cast["other_coordinator"].pk])).status_code == 404
    r = c.post(reverse("manage_user", args=[cast["staff"].pk]), {"name": "x", "role": R.AUDITOR,
                                                                 "version": cast["staff"].version})
    assert r.status_code == 403 and "没有权限" in text_of(r)
    cast["staff"].refresh_from_db()
    assert cast["staff"].role == R.ADMIN and cast["staff"].is_superuser


def test_reset_password_generated_or_set_and_sessions_end(cast):
    member = cast["town_a"]
    member_client = client_for(member)
    assert member_client.get(reverse("my_tasks")).status_code == 200
    c = client_for(cast["admin"])
    r = c.post(reverse("manage_user_password", args=[member.pk]), {"password_mode": "generate"})
    otp = re.search(r'id="one-time-password"[^>]*>([^<]+)<', r.content.decode()).group(1)
    member.refresh_from_db()
    assert member.check_password(otp) and member.must_change_password
    assert member_client.get(reverse("my_tasks")).status_code == 302  # the old session ended
    r = c.post(reverse("manage_user_password", args=[member.pk]), {"password_mode": "set", "password": "short"})
    assert r.status_code == 302
    member.refresh_from_db()
    assert member.check_password(otp)  # a too-short password is refused, the message says why
    assert "密码" in text_of(c.get(reverse("manage_user", args=[member.pk])))
    r = c.post(reverse("manage_user_password", args=[member.pk]), {"password_mode": "set",
                                                                   "password": "Songzhuang-2024-ok"})
    assert r.status_code == 302  # nothing to show: the admin knows the password they set
    member.refresh_from_db()
    assert member.check_password("Songzhuang-2024-ok") and member.must_change_password
    notes = list(AuditLog.objects.filter(action="password_reset", object_id=str(member.pk)).values_list("note", flat=True))
    assert len(notes) == 2 and not any(otp in n or "Songzhuang" in n for n in notes)


def test_deactivate_keeps_history_blocks_sign_in_and_tokens_then_reactivate(cast):
    member = cast["unit_a"]
    from envgov.apps.plans import actions as plan_actions

    report = plan_actions.submit_progress(cast["task_unit_a"], acting_user=member, narrative="抽检2组",
                                          today=dt.date(2024, 5, 10))
    _, key = ApiToken.issue(member, "脚本")
    c = client_for(cast["admin"])
    r = c.post(reverse("manage_user_active", args=[member.pk]), {"active": "0", "version": member.version})
    assert r.status_code == 302
    member.refresh_from_db()
    assert not member.is_active and User.objects.filter(pk=member.pk).exists()
    assert ProgressReport.objects.get(pk=report.pk).submitted_by == member
    assert authenticate(username="unit_a", password="pw-12345-x") is None
    assert Client(HTTP_AUTHORIZATION="Bearer " + key).get("/api/plans").status_code == 401
    assert "已停用" in text_of(c.get(reverse("manage_users") + "?active=0"))
    r = c.post(reverse("manage_user_active", args=[member.pk]), {"active": "1", "version": member.version})
    member.refresh_from_db()
    assert member.is_active and authenticate(username="unit_a", password="pw-12345-x") == member
    assert list(AuditLog.objects.filter(object_id=str(member.pk), action__startswith="user_").order_by("id")
                .values_list("action", flat=True)) == ["user_deactivate", "user_activate"]
    with pytest.raises(PermissionDenied):
        actions.set_active(cast["admin"], acting_user=cast["admin"], active=False, expected_version=cast["admin"].version)


def test_user_list_filters(cast):
    c = client_for(cast["admin"])

    def names(query: str) -> set[str]:
        page = c.get(reverse("manage_users") + query).content.decode()
        table = page.split('id="user-list"', 1)[1]
        return set(re.findall(r'/manage/users/\d+/"[^>]*>([^<]+)</a>', table))

    district_people = {"admin", "coordinator", "unit_a", "unit_b", "town_a", "town_b", "auditor", "staff",
                       "inactive_admin", "leader_a"}
    assert names("") == district_people  # never 门头沟's
    assert names(f"?role={R.UNIT_REPORTER}") == {"unit_a", "unit_b"}
    assert names(f"?unit={cast['u_market'].pk}") == {"unit_a", "leader_a"}
    assert names(f"?town={cast['t_songzhuang'].pk}") == {"town_a"}
    assert names("?active=0") == {"inactive_admin"}
    assert names("?q=town") == {"town_a", "town_b"}


# ---------------------------------------------------------------- units and aliases

def test_aliases_are_matched_by_the_importers(cast):
    from envgov.apps.plans.ledger_xlsx import _UnitNames
    from envgov.apps.plans.loader import UnitResolver

    unit = cast["u_market"]
    actions.update_unit(unit, acting_user=cast["admin"], expected_version=unit.version, name="市场监管局",
                        aliases=["区市场监督管理局", "市场监管分局", " 区市场监督管理局 "])
    assert sorted(unit.aliases.values_list("alias", flat=True)) == ["区市场监督管理局", "市场监管分局"]
    assert _UnitNames(cast["plan"]).get("市场监管分局") == unit
    assert UnitResolver(cast["district"]).resolve("区市场监督管理局") == unit
    unit.refresh_from_db()
    actions.update_unit(unit, acting_user=cast["admin"], expected_version=unit.version, name="市场监管局",
                        aliases=["市场监管分局"])
    assert list(unit.aliases.values_list("alias", flat=True)) == ["市场监管分局"]
    entry = AuditLog.objects.filter(action="unit_update").order_by("-id").first()
    assert entry.before["aliases"] == ["区市场监督管理局", "市场监管分局"] and entry.after["aliases"] == ["市场监管分局"]


def test_a_name_means_one_unit(cast):
    admin, unit = cast["admin"], cast["u_market"]
    UnitAlias.objects.create(unit=cast["u_dev"], alias="区发改委")
    for aliases, fragment in ((["发展改革委"], "合并单位"), (["区发改委"], "已是单位“发展改革委”的别名"),
                              (["市场监管局"], "与规范名称相同")):
        with pytest.raises(ValidationError) as exc:
            actions.update_unit(unit, acting_user=admin, expected_version=unit.version, name="市场监管局",
                                aliases=aliases)
        assert fragment in exc.value.message_dict["aliases"][0]
    with pytest.raises(ValidationError) as exc:
        actions.create_unit(acting_user=admin, name="发展改革委")
    assert "已有" in exc.value.message_dict["name"][0]
    with pytest.raises(ValidationError):
        actions.create_unit(acting_user=admin, name="区发改委")
    created = actions.create_unit(acting_user=admin, name="水务局", aliases=["区水务局"])
    assert created.district == cast["district"] and created.aliases.get().alias == "区水务局"
    with pytest.raises(PermissionDenied):
        actions.update_unit(cast["other_unit"], acting_user=admin, expected_version=1, name="x", aliases=[])


def _merge_world(cast):  # noqa: ANN001
    """References to 市场监管局 of every kind, one of them colliding with 发展改革委's own."""
    from envgov.apps.plans import actions as plan_actions

    market, dev = cast["u_market"], cast["u_dev"]
    cast["task_unit_b"].lead_units.add(market)  # task_unit_b now led by both: a collision in the link table
    UnitAlias.objects.create(unit=market, alias="区市场监管局")
    UnitAlias.objects.create(unit=dev, alias="区市场监管局")  # the same alias on both: collides too
    report = plan_actions.submit_progress(cast["task_unit_a"], acting_user=cast["unit_a"], narrative="抽检2组",
                                          today=dt.date(2024, 5, 10))
    item = supervision.open_supervision(cast["plan"], acting_user=cast["coordinator"], title="抽检滞后",
                                         due_date=dt.date(2024, 5, 20), task=cast["task_unit_a"],
                                         addressee_unit=market)
    return market, dev, report, item


def test_merge_units_repoints_everything_in_one_audited_transaction(cast):
    market, dev, report, item = _merge_world(cast)
    result = actions.merge_units(market, dev, acting_user=cast["admin"])
    assert not Unit.objects.filter(pk=market.pk).exists()
    t_a, t_b = cast["task_unit_a"], cast["task_unit_b"]
    assert list(t_a.lead_units.all()) == [dev] and list(t_a.cooperating_units.all()) == [dev]
    assert list(t_b.lead_units.all()) == [dev]  # one link, not two
    assert ProgressReport.objects.get(pk=report.pk).unit == dev
    assert SupervisionItem.objects.get(pk=item.pk).addressee_unit == dev
    assert User.objects.get(pk=cast["unit_a"].pk).unit == dev
    assert sorted(dev.aliases.values_list("alias", flat=True)) == ["区市场监管局", "市场监管局"]
    moved = {m.label: (m.moved, m.merged) for m in result.moves}
    assert moved == {
        "accounts.UnitAlias.unit": (0, 1), "accounts.User.unit": (2, 0),  # its reporter and its 科室负责人
        "plans.ProgressReport.unit": (1, 0), "supervision.SupervisionItem.addressee_unit": (1, 0),
        "plans.Task_lead_units.unit": (1, 1),
        "plans.TaskParty.unit": (1, 1),  # each task's own progress line follows its lead unit
    }
    entry = AuditLog.objects.get(action="unit_merge")
    assert entry.actor == cast["admin"] and entry.object_id == str(dev.pk)
    assert entry.before["merged_unit"]["name"] == "市场监管局"
    assert entry.after["moved"]["plans.ProgressReport.unit"] == 1
    assert {d["reference"] for d in entry.after["duplicates_merged"]} == {
        "accounts.UnitAlias.unit", "plans.Task_lead_units.unit", "plans.TaskParty.unit"}
    assert "市场监管局" in entry.note and "发展改革委" in entry.note


def test_merge_dry_run_changes_nothing_and_refuses_bad_pairs(cast):
    market, dev, report, _item = _merge_world(cast)
    before = (Unit.objects.count(), UnitAlias.objects.count(), AuditLog.objects.count())
    preview = actions.merge_units(market, dev, acting_user=cast["admin"], dry_run=True)
    assert preview.moved == 6 and preview.duplicates == 3 and preview.alias_added
    assert (Unit.objects.count(), UnitAlias.objects.count(), AuditLog.objects.count()) == before
    assert ProgressReport.objects.get(pk=report.pk).unit == market
    for a, b, who in ((market, market, "admin"), (market, cast["other_unit"], "admin"), (market, dev, "coordinator"),
                      (market, dev, "other_admin")):
        with pytest.raises(PermissionDenied):
            actions.merge_units(a, b, acting_user=cast[who])
    assert Unit.objects.filter(pk=market.pk).exists()


def test_merge_page_previews_then_merges(cast):
    market, dev, _report, _item = _merge_world(cast)
    c = client_for(cast["admin"])
    url = reverse("manage_unit_merge", args=[market.pk])
    r = c.get(url + f"?into={dev.pk}")
    preview = text_of(r).split("将改动", 1)[1]
    assert r.status_code == 200 and "进展报告" in preview and "牵头单位" in preview and "确认合并" in preview
    assert Unit.objects.filter(pk=market.pk).exists()
    r = c.post(url, {"into": cast["other_unit"].pk, "op": "confirm"})  # another district's unit: not offered
    assert Unit.objects.filter(pk=market.pk).exists() and "请从列表中选择" in text_of(r)
    r = c.post(url, {"into": dev.pk, "op": "confirm"})
    assert r.status_code == 302 and r["Location"] == reverse("manage_unit", args=[dev.pk])
    assert not Unit.objects.filter(pk=market.pk).exists()


@pytest.fixture
def party_models(cast):
    """Two models that exist only in this test, as the lead's TaskParty will: a party line per (task, unit)
    or (task, town) with conditional unique constraints, and notes hanging off a party line. The merge
    must cover them without being told about them."""
    from django.apps import apps
    from django.db import connection, models

    try:
        class PartyLine(models.Model):
            task = models.ForeignKey("plans.Task", on_delete=models.CASCADE, related_name="+")
            unit = models.ForeignKey("accounts.Unit", on_delete=models.PROTECT, null=True, related_name="+")
            town = models.ForeignKey("geo.Town", on_delete=models.PROTECT, null=True, related_name="+")
            achieved = models.IntegerField(default=0)

            class Meta:
                app_label = "accounts"
                constraints = [
                    models.UniqueConstraint(fields=["task", "unit"], condition=models.Q(unit__isnull=False),
                                            name="test_uniq_party_unit"),
                    models.UniqueConstraint(fields=["task", "town"], condition=models.Q(town__isnull=False),
                                            name="test_uniq_party_town"),
                ]

        class PartyNote(models.Model):
            party = models.ForeignKey(PartyLine, on_delete=models.CASCADE, related_name="notes")
            text = models.CharField(max_length=50)

            class Meta:
                app_label = "accounts"

        # the tables, inside the test's transaction (rolled back with it); SQLite's editor refuses to be
        # entered inside a transaction, so its statements are run one by one
        editor = connection.schema_editor()
        editor.deferred_sql = []
        for model in (PartyLine, PartyNote):
            editor.create_model(model)
        for sql in editor.deferred_sql:
            editor.execute(sql)
        yield PartyLine, PartyNote
    finally:
        for name in ("partyline", "partynote"):
            apps.all_models["accounts"].pop(name, None)
        apps.clear_cache()


def test_merge_covers_a_model_added_later_and_merges_colliding_party_lines(cast, party_models):
    PartyLine, PartyNote = party_models
    market, dev = cast["u_market"], cast["u_dev"]
    t_a, t_b = cast["task_unit_a"], cast["task_unit_b"]
    line_a_market = PartyLine.objects.create(task=t_a, unit=market, achieved=3)
    line_a_dev = PartyLine.objects.create(task=t_a, unit=dev, achieved=5)
    line_b_market = PartyLine.objects.create(task=t_b, unit=market, achieved=1)
    town_line = PartyLine.objects.create(task=t_a, town=cast["t_songzhuang"])
    note = PartyNote.objects.create(party=line_a_market, text="三月抽检记录")
    result = actions.merge_units(market, dev, acting_user=cast["admin"])
    assert not PartyLine.objects.filter(pk=line_a_market.pk).exists()  # merged into line_a_dev
    assert PartyNote.objects.get(pk=note.pk).party_id == line_a_dev.pk  # its note moved first
    assert PartyLine.objects.get(pk=line_b_market.pk).unit == dev
    assert PartyLine.objects.get(pk=town_line.pk).unit is None
    moved = {m.label: (m.moved, m.merged) for m in result.moves}
    assert moved["accounts.PartyLine.unit"] == (1, 1) and moved["accounts.PartyNote.party"] == (1, 0)
    entry = AuditLog.objects.get(action="unit_merge")
    kept = [d for d in entry.after["duplicates_merged"] if d["reference"] == "accounts.PartyLine.unit"]
    assert kept == [{"reference": "accounts.PartyLine.unit", "id": line_a_market.pk, "task": t_a.pk,
                     "unit": market.pk, "town": None, "achieved": 3, "kept": line_a_dev.pk}]


# ---------------------------------------------------------------- towns and stations

def test_towns_create_edit_deactivate(cast):
    admin = cast["admin"]
    with pytest.raises(ValidationError) as exc:
        actions_geo().create_town(acting_user=admin, data={"code": "11011210", "name": "宋庄镇", "kind": "town",
                                                           "lon": 116.7, "lat": None})
    errors = exc.value.message_dict
    assert "12 位数字" in errors["code"][0] and "已有" in errors["name"][0] and "同时" in errors["lat"][0]
    town = actions_geo().create_town(acting_user=admin, data={"code": "110112106000", "name": "漷县镇",
                                                              "kind": "town", "lon": 116.80, "lat": 39.75})
    assert town.district == cast["district"] and town.active
    r = client_for(admin).post(reverse("manage_town", args=[town.pk]), {
        "code": "110112106000", "name": "漷县镇", "kind": "town", "lon": "200", "lat": "39.7", "version": town.version})
    assert r.status_code == 200 and "经度须在 -180 到 180 之间" in text_of(r)
    r = client_for(admin).post(reverse("manage_town_active", args=[cast["t_songzhuang"].pk]),
                               {"active": "0", "version": cast["t_songzhuang"].version})
    assert r.status_code == 302
    songzhuang = Town.objects.get(pk=cast["t_songzhuang"].pk)
    assert not songzhuang.active and songzhuang.tasks.count() == 1  # history kept
    with pytest.raises(ValidationError) as exc:
        actions.create_user(acting_user=admin, username="new_sz", role=R.TOWN_REPORTER, town=songzhuang)
    assert "已停用" in exc.value.message_dict["town"][0]
    page = client_for(admin).get(reverse("manage_user_create")).content.decode()
    assert "漷县镇" in page and ">宋庄镇<" not in page
    assert client_for(admin).get(reverse("manage_town", args=[cast["other_town"].pk])).status_code == 404


def actions_geo():
    from envgov.apps.geo import actions as geo_actions

    return geo_actions


def test_stations_create_edit_deactivate(cast):
    from envgov.apps.air import actions as station_actions

    admin = cast["admin"]
    with pytest.raises(ValidationError) as exc:
        station_actions.create_station(acting_user=admin, data={"code": "TZ 01", "name": "", "kind": "district",
                                                                "town": cast["other_town"]})
    assert set(exc.value.message_dict) == {"code", "name", "town"}
    c = client_for(admin)
    r = c.post(reverse("manage_station_create"), {"code": "TZ-Q1", "name": "宋庄区控站", "kind": "district",
                                                   "town": cast["t_songzhuang"].pk, "lon": "116.72", "lat": "39.96"})
    assert r.status_code == 302
    station = Station.objects.get(code="TZ-Q1")
    assert (station.district, station.get_kind_display(), station.lon) == (cast["district"], "区控站", 116.72)
    r = c.post(reverse("manage_station_active", args=[station.pk]), {"active": "0", "version": station.version})
    station.refresh_from_db()
    assert not station.active
    assert "已停用" in text_of(c.get(reverse("manage_stations")))
    assert [e.action for e in AuditLog.objects.filter(content_type__model="station").order_by("id")] == [
        "station_create", "station_deactivate"]


# ---------------------------------------------------------------- menu and pages

def test_manage_menu_for_the_admin_only(cast):
    for who in ("admin", "staff", "coordinator", "unit_a", "town_a", "auditor"):
        page = client_for(cast[who]).get(reverse("plan_list")).content.decode()
        assert (reverse("manage_index") in page) == (who in ("admin", "staff")), who
    r = client_for(cast["coordinator"]).get(reverse("manage_users"))
    assert r.status_code == 403


def test_manage_pages_render_in_chinese_and_english(cast):
    station = Station.objects.create(code="TZ-01", name="永顺", kind=Station.Kind.NATIONAL, district=cast["district"])
    c = client_for(cast["admin"])
    urls = [reverse(n) for n in ("manage_index", "manage_users", "manage_user_create", "manage_units",
                                 "manage_unit_create", "manage_towns", "manage_town_create", "manage_stations",
                                 "manage_station_create")]
    urls += [reverse("manage_user", args=[cast["unit_a"].pk]), reverse("manage_unit", args=[cast["u_market"].pk]),
             reverse("manage_unit_merge", args=[cast["u_market"].pk]) + f"?into={cast['u_dev'].pk}",
             reverse("manage_town", args=[cast["t_songzhuang"].pk]), reverse("manage_station", args=[station.pk])]
    for url in urls:
        r = c.get(url)
        assert r.status_code == 200, url
        assert "管理" in r.content.decode() and 'name="viewport"' in r.content.decode()
    c.cookies["django_language"] = "en"
    for url in urls:
        text = text_of(c.get(url, HTTP_ACCEPT_LANGUAGE="en"))
        assert "Manage" in text, url
