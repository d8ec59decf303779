"""Changes a coordinator makes to the district's water sections: create and correct (kind, level, target,
boundary, upstream/downstream, inflow, position, town). Atomic, checked with `water.permissions`,
optimistic locking on `version`, audited. A kind a person sets is kept (用户更正): the cnemc-auto rule no
longer changes it. A town a person picks stays; otherwise the town boundaries place the section from its
point (point-in-polygon, decision 0018), as for monitoring stations."""
from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from envgov.apps.accounts.models import User
from envgov.apps.accounts.scope import require
from envgov.apps.accounts.versioned import save_versioned
from envgov.apps.audit import log as audit
from envgov.apps.geo.actions import check_point
from envgov.apps.water import permissions
from envgov.apps.water.models import Section

SECTION_FIELDS = ["code", "name", "river", "kind", "kind_rule", "kind_manual", "level", "target", "boundary",
                  "upstream", "downstream", "inflow", "lon", "lat", "town", "town_manual", "active"]
KIND_RULE_USER = "用户更正"


def _check(district_id: int, data: dict, current: Section | None = None) -> dict:
    errors = check_point(data.get("lon"), data.get("lat"))
    code = (data.get("code") or "").strip()
    name = (data.get("name") or "").strip()
    if not re.fullmatch(r"[^\s,]{1,120}", code):
        errors["code"] = [_("断面编码须为 1–120 个字符，不含空格和逗号")]
    elif Section.objects.filter(district_id=district_id, code=code).exclude(pk=getattr(current, "pk", None)).exists():
        errors["code"] = [_("断面编码“%(code)s”已被使用") % {"code": code}]
    if not name:
        errors["name"] = [_("请填写断面名称")]
    if data.get("kind") not in Section.Kind.values:
        errors["kind"] = [_("请选择水体类型（河流或湖库）")]
    if (data.get("level") or "") not in ("", *Section.Level.values):
        errors["level"] = [_("请选择考核级别")]
    if (data.get("boundary") or "") not in Section.Boundary.values:
        errors["boundary"] = [_("请选择跨界类型")]
    target = data.get("target")
    if target is not None and target not in (1, 2, 3, 4, 5):
        errors["target"] = [_("目标类别应为Ⅰ～Ⅴ类")]
    up, down = (data.get("upstream") or "").strip(), (data.get("downstream") or "").strip()
    if data.get("boundary") and (not up or not down):
        errors["upstream"] = [_("跨界断面须填写上游（补偿方）和下游（受偿方）")]
    elif up and up == down:
        errors["downstream"] = [_("下游与上游相同")]
    inflow = data.get("inflow")
    if inflow is not None and (inflow.district_id != district_id or (current is not None and inflow.pk == current.pk)):
        errors["inflow"] = [_("入境断面须为本区的另一个断面")]
    town = data.get("town")
    if town is not None and town.district_id != district_id:
        errors["town"] = [_("该街乡镇不属于本区")]
    if errors:
        raise ValidationError(errors)
    return {"code": code, "name": name[:80], "river": (data.get("river") or "").strip()[:60], "kind": data["kind"],
            "level": data.get("level") or "", "target": target, "boundary": data.get("boundary") or "",
            "upstream": up[:60], "downstream": down[:60], "inflow": inflow, "lon": data.get("lon"),
            "lat": data.get("lat"), "town": town}


def _placed(district_id: int, clean: dict, current: Section | None = None) -> dict:
    from envgov.apps.geo.boundaries import town_of_point
    from envgov.apps.geo.models import Town

    chosen = clean["town"]
    if current is not None and chosen == current.town and not current.town_manual:
        chosen = None  # untouched automatic placement: placed again from the (possibly new) point
    if chosen is not None:
        return {**clean, "town_manual": True}
    town_id = town_of_point(district_id, clean["lon"], clean["lat"]) if clean["lon"] is not None else None
    return {**clean, "town": Town.objects.filter(pk=town_id).first() if town_id else None, "town_manual": False}


def _kind(clean: dict, current: Section | None) -> dict:
    """A kind the user changes (or sets on a new section) is 用户更正."""
    if current is None or clean["kind"] != current.kind:
        return {**clean, "kind_rule": KIND_RULE_USER, "kind_manual": True}
    return clean


@transaction.atomic
def create_section(district, *, acting_user: User, data: dict, is_simulated: bool = False) -> Section:
    if acting_user is not None:
        require(permissions.can_import_samples(acting_user, district), _("只有本区的系统管理员或统筹协调人员可以登记断面"))
    clean = _placed(district.pk, _kind(_check(district.pk, data), None))
    section = Section.objects.create(district=district, is_simulated=is_simulated, **clean)
    audit.record(actor=acting_user, action="water_section_create", obj=section,
                 after=audit.snapshot(section, SECTION_FIELDS))
    return section


@transaction.atomic
def update_section(section: Section, *, acting_user: User, expected_version: int, data: dict) -> Section:
    require(permissions.can_edit_section(acting_user, section), _("只有本区的系统管理员或统筹协调人员可以修改断面"))
    clean = _placed(section.district_id, _kind(_check(section.district_id, data, section), section), section)
    saved = save_versioned(section, clean, acting_user=acting_user, expected_version=expected_version,
                           action="water_section_update", fields=SECTION_FIELDS,
                           stale_message=_("该断面已被他人修改，您的修改未保存。请刷新页面后再提交。"))
    from envgov.apps.water.services import refresh_water_targets

    refresh_water_targets(section.district)  # a target class or level decides what the targets count
    return saved
