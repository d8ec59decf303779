"""Unit names of an imported plan that the district's registry does not know: the reviewer decides each one
(map it to an existing unit, optionally keeping the written name as that unit's alias, or create it as a
new unit) before the draft may enter the ledger. Nothing is created silently (issue 13, decision 0009).

Decisions are kept in the draft's data as ``unit_decisions``: name as written → {"choice": "" | "new" |
"<unit pk>", "alias": bool}. Creating a unit and adding an alias go through envgov.apps.accounts.actions,
so both are audited like any other change to the registry.
"""
from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext

from envgov.apps.accounts import actions as unit_actions
from envgov.apps.accounts import permissions
from envgov.apps.accounts.models import Unit, User
from envgov.apps.geo.models import District
from envgov.apps.plans.loader import UnitResolver
from envgov.apps.plans.review import FormError

NEW = "new"


@dataclass
class Pending:
    """One unknown name as the review page shows it."""

    index: int
    name: str
    tasks: list[str]  # codes of the included tasks that name it
    choice: str
    alias: bool


def _task_names(task: dict) -> list[str]:
    return [*task.get("lead_units", []), *task.get("cooperating_units", [])]


def unknown_names(data: dict, district: District) -> dict[str, list[str]]:
    """Every unit name of an included task that the registry does not know → the codes of the tasks naming
    it. Names the reviewer typed in count as well as the importer's: any name the loader could not find."""
    resolver = UnitResolver(district, create=False)
    out: dict[str, list[str]] = {}
    for task in data.get("tasks", []):
        if not task.get("include", True):
            continue
        for name in _task_names(task):
            if resolver.find(name) is None:
                codes = out.setdefault(name, [])
                if task.get("code") not in codes:
                    codes.append(task.get("code") or "")
    return out


def pending(data: dict, district: District) -> list[Pending]:
    decisions = data.get("unit_decisions", {})
    return [
        Pending(i, name, codes, str(decisions.get(name, {}).get("choice", "")),
                bool(decisions.get(name, {}).get("alias")))
        for i, (name, codes) in enumerate(unknown_names(data, district).items())
    ]


def read_decisions(post, data: dict, district: District) -> tuple[dict, list[FormError]]:
    """The reviewer's choices from the form (``unit-<i>-name``, ``-choice``, ``-alias``), kept in the data.
    A choice that names no unit of the district is a located error."""
    decisions = dict(data.get("unit_decisions", {}))
    errors: list[FormError] = []
    units = set(Unit.objects.filter(district=district).values_list("pk", flat=True))
    i = 0
    while (name := post.get(f"unit-{i}-name")) is not None:
        choice = (post.get(f"unit-{i}-choice") or "").strip()
        if choice not in ("", NEW) and not (choice.isdigit() and int(choice) in units):
            errors.append(FormError(gettext("单位"), name, gettext("所选单位不属于本区，请重新选择")))
            choice = ""
        decisions[name] = {"choice": choice, "alias": post.get(f"unit-{i}-alias") == "on"}
        i += 1
    return {**data, "unit_decisions": decisions}, errors


def check_decided(data: dict, district: District, user: User) -> list[FormError]:
    """Before commit: every unknown name decided, and decided in a way this user may carry out."""
    errors = []
    decisions = data.get("unit_decisions", {})
    may_manage = permissions.can_manage_units(user, district)
    for name, codes in unknown_names(data, district).items():
        d = decisions.get(name, {})
        where = gettext("单位")
        if not d.get("choice"):
            errors.append(FormError(where, name, gettext(
                "本区单位名录中没有此单位（任务 %(codes)s）：请对应到已有单位，或选择新建") % {"codes": "、".join(codes)}))
        elif d["choice"] == NEW and not may_manage:
            errors.append(FormError(where, name, gettext(
                "只有本区管理员可以新建单位：请对应到已有单位，或请管理员先在“单位管理”中新建")))
        elif d["choice"] == NEW and len(name) > 80:
            errors.append(FormError(where, name, gettext("单位名称超过 80 个字，请对应到已有单位")))
        elif d["choice"] != NEW and d.get("alias") and not may_manage:
            errors.append(FormError(where, name, gettext(
                "只有本区管理员可以添加单位别名：请取消“记为所选单位的别名”")))
    return errors


def apply(data: dict, district: District, user: User) -> tuple[dict, list[str]]:
    """Carry out the decisions (call inside the commit's transaction, after check_decided): create the new
    units and add the aliases through the audited accounts actions, and rewrite mapped names in the tasks
    to the registry unit's name. Returns the new data and the names of the units created."""
    decisions = data.get("unit_decisions", {})
    rename: dict[str, str] = {}
    created: list[str] = []
    for name in unknown_names(data, district):
        d = decisions[name]
        try:
            if d["choice"] == NEW:
                unit = unit_actions.create_unit(acting_user=user, name=name)
                created.append(unit.name)
            else:
                unit = Unit.objects.get(pk=int(d["choice"]), district=district)
                if d.get("alias"):
                    have = list(unit.aliases.values_list("alias", flat=True))
                    unit = unit_actions.update_unit(
                        unit, acting_user=user, expected_version=unit.version, name=unit.name,
                        short_name=unit.short_name, category=unit.category, aliases=[*have, name])
        except ValidationError as exc:
            raise ValidationError(gettext("单位“%(name)s”：%(error)s")
                                  % {"name": name, "error": "；".join(exc.messages)}) from None
        except PermissionDenied as exc:
            raise ValidationError(gettext("单位“%(name)s”：%(error)s") % {"name": name, "error": exc}) from None
        rename[name] = unit.name
    tasks = []
    for task in data.get("tasks", []):
        task = dict(task)
        for key in ("lead_units", "cooperating_units", "units"):
            if key in task:
                task[key] = list(dict.fromkeys(rename.get(n, n) for n in task[key]))
        tasks.append(task)
    return {**data, "tasks": tasks}, created
