"""The role matrix: every route of the URL resolver and every API operation, for every persona, on an
object inside and outside the persona's scope.

Expected outcome of a request, in this order:
  public route                         → served (never a login redirect, never 403)
  anonymous                            → 302 to the login page (pages) / 401 (API)
  role not in the route's scope rule   → 403
  object outside the persona's scope   → 404 (and a write changes nothing)
  otherwise                            → 200 / 302 (pages), 200 / 201 (API)

Who sees which object is written out by hand below (VISIBLE), from the fixture's design — not computed
with the scope querysets under test. A route without a scope rule fails `test_every_route_declares_a_rule`.
"""
from __future__ import annotations

import datetime as dt
import json
import re

import pytest
from django.apps import apps
from django.core.cache import cache
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, clear_url_caches, get_resolver

from envgov.apps.supervision import actions as supervision
from envgov.apps.accounts.scope import RULES
from envgov.web.api import iter_api_operations

ANON = "anonymous"
PERSONAS = [ANON, "admin", "coordinator", "unit_a", "town_a", "auditor", "other_coordinator", "leader_a"]
ROLE = {"admin": "admin", "coordinator": "coordinator", "unit_a": "unit_reporter", "town_a": "town_reporter",
        "auditor": "auditor", "other_coordinator": "coordinator", "leader_a": "unit_leader"}
OVERSIGHT = {"admin", "coordinator", "auditor"}  # of the 通州 district
UNIT_A = {"unit_a", "leader_a"}  # the reporter and the 科室负责人 of 市场监管局 see its rows
DISTRICT = OVERSIGHT | UNIT_A | {"town_a"}
OTHER = {"other_coordinator"}  # 门头沟: another district altogether

SOURCE_KINDS = ("enterprise", "site", "catering", "fleet", "machinery", "outfall", "soil", "radiation", "hazchem")
# URL kwarg → the fixture objects to try it with, and who may see each one
VISIBLE: dict[str, list[tuple[str, set[str]]]] = {
    "plan_id": [("plan", DISTRICT), ("other_plan", OTHER)],
    "task_id": [("task_unit_a", OVERSIGHT | UNIT_A), ("task_unit_b", OVERSIGHT),
                ("task_town_a", OVERSIGHT | {"town_a"}), ("other_task", OTHER)],
    "report_id": [("report_unit_a", OVERSIGHT | UNIT_A), ("report_town_a", OVERSIGHT | {"town_a"}),
                  ("report_unit_b", OVERSIGHT)],
    "item_id": [("item_unit_a", OVERSIGHT | UNIT_A), ("item_unit_b", OVERSIGHT), ("item_other", OTHER)],
    "photo_id": [("photo_unit_a", OVERSIGHT | UNIT_A), ("photo_unit_b", OVERSIGHT)],
    "draft_id": [("draft", DISTRICT), ("other_draft", OTHER)],
    "target_id": [("target", OVERSIGHT), ("other_target", OTHER)],
    "token_id": [("token_coordinator", {"coordinator"}), ("token_unit_a", {"unit_a"})],
    "attachment_id": [("attachment_unit_a", OVERSIGHT | UNIT_A), ("attachment_unit_b", OVERSIGHT)],
    # a notice is its recipient's alone: not even the administrator opens someone else's
    "notice_id": [("notice_unit_a", {"unit_a"}), ("notice_coordinator", {"coordinator"}),
                  ("notice_other", {"other_coordinator"})],
    # 管理: the district admin manages their own district's users, units, towns and stations only
    "member_id": [("unit_a", {"admin"}), ("town_a", {"admin"}), ("other_coordinator", set())],
    "unit_id": [("u_market", {"admin"}), ("other_unit", set())],
    "town_id": [("t_songzhuang", {"admin"}), ("other_town", set())],
    "station_id": [("station", {"admin"}), ("other_station", set())],
    # an observation import (未完成, so finish / undo really act): its district's reviewers
    "import_id": [("air_import_pending", OVERSIGHT), ("other_air_import", OTHER)],
    # the public page of a district (no login): by its administrative code; an unknown code is a 404
    "adcode": [("district_adcode", DISTRICT | OTHER | {ANON}), ("other_adcode", DISTRICT | OTHER | {ANON})],
    # a water section: everyone of its district reads it (reviewers correct it); other districts do not find it
    "section_id": [("water_section", DISTRICT), ("other_water_section", OTHER)],
    # 通报: drafts are the district's oversight roles'; a published one every user's of its district
    "circular_id": [("circular_draft", OVERSIGHT), ("circular_published", DISTRICT), ("other_circular", OTHER)],
    # the public downloads serve published circulars only (a draft is not found, tested in test_circulars)
    "published_id": [("circular_published", set(PERSONAS))],
    # 排名: a town's figures are read by everyone signed in to its district
    "rank_town_id": [("t_songzhuang", DISTRICT), ("other_town", OTHER)],
    # 在线监控: a point in 宋庄镇 and its alert — the district's oversight roles and 宋庄镇's reporter; not a unit's
    "point_id": [("online_point", OVERSIGHT | {"town_a"}), ("other_online_point", OTHER)],
    "alert_id": [("online_alert", OVERSIGHT | {"town_a"}), ("other_online_alert", OTHER)],
    # a noise monitoring point: everyone of its district reads it (reviewers correct it); other districts do not
    "noise_point_id": [("noise_point", DISTRICT), ("other_noise_point", OTHER)],
    # 信息公开: a drinking-water entry is edited by its district's coordinators (reviewer rule); others 404
    "entry_id": [("disclosure_entry", OVERSIGHT), ("other_disclosure_entry", OTHER)],
    # 污染源清单: a source of 宋庄镇 (town_a's), one of 张家湾镇, one of 门头沟; unit reporters see none
    **{f"{kind}_id": [(f"src_{kind}_a", OVERSIGHT | {"town_a"}), (f"src_{kind}_b", OVERSIGHT),
                      (f"src_{kind}_other", OTHER)] for kind in SOURCE_KINDS},
    # 项目资金库: everyone of the district reads projects and allocations; other districts do not find them
    "project_id": [("project", DISTRICT), ("other_project", OTHER)],
    "allocation_id": [("allocation", DISTRICT), ("other_allocation", OTHER)],
    # 重污染应急: an episode is read by everyone of its district (reporters their part of the sheet); a check-in's
    # photo by the district's oversight roles and the unit and town of its enterprise (宋庄镇, 市场监管局)
    "episode_id": [("emergency_episode", DISTRICT), ("other_emergency_episode", OTHER)],
    "checkin_id": [("emergency_checkin", DISTRICT), ("other_emergency_checkin", OTHER)],
    # 接诉即办: an order is read by oversight, its assigned unit and the town it is in; other districts: 404
    "order_id": [("complaint_unit_a", OVERSIGHT | UNIT_A | {"town_a"}), ("complaint_unit_b", OVERSIGHT),
                 ("other_complaint", OTHER)],
    # 重点区域: everyone of its district reads an area (coordinators change it); other districts do not find it
    "keyarea_id": [("keyarea", DISTRICT), ("other_keyarea", OTHER)],
}
# routes that answer GET with 405 once the gate is passed (the object is only looked up on POST);
# a route added later is recognised by probing (GET → 405) and then tested with POST too
POST_ONLY = {"plan_issue", "run_daily_check", "review_report", "revoke_token", "exceptional_day_add",
             "air_recompute", "air_parameters_save", "logout", "withdraw_report", "task_comment", "task_close",
             "notice_open", "notice_read_all", "notice_preferences", "air_import_finish", "air_import_undo",
             "manage_user_unthrottle", "manage_user_totp_reset", "circular_generate", "circular_publish",
             "ranking_supervise", "ranking_measure_save", "ranking_settings_save",
             "water_section_edit", "water_compensation_parameters", "water_section_add", "water_parameters_save",
             "project_payment",
             "emergency_measure_save", "emergency_end",
             "online_point_add", "online_point_edit", "online_limit_save", "online_alert_supervise", "online_rule_save",
             "noise_point_edit", "noise_point_add", "noise_parameters_save",
             "ecology_ei_save", "ecology_carbon_save", "ecology_base_year_save", "ecology_farmland_save",
             "ecology_construction_save", "ecology_parameters_save",
             "sources_add",
             "complaint_assign", "complaint_sign", "complaint_reply", "complaint_visit", "complaint_correct",
             "complaint_reopen", "complaint_parameters_save", "complaint_repeat_supervise",
             "sources_add", "keyareas_add", "keyareas_area_edit", "keyareas_zones_import", "keyareas_area_polygon",
             "keyareas_parameters", "keyareas_refresh"}
# allowed outcome of GET where it is not 200/302
ALLOWED_GET = {"api-root": {404}}


def _payload(route: str, obj, persona: str) -> dict:
    """A valid form for each write route, so that an allowed request would really write."""
    version = getattr(obj, "version", 1)
    return {
        "task_detail": {"narrative": "矩阵测试进展"},
        "task_edit": {"title": "矩阵测试改名", "body": "", "due_date": "2024-01-31", "version": version,
                      "reason": "矩阵"},
        "review_report": {"decision": "accept", "reason": "", "version": version},
        "supervision_detail": ({"op": "respond", "response": "矩阵反馈", "version": version}
                               if persona in ("unit_a", "town_a", "leader_a") else {"op": "close", "note": "矩阵销号", "version": version}),
        "withdraw_report": {"version": version}, "task_comment": {"body": "矩阵留言"},
        "target_actual": {"value": "88", "as_of": "2024-08-31", "source": "矩阵来源", "version": version},
        "plan_reporting": {"report_frequency": "monthly", "report_due_day": "10", "report_due_next_month": "on",
                           "version": version},
        "task_close": {"reason": "矩阵关闭", "version": version},
        "supervision_open": {"title": "矩阵督办", "due_date": "2024-06-01",
                             "addressee_unit": _first_unit_of(obj)},
        "review_queue": {"report": ["0"]},
        "plan_issue": {}, "run_daily_check": {}, "revoke_token": {}, "tokens": {"name": "矩阵"},
        "ledger_import": {"op": "apply"}, "plan_import": {}, "plan_draft": {"op": "discard"},
        "air_import": {}, "air_import_finish": {}, "air_import_undo": {}, "exceptional_day_add": {"day": "2024-03-15", "note": "矩阵沙尘"}, "air_recompute": {},
        "air_parameters_save": {"p_o3_daily_max_8h_min_windows": "15", "reason": "矩阵"},
        "water_import": {}, "water_section_edit": {"code": getattr(obj, "code", ""), "name": "矩阵改名断面",
                                                   "kind": "river", "target": "4", "version": version},
        "water_compensation_parameters": {"rules": "beijing-2015", "p_worse_than_v_extra": "10", "reason": "矩阵"},
        "water_section_add": {"code": "MX-W9", "name": "矩阵新断面", "kind": "river", "target": "4"},
        "water_parameters_save": {"p_proportion_min_sections": "6", "reason": "矩阵"},
        "online_point_add": {"mn": "MX0000000000000000000009", "name": "矩阵点位", "kind": "32"},
        "online_point_edit": {"mn": getattr(obj, "mn", ""), "name": "矩阵改名点位", "kind": "32", "active": "on",
                              "version": version},
        "online_limit_save": {"code": "w01018", "averaging": "hourly", "max_value": "50", "unit": "mg/L"},
        "online_rule_save": {"consecutive_hours": "3", "reason": "矩阵"},
        "online_alert_import": {"file": _alert_file()},
        "noise_import": {}, "noise_zones": {"crs": "wgs84"},
        "noise_point_edit": {"code": getattr(obj, "code", ""), "name": "矩阵改名点位", "cls": "2", "active": "on",
                             "version": version},
        "noise_point_add": {"code": "MX-N9", "name": "矩阵新点位", "cls": "1"},
        "noise_parameters_save": {"p_night_start": "23:00", "p_night_end": "07:00", "reason": "矩阵"},
        "disclosure_manage": {"title": "矩阵饮用水", "body": "矩阵正文", "published_on": "2024-05-01", "published": "on"},
        "disclosure_edit": {"title": "矩阵改名", "body": "矩阵正文", "published_on": "2024-05-01", "version": version},
        "outlook_towns": {"method": "equal", "reason": "矩阵"},
        "outlook_settings": {"warn_probability": "0.7", "reason": "矩阵"},
        "login": {"username": "nobody", "password": "wrong"}, "logout": {}, "set_language": {"language": "en"},
        "notice_open": {}, "notice_read_all": {}, "notice_preferences": {"delivery": "digest", "email": "on"},
        "notice_channel": {"kind": "wecom", "webhook_url": "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=m",
                           "enabled": "on", "version": 1},
        "password_change": {"old_password": "pw-12345-x", "new_password1": "Matrix-pass-9183",
                            "new_password2": "Matrix-pass-9183"},
        "circular_generate": {"period": "2024-03", "kind": "monthly", "by": "concentration"},
        "circular_publish": {"version": version},
        "circular_settings": {"organ": "矩阵生态环境局", "number_prefix": "矩环", "recipients": "", "version": 1},
        **_ranking_payload(route, persona),
        **_emergency_payload(route, obj, persona),
        **_ecology_payload(route),
        **_sources_payload(route, obj, persona),
        **_projects_payload(route, obj, persona),
        **_complaint_payload(route, obj, version),
        "keyareas_area_edit": {"shape": "circle", "diameter_m": "1600", "centre_lon": "116.66", "centre_lat": "39.91",
                               "version": version},
        "keyareas_parameters": {"p_factor:site": "0.0001", "reason": "矩阵"},
        "keyareas_refresh": {"month": "2024-05"},
        "keyareas_site": {"measure": "dust_new", "done": "on", "note": "矩阵"},
        **_manage_payload(route, obj, version),
    }.get(route, {})  # a route added later: an empty form still exercises its gate and its scope


def _ranking_payload(route: str, persona: str) -> dict:
    """Forms of the 排名 write routes, for the persona's own district (the matrix fixture has no daily values,
    so the ranking flags no town and 发起督办 opens nothing: it still passes the gates)."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from envgov.apps.geo.models import Town
    from envgov.apps.plans.models import Plan

    if not route.startswith("ranking_"):
        return {}
    own = "门头沟区" if persona == "other_coordinator" else "通州区"
    town = Town.objects.filter(district__name=own).order_by("pk").first()
    plan = Plan.objects.filter(district__name=own).order_by("pk").first()
    csv = f"街乡镇,月份,降尘量\r\n{getattr(town, 'name', '')},2024-03,5.5\r\n".encode()
    return {route: {
        "ranking_supervise": {"period": "2024-03", "indicator": "pm25", "by": "concentration",
                              "plan": getattr(plan, "pk", 999999)},
        "ranking_measure_save": {"town": getattr(town, "pk", 999999), "month": "2024-03", "indicator": "dustfall",
                                 "value": "5.5"},
        "ranking_measure_import": {"file": SimpleUploadedFile("矩阵.csv", csv)},
        "ranking_settings_save": {"k_national": "2", "k_city": "1", "k_district": "1", "k_micro": "1",
                                  "weighting_mode": "site", "bottom_n": "2", "min_completeness": "0",
                                  "partial_month": "proportional", "change_digits": "1", "composite_digits": "2",
                                  "c_pm25": "on", "w_pm25": "1", "reason": "矩阵"},
    }.get(route, {})}


def _emergency_payload(route: str, obj, persona: str) -> dict:  # noqa: ANN001
    """Forms of the 重污染应急 write routes, for the persona's own district (a list file naming its town)."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from envgov.standards.codes import check_character

    if not route.startswith("emergency_"):
        return {}
    town = "大峪街道" if persona == "other_coordinator" else "宋庄镇"
    body = "91110112MA0999999"
    csv = f"名称,统一社会信用代码,街乡镇,绩效分级\r\n矩阵企业,{body + check_character(body)},{town},B\r\n".encode()
    sheet = getattr(obj, "sheet", None) or {}
    entry = (sheet.get("entries") or [{"id": 999999}])[0]["id"]
    return {route: {
        "emergency_list_import": {"file": SimpleUploadedFile("矩阵清单.csv", csv)},
        "emergency_measures_import": {"file": SimpleUploadedFile("矩阵措施.csv", "绩效分级,预警级别,措施\r\nB,橙色,矩阵限产\r\n".encode())},
        "emergency_measure_save": {"grade": "B", "level": "orange", "text": "矩阵措施", "cut": ""},
        "emergency_forecast": {"typed": "2024-05-09,210\n2024-05-10,230", "op": "evaluate"},
        "emergency_checkin": {"entry": entry, "at": "2024-05-10T09:00", "complied": "yes", "note": "矩阵打卡"},
        "emergency_end": {"ended_on": "2024-05-10", "note": "矩阵解除", "version": getattr(obj, "version", 1)},
    }.get(route, {})}


def _alert_file():  # noqa: ANN202
    """One alert record of the HJ 212 receiver for the fixture's 通州 point, so that an allowed import writes."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    record = {"mn": "MX0000000000000000000001", "cn": "2061", "time": "2024-05-10T11:00:00", "type": "data_flag",
              "code": "w01018", "flag": "D", "reason": "w01018 数据标记 D（故障）"}
    return SimpleUploadedFile("矩阵.jsonl", json.dumps(record, ensure_ascii=False).encode())


def _ecology_payload(route: str) -> dict:
    """Forms of the ecology write routes (decision 0036): each a valid entry for the persona's own district."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    if not route.startswith("ecology_"):
        return {}
    indices = {"biological_abundance": "44", "vegetation_cover": "64", "water_network_density": "32",
               "land_stress": "18", "pollution_load": "8"}
    csv = "年份,生物丰度指数,植被覆盖指数,水网密度指数,土地胁迫指数,污染负荷指数\r\n2023,40,60,30,20,10\r\n".encode()
    return {route: {
        "ecology_ei_save": {"year": "2024", **indices, "constraint": "", "source": "矩阵"},
        "ecology_ei_import": {"file": SimpleUploadedFile("矩阵分指数.csv", csv)},
        "ecology_carbon_save": {"year": "2024", "co2": "1000", "gdp": "100", "source": "矩阵"},
        "ecology_base_year_save": {"base_year": "2020"},
        "ecology_farmland_save": {"year": "2024", "as_of": "2024-09-16", "unit": "亩", "b": "40", "c": "45", "d": "7",
                                  "e": "100"},
        "ecology_construction_save": {"year": "2024", "as_of": "2024-09-16", "safe_plots": "19", "reused_plots": "20"},
        "ecology_parameters_save": {"p_ei_rounding": "1", "reason": "矩阵"},
    }.get(route, {})}
def _sources_payload(route: str, obj, persona: str) -> dict:  # noqa: ANN001
    """Valid forms of the 污染源 write routes: a source's own values (renamed), a new source in the persona's
    own town (town_a: 宋庄镇), the audit sample of the default year."""
    from envgov.apps.geo.models import Town
    from envgov.apps.sources import views as sources_views

    if not route.startswith("sources_"):
        return {}
    if route == "sources_add":
        own = "门头沟区" if persona == "other_coordinator" else "通州区"
        town = Town.objects.filter(district__name=own).order_by("pk").first()
        return {route: {"kind": "fleet", "name": "矩阵车队", "town": getattr(town, "pk", 999999), "own_vehicles": "12"}}
    kind = route.removeprefix("sources_")
    if kind in SOURCE_KINDS and hasattr(obj, "version"):
        data = {k: v for k, v in sources_views._initial(obj, kind).items() if v is not None}
        return {route: {**data, "op": "save", "name": "矩阵改名"}}
    return {}


def _sources(o: dict, world) -> None:  # noqa: ANN001
    """One source of each kind in 宋庄镇 (town_a), in 张家湾镇 and in 门头沟's 大峪街道."""
    from envgov.apps.geo.models import Town
    from envgov.apps.sources import actions as sources
    from envgov.standards.codes import check_character

    places = (("a", world["district"], world["t_songzhuang"]),
              ("b", world["district"], Town.objects.get(district=world["district"], name="张家湾镇")),
              ("other", world["other_plan"].district, o["other_town"]))
    for i, (label, district, town) in enumerate(places):
        body = f"91110112MA{i:07d}"
        code = body + check_character(body)
        extra = {"enterprise": {"credit_code": code, "permit_class": "simplified", "permit_number": f"{code}001Q"},
                 "fleet": {"own_vehicles": 11}, "outfall": {"code": f"RH{i}", "receiving_water": "矩阵河"},
                 "soil": {"status": "ledger"}, "radiation": {"source_class": "device_3"}}
        for kind in SOURCE_KINDS:
            o[f"src_{kind}_{label}"] = sources.create_source(
                kind, district, acting_user=None, data={"name": f"矩阵{kind}{label}", "town": town, **extra.get(kind, {})})


def _projects_payload(route: str, obj, persona: str) -> dict:
    """Forms of the 项目资金库 write routes (projects app), valid for the persona's own district."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from envgov.apps.geo.models import Town
    from envgov.apps.projects.services import HEADERS

    if not (route.startswith("project_") or route.startswith("fund_")):
        return {}
    own = "门头沟区" if persona == "other_coordinator" else "通州区"
    town = Town.objects.filter(district__name=own).order_by("pk").first()
    project = {"name": "矩阵项目", "area": "air", "year": "2024", "budget": "10", "fund_source": "district",
               "status": "completed", "nox_t": "1", "nox_method": "monitoring", "nox_basis": "矩阵监测"}
    row = {"项目编号": "MX-IMP", "项目名称": "矩阵导入", "领域": "蓝天", "实施年度": "2024", "预算（万元）": "5",
           "资金来源": "区级财政", "状态": "储备"}
    csv = (",".join(HEADERS) + "\r\n" + ",".join(row.get(h, "") for h in HEADERS) + "\r\n").encode()
    tid = getattr(town, "pk", 999999)
    fund = {"title": "矩阵分配", "year": "2024", "total": "10", "reason": "矩阵", "w_pm25_improvement": "100",
            "w_good_day_improvement": "0", "w_vocs_reduction": "0", "w_nox_reduction": "0", f"in_{tid}": "1",
            f"v_{tid}_pm25_improvement": "1"}
    return {route: {
        "project_add": {**project, "code": "MX-P9"},
        "project_edit": {**project, "code": getattr(obj, "code", ""), "version": getattr(obj, "version", 1)},
        "project_payment": {"paid_on": "2024-05-01", "amount": "1"},
        "project_import": {"file": SimpleUploadedFile("矩阵项目.csv", csv)},
        "fund_add": fund,
    }.get(route, {})}


def _complaint_payload(route: str, obj, version: int) -> dict:  # noqa: ANN001
    from django.core.files.uploadedfile import SimpleUploadedFile

    if not route.startswith("complaint_"):
        return {}
    csv = "工单编号,派单时间,承办单位,诉求地址\r\nMX-9,2024-03-05 09:00,市场监管局,宋庄镇矩阵村\r\n".encode()
    return {route: {
        "complaint_assign": {"unit": _first_unit_of(obj), "deadline": "2024-03-20", "version": version},
        "complaint_sign": {"version": version}, "complaint_reply": {"reply": "矩阵答复", "version": version},
        "complaint_visit": {"resolved": "yes", "satisfaction": "satisfied", "version": version},
        "complaint_correct": {"category": "噪声", "version": version},
        "complaint_reopen": {"reason": "矩阵重启"},
        "complaint_import": {"file": SimpleUploadedFile("矩阵工单.csv", csv)},
        "complaint_rules": {"rules": "噪声：噪音、吵"},
        "complaint_parameters_save": {"p_reopened": "merge", "reason": "矩阵"},
        "complaint_repeat_supervise": {"month": "2024-03", "address": "无", "due_date": "2024-04-01"},
    }.get(route, {})}


def _first_unit_of(plan) -> int:  # noqa: ANN001
    from envgov.apps.accounts.models import Unit

    unit = Unit.objects.filter(district_id=getattr(plan, "district_id", None)).order_by("pk").first()
    return unit.pk if unit else 999999


def _boundary_file():  # noqa: ANN202
    """A valid upload for 宋庄镇 of the fixture (a 0.1° square), so that an allowed import really writes."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    ring = [[116.6, 39.8], [116.7, 39.8], [116.7, 39.9], [116.6, 39.9], [116.6, 39.8]]
    body = {"type": "FeatureCollection", "features": [{"type": "Feature", "properties": {"code": "110112104000"},
                                                       "geometry": {"type": "Polygon", "coordinates": [ring]}}]}
    return SimpleUploadedFile("矩阵.geojson", json.dumps(body).encode())


def _manage_payload(route: str, obj, version: int) -> dict:
    from envgov.apps.accounts.models import Unit

    if not route.startswith("manage_"):
        return {}
    if route == "manage_unit_merge":
        other = Unit.objects.filter(district_id=getattr(obj, "district_id", None)).exclude(pk=getattr(obj, "pk", 0))
        return {route: {"into": getattr(other.first(), "pk", 999999), "op": "confirm"}}
    return {route: {
        "manage_user_create": {"username": "matrix_new", "name": "矩阵", "role": "auditor",
                               "password_mode": "generate"},
        "manage_user": {"name": "矩阵改名", "phone": "13800000000", "role": getattr(obj, "role", ""),
                        "unit": getattr(obj, "unit_id", "") or "", "town": getattr(obj, "town_id", "") or "",
                        "version": version},
        "manage_user_password": {"password_mode": "generate"},
        "manage_user_active": {"active": "0", "version": version},
        "manage_unit_create": {"name": "矩阵新单位", "aliases": "矩阵别名"},
        "manage_unit": {"name": "矩阵改名单位", "aliases": "矩阵别名", "version": version},
        "manage_town_create": {"code": "110112999000", "name": "矩阵镇", "kind": "town"},
        "manage_town": {"code": getattr(obj, "code", ""), "name": "矩阵改名镇", "kind": "town", "lon": "116.7",
                        "lat": "39.9", "version": version},
        "manage_town_active": {"active": "0", "version": version},
        "manage_town_boundaries": {"crs": "wgs84", "file": _boundary_file()},
        "manage_station_create": {"code": "MX-1", "name": "矩阵站", "kind": "micro"},
        "manage_station": {"code": getattr(obj, "code", ""), "name": "矩阵改名站", "kind": "district",
                           "version": version},
        "manage_station_active": {"active": "0", "version": version},
    }.get(route, {})}


# pages open to every role for reading whose POST only some roles may use (the action refuses → 403)
POST_ROLES = {"supervision_detail": {"admin", "coordinator", "unit_reporter", "town_reporter", "unit_leader"},
              "task_comment": {"admin", "coordinator", "unit_reporter", "town_reporter", "unit_leader"},
              "review_queue": {"admin", "coordinator"},
              # 达标研判: oversight roles read the decomposition and the parameter; coordinators set them
              "outlook_towns": {"admin", "coordinator"}, "outlook_settings": {"admin", "coordinator"},
              # 污染源: every district user (and town reporter, own town) reads; coordinators and town reporters edit
              **{f"sources_{kind}": {"admin", "coordinator", "town_reporter"} for kind in SOURCE_KINDS},
              "sources_add": {"admin", "coordinator", "town_reporter"},
              "sources_permit_audit": {"admin", "coordinator"},
              # 巡查打卡: everyone of the district opens the form; the read-only auditor cannot check in
              "emergency_checkin": {"admin", "coordinator", "unit_reporter", "town_reporter", "unit_leader"},
              # 接诉即办: the assigned unit, the order's town and the coordinators sign and reply (not auditors)
              "complaint_sign": {"admin", "coordinator", "unit_reporter", "town_reporter", "unit_leader"},
              "complaint_reply": {"admin", "coordinator", "unit_reporter", "town_reporter", "unit_leader"},
              # 重点区域: a site's checklist is read by who sees the site; coordinators and its town's reporter check off
              "keyareas_site": {"admin", "coordinator", "town_reporter"}}

WRITE_ROUTES = {"task_detail", "task_edit", "review_report", "supervision_detail", "supervision_open", "plan_issue",
                "run_daily_check", "revoke_token", "tokens", "ledger_import", "plan_import", "plan_draft",
                "air_import", "air_import_finish", "air_import_undo", "exceptional_day_add", "air_recompute",
                "air_parameters_save", "login", "logout", "water_import", "water_section_edit",
                "water_compensation_parameters", "water_section_add", "water_parameters_save",
                "noise_import", "noise_zones", "noise_point_edit", "noise_point_add", "noise_parameters_save",
                "disclosure_manage", "disclosure_edit",
                "set_language", "withdraw_report", "task_comment", "task_close", "review_queue", "target_actual",
                "plan_reporting", "notice_open",
                "notice_read_all", "notice_preferences", "notice_channel",
                "password_change", "manage_user_create", "manage_user", "manage_unit_create",
                "manage_unit", "manage_unit_merge", "manage_town_create", "manage_town", "manage_town_boundaries",
                "manage_station_create", "manage_station", "circular_generate", "circular_publish",
                "circular_settings", "outlook_towns", "outlook_settings",
                "ranking_supervise", "ranking_measure_save", "ranking_measure_import", "ranking_settings_save",
                "online_point_add", "online_point_edit", "online_limit_save", "online_alert_supervise",
                "online_rule_save", "online_alert_import",
                "ecology_ei_import",
                "sources_add", "sources_import", "sources_permit_audit", *(f"sources_{k}" for k in SOURCE_KINDS),
                "project_add", "project_edit", "project_payment", "project_import", "fund_add",
                "emergency_list_import", "emergency_measures_import", "emergency_measure_save", "emergency_forecast",
                "emergency_checkin", "emergency_end",
                "ecology_ei_import",
                "complaint_assign", "complaint_sign", "complaint_reply", "complaint_visit", "complaint_correct",
                "complaint_reopen", "complaint_import", "complaint_rules", "complaint_parameters_save",
                "complaint_repeat_supervise",
                "sources_add", "sources_import", "sources_permit_audit", *(f"sources_{k}" for k in SOURCE_KINDS),
                "keyareas_add", "keyareas_area_edit", "keyareas_zones_import", "keyareas_area_polygon",
                "keyareas_parameters", "keyareas_refresh", "keyareas_site"}


# ---------------------------------------------------------------- walking the resolver

def walk(patterns, prefix: str = "", namespace: str | None = None):
    for p in patterns:
        if isinstance(p, URLResolver):
            yield from walk(p.url_patterns, prefix + str(p.pattern), p.namespace or namespace)
        elif isinstance(p, URLPattern):
            yield prefix + str(p.pattern), p.name, namespace, p.callback


def page_routes() -> list[tuple[str, str | None, object]]:
    """(route, name, view) of every page — the API (checked per operation) and Django admin excluded."""
    return [(route, name, cb) for route, name, ns, cb in walk(get_resolver().url_patterns)
            if ns not in ("admin", "api")]


def api_patterns() -> list[tuple[str, str | None, object]]:
    return [(route, name, cb) for route, name, ns, cb in walk(get_resolver().url_patterns) if ns == "api"]


def kwarg_names(route: str) -> list[str]:
    return [a or b for a, b in re.findall(r"<(?:\w+:)?(\w+)>|\(\?P<(\w+)>", route)]


def fill(route: str, values: dict[str, object]) -> str:
    url = re.sub(r"<(?:\w+:)?(\w+)>", lambda m: str(values[m[1]]), route)
    url = re.sub(r"\(\?P<(\w+)>[^)]*\)", lambda m: str(values[m[1]]), url)
    return "/" + url.lstrip("^").rstrip("$")


# ---------------------------------------------------------------- fixture objects and helpers

@pytest.fixture(autouse=True)
def _fast_passwords_and_clean_cache(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    cache.clear()  # login throttling counts live in the cache
    yield
    cache.clear()


@pytest.fixture
def objs(world):
    from envgov.apps.accounts.models import ApiToken, Unit
    from envgov.apps.plans import actions
    from django.core.files.base import ContentFile
    from django.core.files.uploadedfile import SimpleUploadedFile

    from envgov.apps.plans.models import Attachment, PlanDraft

    day = dt.date(2024, 5, 10)
    o = dict(world)
    o["report_unit_a"] = actions.submit_progress(world["task_unit_a"], acting_user=world["unit_a"],
                                                 narrative="抽检2组", today=day)
    o["report_town_a"] = actions.submit_progress(world["task_town_a"], acting_user=world["town_a"],
                                                 narrative="扬尘检查", today=day)
    o["report_unit_b"] = actions.submit_progress(world["task_unit_b"], acting_user=world["unit_b"],
                                                 narrative="推广30辆", today=day)
    o["item_unit_a"] = supervision.open_supervision(world["plan"], acting_user=world["coordinator"], title="抽检滞后",
                                                due_date=day, task=world["task_unit_a"], addressee_unit=world["u_market"])
    o["item_unit_b"] = supervision.open_supervision(world["plan"], acting_user=world["coordinator"], title="推广滞后",
                                                due_date=day, task=world["task_unit_b"], addressee_unit=world["u_dev"])
    other_unit = Unit.objects.create(district=world["other_plan"].district, name="发展改革委")
    o["other_unit"] = other_unit
    from envgov.apps.geo.models import Town
    from envgov.apps.air.models import Station

    o["other_town"] = Town.objects.create(district=world["other_plan"].district, code="110109001000", name="大峪街道")
    o["station"] = Station.objects.create(code="TZ-01", name="永顺", kind=Station.Kind.NATIONAL,
                                          district=world["district"], town=world["t_songzhuang"])
    o["other_station"] = Station.objects.create(code="MTG-01", name="门城", kind=Station.Kind.NATIONAL,
                                                district=world["other_plan"].district)
    from envgov.apps.air.models import ObservationImport

    for label, who, district in (("air_import_pending", "coordinator", world["district"]),
                                 ("other_air_import", "other_coordinator", world["other_plan"].district)):
        o[label] = ObservationImport.objects.create(district=district, file_name="矩阵.csv", uploaded_by=world[who])
    from envgov.apps.water.models import Section as WaterSection

    o["water_section"] = WaterSection.objects.create(district=world["district"], code="TZ-W01", name="北运河（矩阵）",
                                                     target=4, level="municipal")
    o["other_water_section"] = WaterSection.objects.create(district=world["other_plan"].district, code="MTG-W01",
                                                           name="永定河（矩阵）", target=3)
    from envgov.apps.online.models import Alert as OnlineAlert
    from envgov.apps.online.models import MonitoringPoint

    o["online_point"] = MonitoringPoint.objects.create(district=world["district"], mn="MX0000000000000000000001",
                                                       name="矩阵排口", kind="32", town=world["t_songzhuang"])
    o["other_online_point"] = MonitoringPoint.objects.create(district=world["other_plan"].district, name="门头沟排口",
                                                             mn="MX0000000000000000000002", kind="32", town=o["other_town"])
    for label, point in (("online_alert", "online_point"), ("other_online_alert", "other_online_point")):
        o[label] = OnlineAlert.objects.create(point=o[point], kind="exceedance", cn="2061", code="w01018",
                                              field="w01018-Avg", time=dt.datetime(2024, 5, 10, 2, tzinfo=dt.timezone.utc),
                                              value=62.0, limit=50.0, unit="mg/L", reason="矩阵超标")
    from envgov.apps.noise.models import NoisePoint

    o["noise_point"] = NoisePoint.objects.create(district=world["district"], code="TZ-N01", name="宋庄（矩阵）", cls="1")
    o["other_noise_point"] = NoisePoint.objects.create(district=world["other_plan"].district, code="MTG-N01",
                                                       name="门城（矩阵）", cls="2")
    from envgov.apps.disclosure.models import DrinkingWaterNotice

    for label, district in (("disclosure_entry", world["district"]), ("other_disclosure_entry", world["other_plan"].district)):
        o[label] = DrinkingWaterNotice.objects.create(district=district, title="矩阵饮用水", body="矩阵",
                                                      published_on=day, published=True)
    o["item_other"] = supervision.open_supervision(world["other_plan"], acting_user=world["other_coordinator"],
                                               title="门头沟督办", due_date=day, addressee_unit=other_unit)
    for label, who, district in (("draft", "coordinator", world["district"]),
                                 ("other_draft", "other_coordinator", world["other_plan"].district)):
        o[label] = PlanDraft.objects.create(district=district, filename="计划.docx", uploaded_by=world[who],
                                            original_text="一、任务", data={"targets": [], "tasks": []})
    from envgov.apps.plans.models import Indicator, Target

    water = Indicator.objects.create(code="water_cod_t", name="COD排放量", unit="吨", area_code="water")
    o["target"] = Target.objects.create(plan=world["plan"], area=world["task_unit_a"].area, indicator=water,
                                        comparator="<=", value=100)
    o["other_target"] = Target.objects.create(plan=world["other_plan"], area=world["other_task"].area,
                                              indicator=water, comparator="<=", value=100)
    o["token_coordinator"] = ApiToken.issue(world["coordinator"], "矩阵")[0]
    o["token_unit_a"] = ApiToken.issue(world["unit_a"], "矩阵")[0]
    o["attachment_unit_a"] = Attachment.objects.create(report=o["report_unit_a"], name="抽检报告.pdf",
                                                        file=SimpleUploadedFile("抽检报告.pdf", b"%PDF-1.4"))
    o["attachment_unit_b"] = Attachment.objects.create(report=o["report_unit_b"], name="推广清单.pdf",
                                                        file=SimpleUploadedFile("推广清单.pdf", b"%PDF-1.4"))
    from envgov.apps.notices.actions import notify

    for label, who in (("notice_unit_a", "unit_a"), ("notice_coordinator", "coordinator"),
                       ("notice_other", "other_coordinator")):
        o[label] = notify([world[who]], kind="report_due", title="矩阵通知", url="/my/", key=f"matrix:{label}")[0]
    for key in ("item_unit_a", "item_unit_b", "item_other"):
        o[key].closure_evidence.save("核实.txt", ContentFile(b"ok"))
    from envgov.apps.supervision.models import SupervisionPhoto

    for label, item, who in (("photo_unit_a", "item_unit_a", "unit_a"), ("photo_unit_b", "item_unit_b", "unit_b")):
        o[label] = SupervisionPhoto.objects.create(item=o[item], name="现场.jpg", uploaded_by=world[who],
                                                   file=SimpleUploadedFile("现场.jpg", b"\xff\xd8\xff\xe0jpeg"))
    o["district_adcode"], o["other_adcode"] = world["district"].adcode, world["other_plan"].district.adcode
    from django.utils import timezone

    from envgov.apps.complaints.models import WorkOrder

    when = timezone.make_aware(dt.datetime(2024, 3, 1, 9, 0))
    zhang = Town.objects.get(district=world["district"], name="张家湾镇")
    o["complaint_unit_a"] = WorkOrder.objects.create(district=world["district"], number="MX-1", dispatched_at=when,
                                                     unit=world["u_market"], town=world["t_songzhuang"],
                                                     address="宋庄镇矩阵村1号", content="油烟")
    o["complaint_unit_b"] = WorkOrder.objects.create(district=world["district"], number="MX-2", dispatched_at=when,
                                                     unit=world["u_dev"], town=zhang, address="张家湾镇矩阵路2号",
                                                     content="噪音", responded_at=when)
    o["other_complaint"] = WorkOrder.objects.create(district=world["other_plan"].district, number="MX-3",
                                                    dispatched_at=when, unit=other_unit, content="扬尘")
    _circulars(o, world)
    _sources(o, world)
    _projects(o, world)
    _emergency(o, world)
    from envgov.apps.keyareas import actions as keyareas

    for label, station in (("keyarea", o["station"]), ("other_keyarea", o["other_station"])):
        o[label] = keyareas.create_area(station.district, acting_user=None,
                                        data={"station": station, "centre_lon": 116.66, "centre_lat": 39.91})
    o["clients"] = {ANON: Client()}
    for persona in PERSONAS[1:]:
        c = Client()
        c.force_login(world[persona])
        o["clients"][persona] = c
    return o


def _circulars(o: dict, world) -> None:  # noqa: ANN001
    """A draft and a published 通报 of 通州, a published one of 门头沟 (hand-made content, no charts), and
    通州's 文号 prefix so that a draft can really be published."""
    from django.core.files.base import ContentFile
    from django.utils import timezone

    from envgov.apps.circulars.models import Circular, CircularSettings
    from envgov.reports import circular as report

    CircularSettings.objects.create(district=world["district"], number_prefix="通环")
    content = report.CircularContent(
        organ="矩阵生态环境局", number="", signed_on=None, title="矩阵通报", period_label="2024年第1季度",
        sections=[report.RankingSection("PM2.5", "µg/m³", "浓度", (report.RankRow("宋庄镇", 40, 1),), 1)])
    body, table = report.build_docx(content, charts=False), report.build_xlsx(content)
    for label, district, status in (("circular_draft", world["district"], "draft"),
                                    ("circular_published", world["district"], "published"),
                                    ("other_circular", world["other_plan"].district, "published")):
        c = Circular(district=district, kind="on_demand", status=status, period="2024-Q1",
                     period_label="2024年第1季度", period_start=dt.date(2024, 1, 1), period_end=dt.date(2024, 3, 31),
                     title="矩阵通报", content=content.as_dict(), created_at=timezone.now(),
                     number="矩环〔2024〕1号" if status == "published" else "")
        c.docx.save(f"{label}.docx", ContentFile(body), save=False)
        c.xlsx.save(f"{label}.xlsx", ContentFile(table), save=False)
        c.save()
        o[label] = c


def _projects(o: dict, world) -> None:  # noqa: ANN001
    """A project and a fund allocation of 通州 and of 门头沟 (projects app)."""
    from envgov.apps.projects.models import FundAllocation, Project

    for label, alloc, district in (("project", "allocation", world["district"]),
                                   ("other_project", "other_allocation", world["other_plan"].district)):
        o[label] = Project.objects.create(district=district, code=f"MX-{label}", name="矩阵项目", area="air",
                                          year=2024, budget=100, fund_source="district", status="building")
        o[alloc] = FundAllocation.objects.create(district=district, year=2024, title="矩阵分配", rule="factor-share",
                                                 rule_version="1", total_yuan=100000, reason="矩阵",
                                                 result={"lines": []})
def _emergency(o: dict, world) -> None:  # noqa: ANN001
    """An active warning of 通州 whose action sheet lists one enterprise of 宋庄镇 under 市场监管局, with a
    check-in and its photo; the same in 门头沟 (大峪街道)."""
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.utils import timezone

    from envgov.apps.emergency import services
    from envgov.apps.emergency.models import CheckIn, Episode, ListEntry

    for prefix, district, town, unit, who in (("", world["district"], world["t_songzhuang"], world["u_market"], "coordinator"),
                                              ("other_", world["other_plan"].district, o["other_town"], o["other_unit"],
                                               "other_coordinator")):
        entry = ListEntry.objects.create(district=district, name="矩阵企业", credit_code="", town=town, unit=unit,
                                         industry="家具制造", grade="B")
        ep = Episode.objects.create(district=district, plan_id=services.PLAN_ID, level="orange",
                                    start=dt.date(2024, 5, 9), end=dt.date(2024, 5, 11),
                                    sheet=services.build_sheet(district, "orange"), started_by=world[who],
                                    started_at=timezone.now())
        o[f"{prefix}emergency_episode"] = ep
        c = CheckIn(episode=ep, entry=entry, at=timezone.now(), complied=True, inspector=world[who])
        c.photo.save("现场.jpg", SimpleUploadedFile("现场.jpg", b"\xff\xd8\xff\xe0jpeg"), save=False)
        c.save()
        o[f"{prefix}emergency_checkin"] = c


def fingerprint() -> dict:
    """Row counts plus the state-bearing columns of every table of ours: any write shows up here."""
    out = {}
    for model in apps.get_models():
        if model._meta.app_label in ("sessions", "contenttypes", "auth", "admin"):
            continue
        names = {f.attname for f in model._meta.concrete_fields}
        cols = [c for c in ("version", "status", "state", "revoked", "title", "due_date", "narrative", "revision", "read_at",
                            "delivery", "webhook_url", "boundary_source") if c in names]
        out[model._meta.label] = list(model._default_manager.order_by("pk").values_list("pk", *cols))
    return out


def expected(rule: str, persona: str, visible: bool, post_only: bool, method: str, name: str | None = None) -> str:
    if rule == "public":
        return "served"
    if persona == ANON:
        return "login"
    if ROLE[persona] not in RULES[rule]:
        return "403"
    if method == "POST" and name in POST_ROLES:  # the object is found first, then the action checks the role
        return "404" if not visible else ("allowed" if ROLE[persona] in POST_ROLES[name] else "403")
    if method == "GET" and post_only:
        return "405"
    return "allowed" if visible else "404"


def outcome(response) -> str:
    s = response.status_code
    if s == 302 and response["Location"].startswith("/login/"):
        return "login"
    return str(s) if s in (403, 404, 405, 401, 500) else ("allowed" if s in (200, 201, 302) else str(s))


def cases(route: str, objs) -> list[tuple[str, str, object, bool]]:
    """(persona, object label, object, visible) for a route; routes without object kwargs get one case."""
    names = kwarg_names(route)
    if not names:
        return [(p, "-", None, True) for p in PERSONAS]
    name = names[0]  # our routes have at most one object kwarg
    out = []
    for label, who in VISIBLE.get(name, [("no-such-object", set())]):
        obj = objs.get(label, 999999)
        for persona in PERSONAS:
            out.append((persona, label, obj, persona in who))
    return out


def kwargs_for(route: str, obj) -> dict:
    names = kwarg_names(route)
    return {n: getattr(obj, "pk", obj) for n in names}


# ---------------------------------------------------------------- the tests

def test_every_route_declares_a_rule():
    missing = [route for route, _name, cb in page_routes() if getattr(cb, "scope_rule", None) not in RULES]
    assert not missing, f"routes without a scope rule (decorate with accounts.scope.scoped): {missing}"
    ops = list(iter_api_operations())
    assert len(ops) >= 11
    bad_ops = [(m, p) for m, p, view in ops if getattr(view, "scope_rule", None) not in RULES]
    assert not bad_ops, f"API operations without a scope rule (decorate with api_scoped): {bad_ops}"
    declared = {(m, p) for methods, p, _ in ops for m in methods}
    for route, name, cb in api_patterns():
        if getattr(cb, "scope_rule", None) in RULES:  # docs, schema, root
            continue
        rules = getattr(cb, "scope_rules", None)
        assert rules, f"API route {route} ({name}) has no scope rules"
        path = "/" + re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", route)
        assert {(m, path) for m in rules} <= declared and all(r in RULES for r in rules.values()), route


def test_a_view_without_a_rule_is_caught(monkeypatch):
    """The check above can fail: a new route without `scoped` is reported."""
    from django.urls import path

    from envgov.web import urls

    def naked(request):
        return None

    monkeypatch.setattr(urls, "urlpatterns", [*urls.urlpatterns, path("naked/", naked, name="naked")])
    clear_url_caches()
    try:
        assert "naked/" in [r for r, _n, cb in page_routes() if getattr(cb, "scope_rule", None) not in RULES]
    finally:
        monkeypatch.undo()
        clear_url_caches()


PAGE_ROUTES = page_routes()


@pytest.mark.parametrize("route, name, view", PAGE_ROUTES, ids=[n or r for r, n, _ in PAGE_ROUTES])
def test_page_matrix(objs, route, name, view):
    rule = view.scope_rule
    all_cases = cases(route, objs)
    post_only = name in POST_ONLY
    if rule != "public" and not post_only:  # probe: does the route refuse GET once through the gate?
        probe = next(p for p in PERSONAS[1:] if ROLE[p] in RULES[rule])
        with transaction.atomic():
            post_only = objs["clients"][probe].get(fill(route, kwargs_for(route, all_cases[0][2]))).status_code == 405
            transaction.set_rollback(True)
    failures = []
    for persona, label, obj, visible in all_cases:
        url = fill(route, kwargs_for(route, obj))
        client = objs["clients"][persona]
        for method in ("GET", "POST") if name in WRITE_ROUTES or post_only else ("GET",):
            want = expected(rule, persona, visible, post_only, method, name)
            before = fingerprint() if method == "POST" and want in ("login", "403", "404") else None
            with transaction.atomic():  # every case starts from the same ledger
                if method == "GET":
                    response = client.get(url)
                else:
                    response = client.post(url, _payload(name, obj, persona))
                got = outcome(response)
                if want == "served":  # no gate at all: anything but a refusal (logout may redirect to login)
                    ok = response.status_code in (200, 302, 405) or response.status_code in ALLOWED_GET.get(name, ())
                elif want == "allowed" and name in ALLOWED_GET:
                    ok = response.status_code in ALLOWED_GET[name]
                else:
                    ok = got == want
                if not ok:
                    failures.append(f"{method} {url} as {persona} on {label}: want {want}, got {response.status_code}")
                if before is not None and fingerprint() != before:
                    failures.append(f"{method} {url} as {persona} on {label}: refused, but data changed")
                transaction.set_rollback(True)
            cache.clear()  # the wrong-password POST to login/ must not lock out the next case
    assert not failures, "\n".join(failures)


API_OPS = [(methods, path, view) for methods, path, view in iter_api_operations()]


def _api_payload(view_name: str, obj) -> dict:
    version = getattr(obj, "version", 1)
    return {
        "submit_progress": {"narrative": "矩阵接口进展"},
        "review_progress": {"decision": "accept", "version": version},
        "respond_supervision": {"response": "矩阵反馈", "version": version},
        "close_supervision": {"note": "矩阵销号", "version": version},
        "post_measure": {"indicator": "tsp", "month": "2024-03", "value": "120"},
    }[view_name]


@pytest.mark.parametrize("methods, path, view", API_OPS, ids=[f"{m[0]} {p}" for m, p, _ in API_OPS])
def test_api_matrix(objs, methods, path, view):
    from envgov.apps.accounts.models import ApiToken

    clients = {ANON: Client()}
    for persona in PERSONAS[1:]:
        clients[persona] = Client(HTTP_AUTHORIZATION="Bearer " + ApiToken.issue(objs[persona], "matrix")[1])
    route = re.sub(r"\{(\w+)\}", r"<\1>", path.lstrip("/"))
    failures = []
    for persona, label, obj, visible in cases(route, objs):
        url = fill(route, kwargs_for(route, obj))
        for method in methods:
            want = expected(view.scope_rule, persona, visible, False, method)
            before = fingerprint() if method == "POST" and want in ("login", "403", "404") else None
            with transaction.atomic():
                if method == "GET":
                    response = clients[persona].get(url)
                else:
                    response = clients[persona].post(url, json.dumps(_api_payload(view.__name__, obj)),
                                                     content_type="application/json")
                got = {401: "login"}.get(response.status_code, outcome(response))
                if got != want:
                    failures.append(f"{method} {url} as {persona} on {label}: want {want}, got "
                                    f"{response.status_code} {response.content[:120]!r}")
                if before is not None and fingerprint() != before:
                    failures.append(f"{method} {url} as {persona} on {label}: refused, but data changed")
                transaction.set_rollback(True)
    assert not failures, "\n".join(failures)


def test_admin_site_refuses_non_staff(objs):
    from envgov.apps.accounts.models import User

    for persona in PERSONAS:
        for url in ("/admin/", "/admin/plans/task/", f"/admin/plans/task/{objs['task_unit_a'].pk}/change/"):
            r = objs["clients"][persona].get(url)
            assert r.status_code == 302 and r["Location"].startswith("/admin/login/"), (persona, url)
    staff = User.objects.create_user("staff", password="pw-12345-x", is_staff=True, is_superuser=True)
    c = Client()
    c.force_login(staff)
    assert c.get("/admin/").status_code == 200


def test_allowed_payloads_really_write(objs):
    """The 'refused → nothing changed' checks above mean something: the same forms, sent by someone
    allowed, do change the ledger."""
    for route, persona, label in [
        ("tasks/<int:task_id>/edit/", "coordinator", "task_unit_a"),
        ("tasks/<int:task_id>/", "unit_a", "task_unit_a"),
        ("reports/<int:report_id>/review/", "coordinator", "report_unit_a"),
        ("supervision/<int:item_id>/", "unit_a", "item_unit_a"),
        ("supervision/<int:item_id>/", "coordinator", "item_unit_b"),
        ("account/tokens/<int:token_id>/revoke/", "unit_a", "token_unit_a"),
        ("plans/import/<int:draft_id>/", "coordinator", "draft"),
        ("notices/<int:notice_id>/open/", "unit_a", "notice_unit_a"),
        ("notices/read-all/", "coordinator", None),
        ("notices/preferences/", "town_a", None),
        ("notices/channel/", "admin", None),
        ("account/password/", "unit_a", None),
        ("manage/users/new/", "admin", None),
        ("manage/users/<int:member_id>/", "admin", "unit_a"),
        ("manage/users/<int:member_id>/password/", "admin", "town_a"),
        ("manage/users/<int:member_id>/active/", "admin", "unit_a"),
        ("manage/units/new/", "admin", None),
        ("manage/units/<int:unit_id>/", "admin", "u_market"),
        ("manage/units/<int:unit_id>/merge/", "admin", "u_market"),
        ("manage/towns/new/", "admin", None),
        ("manage/towns/<int:town_id>/", "admin", "t_songzhuang"),
        ("manage/towns/<int:town_id>/active/", "admin", "t_songzhuang"),
        ("manage/stations/new/", "admin", None),
        ("manage/stations/<int:station_id>/", "admin", "station"),
        ("manage/stations/<int:station_id>/active/", "admin", "station"),
        ("circulars/generate/", "coordinator", None),
        ("circulars/<int:circular_id>/publish/", "coordinator", "circular_draft"),
        ("circulars/settings/", "admin", None),
        ("rankings/measures/save/", "coordinator", None),
        ("rankings/measures/import/", "admin", None),
        ("rankings/settings/save/", "coordinator", None),
        ("ecology/indices/", "coordinator", None),
        ("ecology/indices/import/", "admin", None),
        ("ecology/carbon/", "coordinator", None),
        ("ecology/carbon/base-year/", "coordinator", None),
        ("ecology/soil/farmland/", "coordinator", None),
        ("ecology/soil/construction/", "admin", None),
        ("ecology/parameters/", "coordinator", None),
        ("sources/enterprise/<int:enterprise_id>/", "town_a", "src_enterprise_a"),
        ("sources/outfall/<int:outfall_id>/", "coordinator", "src_outfall_b"),
        ("sources/add/", "town_a", None),
        ("sources/permit-audit/", "coordinator", None),
        ("projects/add/", "coordinator", None),
        ("projects/<int:project_id>/edit/", "coordinator", "project"),
        ("projects/<int:project_id>/payments/", "admin", "project"),
        ("projects/import/", "coordinator", None),
        ("projects/funds/new/", "coordinator", None),
        ("complaints/orders/<int:order_id>/sign/", "leader_a", "complaint_unit_a"),
        ("complaints/orders/<int:order_id>/visit/", "coordinator", "complaint_unit_b"),
        ("complaints/import/", "coordinator", None),
        ("complaints/rules/", "coordinator", None),
        ("keyareas/refresh/", "coordinator", None),
        ("keyareas/parameters/", "admin", None),
        ("keyareas/areas/<int:keyarea_id>/edit/", "coordinator", "keyarea"),
    ]:
        name = next(n for r, n, _ in PAGE_ROUTES if r == route)
        obj = objs[label] if label else None
        before = fingerprint()
        with transaction.atomic():
            objs["clients"][persona].post(fill(route, kwargs_for(route, obj)), _payload(name, obj, persona))
            assert fingerprint() != before, (route, persona)
            transaction.set_rollback(True)
    for path, persona, label in [
        ("/api/tasks/{}/progress", "town_a", "task_town_a"),
        ("/api/progress/{}/review", "coordinator", "report_town_a"),
        ("/api/supervision/{}/respond", "unit_a", "item_unit_a"),
        ("/api/supervision/{}/close", "admin", "item_unit_b"),
        ("/api/rankings/towns/{}/measures", "coordinator", "t_songzhuang"),
    ]:
        view = next(v for m, p, v in API_OPS if re.sub(r"\{\w+\}", "{}", p) == path and "POST" in m)
        c = Client()
        c.force_login(objs[persona])
        obj = objs[label]
        before = fingerprint()
        with transaction.atomic():
            r = c.post(path.format(obj.pk), json.dumps(_api_payload(view.__name__, obj)),
                       content_type="application/json")
            assert r.status_code in (200, 201) and fingerprint() != before, (path, persona, r.content)
            transaction.set_rollback(True)


def test_actions_refuse_objects_outside_scope(objs):
    """Even when a caller hands an action an object from another district, the action refuses it."""
    from django.core.exceptions import PermissionDenied

    from envgov.apps.plans import actions

    other = objs["other_coordinator"]
    task = objs["task_unit_a"]
    with pytest.raises(PermissionDenied):
        actions.update_task(task, {"title": "越权修改"}, expected_version=task.version, acting_user=other)
    with pytest.raises(PermissionDenied):
        actions.close_plan(objs["plan"], acting_user=other)
    with pytest.raises(PermissionDenied):
        supervision.open_supervision(objs["plan"], acting_user=other, title="越权督办", due_date=dt.date(2024, 6, 1),
                                 addressee_unit=objs["u_market"])
    with pytest.raises(PermissionDenied):
        actions.review_progress(objs["report_unit_a"], acting_user=other, accept=True, expected_version=1)
    with pytest.raises(PermissionDenied):
        supervision.close_supervision(objs["item_unit_a"], acting_user=other, note="x", expected_version=1)
    task.refresh_from_db()
    assert task.title == "抽检含VOCs产品" and task.version == 1
