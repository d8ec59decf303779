"""Issue 13: committing an imported plan never creates a unit silently. A name the district's registry does
not know is listed on the review page; the reviewer maps it to an existing unit (optionally keeping the
written name as that unit's alias) or creates it as a new unit, through the audited accounts action."""
from __future__ import annotations

from django.urls import reverse

from envgov.apps.accounts.models import Unit, UnitAlias
from envgov.apps.audit.models import AuditLog
from envgov.apps.plans.loader import UnitResolver
from envgov.apps.plans.models import PlanDraft, Task

# written for the test: one known unit (市场监管局), one the registry does not know (区城管执法局),
# and a collective actor that is a town matter, not a unit
TEXT = "一、加强执法。由区市场监管局牵头，区城管执法局配合，各街道乡镇落实，2025年6月底前完成。"


def _draft(world) -> PlanDraft:
    data = {"title": "通州区2025年工作计划", "year": 2025, "warnings": [], "targets": [], "tasks": [{
        "code": "一", "title": "加强执法", "text": TEXT, "area": "其他",
        "lead_units": ["市场监管局"], "cooperating_units": ["城管执法局"], "units": ["市场监管局", "城管执法局"],
        "towns": ["各街道乡镇"], "deadlines": ["2025-06-30"], "quantities": [], "unknown_units": ["城管执法局"],
        "source_span": [0, len(TEXT)], "include": True}]}
    return PlanDraft.objects.create(district=world["district"], filename="计划.txt", uploaded_by=world["coordinator"],
                                    original_text=TEXT, data=data)


def _post(draft: PlanDraft, **decision: str) -> dict:
    p = "task-0-"
    post = {"title": draft.data["title"], "year": "2025", "version": str(draft.version), "op": "commit",
            p + "include": "on", p + "code": "一", p + "title": "加强执法", p + "area": "其他",
            p + "lead_units": "市场监管局", p + "cooperating_units": "城管执法局", p + "towns": "各街道乡镇",
            p + "deadlines": "2025-06-30", p + "quantities": ""}
    if decision:
        post["unit-0-name"] = "城管执法局"
        post.update({f"unit-0-{k}": v for k, v in decision.items()})
    return post


def _unit(name: str) -> Unit:
    return Unit.objects.get(name=name, district__name="通州区")


def _units() -> set[str]:
    return set(Unit.objects.values_list("name", flat=True))


def test_the_review_page_lists_the_unknown_name_with_a_choice_and_not_the_collective_actor(world, client):
    client.force_login(world["admin"])
    page = client.get(reverse("plan_draft", args=[_draft(world).pk])).content.decode()
    assert 'name="unit-0-name" value="城管执法局"' in page
    assert 'name="unit-0-choice"' in page and 'value="new"' in page and "新建单位“城管执法局”" in page
    assert f'value="{_unit("市场监管局").pk}"' in page  # the district's units to map to
    assert 'name="unit-1-name"' not in page  # 市场监管局 is known; 各街道乡镇 is a town matter


def test_an_undecided_unknown_name_blocks_the_commit_with_a_located_message(world, client):
    client.force_login(world["coordinator"])
    draft, before = _draft(world), _units()
    for post in (_post(draft), _post(draft, choice="")):
        page = client.post(reverse("plan_draft", args=[draft.pk]), post).content.decode()
        assert "单位「城管执法局」" in page and "请对应到已有单位，或选择新建" in page and "任务 一" in page
        draft.refresh_from_db()
        assert draft.status == PlanDraft.Status.OPEN and draft.plan is None
    assert _units() == before


def test_mapping_adds_no_unit_and_the_task_goes_to_the_chosen_unit(world, client):
    client.force_login(world["coordinator"])
    draft, before = _draft(world), _units()
    response = client.post(reverse("plan_draft", args=[draft.pk]), _post(draft, choice=str(_unit("发展改革委").pk)))
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.status == PlanDraft.Status.COMMITTED
    assert _units() == before
    task = Task.objects.get(plan=draft.plan)
    assert list(task.lead_units.all()) == [_unit("市场监管局")]
    assert list(task.cooperating_units.all()) == [_unit("发展改革委")]
    assert task.all_towns and not UnitAlias.objects.exists()


def test_mapping_with_alias_keeps_the_written_name_for_next_time_audited(world, client):
    client.force_login(world["admin"])
    draft, before = _draft(world), _units()
    response = client.post(reverse("plan_draft", args=[draft.pk]),
                           _post(draft, choice=str(_unit("发展改革委").pk), alias="on"))
    assert response.status_code == 302
    assert _units() == before
    assert list(UnitAlias.objects.values_list("alias", "unit")) == [("城管执法局", _unit("发展改革委").pk)]
    assert UnitResolver(world["district"]).find("区城管执法局") == _unit("发展改革委")
    assert AuditLog.objects.filter(action="unit_update", object_id=str(_unit("发展改革委").pk)).count() == 1


def test_creating_adds_exactly_one_audited_unit(world, client):
    client.force_login(world["admin"])
    draft, before = _draft(world), _units()
    response = client.post(reverse("plan_draft", args=[draft.pk]), _post(draft, choice="new"))
    assert response.status_code == 302
    assert _units() - before == {"城管执法局"} and len(_units()) == len(before) + 1
    unit = Unit.objects.get(name="城管执法局", district=world["district"])
    assert AuditLog.objects.filter(action="unit_create", object_id=str(unit.pk)).count() == 1
    draft.refresh_from_db()
    assert list(Task.objects.get(plan=draft.plan).cooperating_units.all()) == [unit]


def test_a_coordinator_cannot_create_a_unit_from_a_draft(world, client):
    """Creating units is the district admin's (envgov.apps.accounts.permissions.can_manage_units)."""
    client.force_login(world["coordinator"])
    draft, before = _draft(world), _units()
    page = client.post(reverse("plan_draft", args=[draft.pk]), _post(draft, choice="new")).content.decode()
    assert "单位「城管执法局」" in page and "只有本区管理员可以新建单位" in page
    draft.refresh_from_db()
    assert draft.status == PlanDraft.Status.OPEN and _units() == before


def test_a_unit_of_another_district_cannot_be_chosen(world, client):
    from envgov.apps.geo.models import District

    elsewhere = Unit.objects.create(district=District.objects.get(name="门头沟区"), name="城管执法局")
    client.force_login(world["coordinator"])
    draft = _draft(world)
    page = client.post(reverse("plan_draft", args=[draft.pk]), _post(draft, choice=str(elsewhere.pk))).content.decode()
    assert "所选单位不属于本区" in page
    draft.refresh_from_db()
    assert draft.status == PlanDraft.Status.OPEN


def test_a_name_typed_in_by_the_reviewer_is_decided_too(world, client):
    client.force_login(world["coordinator"])
    draft, before = _draft(world), _units()
    post = {**_post(draft, choice=str(_unit("发展改革委").pk)), "task-0-lead_units": "市场监管局、区应急局"}
    page = client.post(reverse("plan_draft", args=[draft.pk]), post).content.decode()
    assert "单位「应急局」" in page or "单位「区应急局」" in page
    draft.refresh_from_db()
    assert draft.status == PlanDraft.Status.OPEN and _units() == before


def test_a_saved_decision_is_kept_on_the_page(world, client):
    client.force_login(world["coordinator"])
    draft = _draft(world)
    client.post(reverse("plan_draft", args=[draft.pk]), {**_post(draft, choice=str(_unit("发展改革委").pk)), "op": "save"})
    draft.refresh_from_db()
    assert draft.data["unit_decisions"]["城管执法局"]["choice"] == str(_unit("发展改革委").pk)
    page = client.get(reverse("plan_draft", args=[draft.pk])).content.decode()
    assert f'<option value="{_unit("发展改革委").pk}" selected>' in page
