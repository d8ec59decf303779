"""Shared pytest fixtures: a small district with one of each role (named personas), a plan with tasks."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

import os
from pathlib import Path

import pytest

# ../shared beside the clone (CI) or this workplace's copy: seeds, reference data.
_REPO = Path(__file__).resolve().parents[1]
for _candidate in (os.environ.get("ENVGOV_SHARED"), _REPO.parent / "shared", Path("/work/shared")):
    if _candidate and (Path(_candidate) / "seeds").is_dir():
        os.environ["ENVGOV_SHARED"] = str(Path(_candidate).resolve())
        break
SHARED = Path(os.environ.get("ENVGOV_SHARED", _REPO.parent / "shared"))
# Tests compile their own SQL; the cross-process cache folder has its own test (tests/engine/test_air.py).
os.environ.setdefault("ENVGOV_SQL_CACHE", "off")


@pytest.fixture
def world(db):  # noqa: ANN001
    """通州-like mini district: two units, two towns, a coordinator, reporters, an auditor; one issued plan."""
    from envgov.apps.accounts.models import Unit, User
    from envgov.apps.geo.models import District, Town
    from envgov.apps.plans.models import Area, Plan, Quantity, Task

    R = User.Role
    d = District.objects.create(adcode="110112", name="通州区")
    other_d = District.objects.create(adcode="110109", name="门头沟区")
    town_a = Town.objects.create(district=d, code="110112104000", name="宋庄镇")
    town_b = Town.objects.create(district=d, code="110112105000", name="张家湾镇")
    unit_a = Unit.objects.create(district=d, name="市场监管局")
    unit_b = Unit.objects.create(district=d, name="发展改革委")

    def user(name: str, role: str, **kw) -> User:  # noqa: ANN003
        u = User.objects.create_user(name, password="pw-12345-x", role=role, **kw)
        return u

    people = {
        "admin": user("admin", R.ADMIN, district=d),
        "coordinator": user("coordinator", R.COORDINATOR, district=d),
        "unit_a": user("unit_a", R.UNIT_REPORTER, district=d, unit=unit_a),
        "unit_b": user("unit_b", R.UNIT_REPORTER, district=d, unit=unit_b),
        "town_a": user("town_a", R.TOWN_REPORTER, district=d, town=town_a),
        "town_b": user("town_b", R.TOWN_REPORTER, district=d, town=town_b),
        # 科室负责人 of 市场监管局: hears of, and may answer, its 督办 once escalated
        "leader_a": user("leader_a", R.UNIT_LEADER, district=d, unit=unit_a, leader_level=User.LeaderLevel.SECTION_HEAD),
        "auditor": user("auditor", R.AUDITOR, district=d),
        "other_coordinator": user("other_coordinator", R.COORDINATOR, district=other_d),
    }
    plan = Plan.objects.create(district=d, year=2024, title="通州区2024年工作计划", status=Plan.Status.ISSUED)
    air = Area.objects.create(plan=plan, code="air", name="蓝天", order=0)
    t_a = Task.objects.create(plan=plan, area=air, code="三.(一).2", order=1, title="抽检含VOCs产品",
                              due_date=dt.date(2024, 12, 31))
    t_a.lead_units.add(unit_a)
    t_a.cooperating_units.add(unit_b)
    q = Quantity.objects.create(task=t_a, name="全年抽检数量不少于8组", unit="组", target_value=Decimal(8))
    t_b = Task.objects.create(plan=plan, area=air, code="三.(一).1", order=0, title="推广新能源汽车",
                              due_date=dt.date(2024, 6, 30))
    t_b.lead_units.add(unit_b)
    t_town = Task.objects.create(plan=plan, area=air, code="三.(一).9", order=2, title="扬尘管控", due_date=None)
    t_town.towns.add(town_a)
    other_plan = Plan.objects.create(district=other_d, year=2024, title="门头沟区计划", status=Plan.Status.ISSUED)
    other_area = Area.objects.create(plan=other_plan, code="air", name="蓝天")
    other_task = Task.objects.create(plan=other_plan, area=other_area, code="一.1", title="门头沟任务")
    from envgov.apps.plans import progress

    for task in (t_a, t_b, t_town, other_task):  # as issuing the plan does: one line per lead unit and town
        progress.sync_parties(task)
    return {
        **people, "district": d, "plan": plan, "task_unit_a": t_a, "task_unit_b": t_b, "task_town_a": t_town,
        "quantity": q, "u_market": unit_a, "u_dev": unit_b, "t_songzhuang": town_a, "other_plan": other_plan,
        "other_task": other_task, "users": people,
    }


@pytest.fixture(autouse=True)
def _uploads_in_tmp(settings, tmp_path):
    """Uploaded files (attachments, evidence) and the observation lake go to a per-test folder."""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.OBSERVATION_LAKE = tmp_path / "lake"


@pytest.fixture(autouse=True)
def _site_language():
    """Each test starts in the site's language: a request of an earlier test (LocaleMiddleware) may have
    left another one active on this thread, and messages built outside a request read the active one."""
    from django.utils import translation

    with translation.override(None):
        translation.activate("zh-hans")
        yield
