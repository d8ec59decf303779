"""The audit log as people read it: Chinese action and field names, names instead of ids, local times.

One path for the page and the .xlsx export: `describe(entries)` resolves a page of entries with one query
per related model.
"""
from __future__ import annotations

import datetime as dt
import json
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from envgov.apps.audit.models import AuditLog

# every action code written by audit.record (tests/apps/test_audit.py checks that none is missing)
ACTIONS: dict[str, Any] = {
    "create": gettext_lazy("创建"),
    "import": gettext_lazy("导入计划"),
    "issue": gettext_lazy("印发"),
    "close": gettext_lazy("关闭/销号"),
    "update": gettext_lazy("修改"),
    "assign": gettext_lazy("分配牵头单位"),
    "submit": gettext_lazy("提交进展"),
    "resubmit": gettext_lazy("重新提交进展"),
    "accept": gettext_lazy("审核通过"),
    "return": gettext_lazy("退回修改"),
    "quantity": gettext_lazy("更新完成量"),
    "complete": gettext_lazy("完成任务"),
    "open": gettext_lazy("发起督办"),
    "respond": gettext_lazy("反馈督办"),
    "compute": gettext_lazy("自动计算"),
    "set_parameter": gettext_lazy("设置标准参数"),
    "withdraw": gettext_lazy("撤回进展"),
    "comment": gettext_lazy("留言"),
    "reopen": gettext_lazy("重新督办"),
    "escalate": gettext_lazy("督办升级"),
    "progress": gettext_lazy("更新任务进度"),
    "enter_actual": gettext_lazy("填报目标实际值"),
    "channel": gettext_lazy("设置通知渠道"),
    "delete": gettext_lazy("删除"),
    "user_create": gettext_lazy("新建用户"),
    "user_update": gettext_lazy("修改用户"),
    "password_reset": gettext_lazy("重置密码"),
    "password_change": gettext_lazy("修改密码"),
    "user_activate": gettext_lazy("启用用户"),
    "user_deactivate": gettext_lazy("停用用户"),
    "unit_create": gettext_lazy("新建单位"),
    "unit_update": gettext_lazy("修改单位"),
    "unit_merge": gettext_lazy("合并单位"),
    "town_create": gettext_lazy("新建街乡镇"),
    "town_update": gettext_lazy("修改街乡镇"),
    "town_activate": gettext_lazy("启用街乡镇"),
    "town_deactivate": gettext_lazy("停用街乡镇"),
    "town_boundary_derive": gettext_lazy("生成街乡镇示意边界"),
    "town_boundary_import": gettext_lazy("导入街乡镇边界"),
    "station_placed": gettext_lazy("站点按边界归属街乡镇"),
    "station_create": gettext_lazy("新建监测站点"),
    "station_update": gettext_lazy("修改监测站点"),
    "station_activate": gettext_lazy("启用监测站点"),
    "station_deactivate": gettext_lazy("停用监测站点"),
    "import_finish": gettext_lazy("完成监测数据导入"),
    "import_undo": gettext_lazy("撤销监测数据导入"),
    "login_unthrottle": gettext_lazy("解除登录限制"),
    "totp_enable": gettext_lazy("启用两步验证"),
    "totp_disable": gettext_lazy("关闭两步验证"),
    "totp_reset": gettext_lazy("清除两步验证"),
    "exceptional_day": gettext_lazy("标记沙尘日"),
    "water_import": gettext_lazy("导入水质数据"),
    "water_section_create": gettext_lazy("新建水质断面"),
    "water_section_update": gettext_lazy("修改水质断面"),
    "water_section_kind_rule": gettext_lazy("水质断面类型按规则判定"),
    "emergency_list_import": gettext_lazy("导入应急减排清单"),
    "emergency_measures_import": gettext_lazy("导入减排措施表"),
    "emergency_measure_set": gettext_lazy("设置减排措施"),
    "emergency_measure_clear": gettext_lazy("清除减排措施"),
    "emergency_warning_start": gettext_lazy("启动重污染预警"),
    "emergency_warning_end": gettext_lazy("解除重污染预警"),
    "emergency_checkin": gettext_lazy("巡查打卡"),
    "compensation_parameter_clear": gettext_lazy("清除补偿参数"),
    "circular_generate": gettext_lazy("生成通报"),
    "circular_regenerate": gettext_lazy("重新生成通报"),
    "circular_publish": gettext_lazy("发布通报"),
    "circular_settings": gettext_lazy("设置通报发文机关和文号"),
    "decompose": gettext_lazy("分解目标到街乡镇"),
    "online_point_create": gettext_lazy("登记在线监控点位"),
    "online_point_update": gettext_lazy("修改在线监控点位"),
    "online_limit_save": gettext_lazy("设置许可限值"),
    "online_limit_delete": gettext_lazy("删除许可限值"),
    "online_alerts_record": gettext_lazy("记录在线监控报警"),
    "online_alert_supervise": gettext_lazy("在线监控报警转督办"),
    "online_rule_set": gettext_lazy("设置自动转督办规则"),
    "noise_import": gettext_lazy("导入噪声监测数据"),
    "noise_point_create": gettext_lazy("新建噪声监测点位"),
    "noise_point_update": gettext_lazy("修改噪声监测点位"),
    "noise_zone_import": gettext_lazy("导入噪声敏感建筑物集中区域"),
    "noise_zone_delete": gettext_lazy("删除噪声敏感建筑物集中区域"),
    "disclosure_create": gettext_lazy("新增公开信息"),
    "disclosure_update": gettext_lazy("修改公开信息"),
    "ecology_index_save": gettext_lazy("录入生态环境状况分指数"),
    "ecology_index_import": gettext_lazy("导入生态环境状况分指数"),
    "carbon_year_save": gettext_lazy("录入碳排放和地区生产总值"),
    "carbon_base_year": gettext_lazy("设定碳排放强度基准年"),
    "farmland_ledger_save": gettext_lazy("录入受污染耕地安全利用台账"),
    "construction_ledger_save": gettext_lazy("录入重点建设用地安全利用台账"),
    "source_create": gettext_lazy("登记污染源"),
    "source_update": gettext_lazy("修改污染源"),
    "source_import": gettext_lazy("导入污染源清单"),
    "source_import_create": gettext_lazy("导入新增污染源"),
    "source_import_update": gettext_lazy("导入更新污染源"),
    "source_cleaning_add": gettext_lazy("登记油烟净化设施清洗"),
    "permit_report_create": gettext_lazy("登记排污许可执行报告"),
    "permit_report_update": gettext_lazy("修改排污许可执行报告"),
    "permit_report_select": gettext_lazy("抽取执行报告待审核"),
    "project_create": gettext_lazy("登记项目"),
    "project_update": gettext_lazy("修改项目"),
    "project_reductions": gettext_lazy("修改项目减排量"),
    "project_import": gettext_lazy("导入项目库"),
    "project_payment": gettext_lazy("登记项目支付"),
    "fund_allocate": gettext_lazy("专项资金分配"),
    "complaint_import": gettext_lazy("导入接诉即办工单"),
    "complaint_import_fill": gettext_lazy("导入补充工单"),
    "complaint_assign": gettext_lazy("工单派单"),
    "complaint_sign": gettext_lazy("工单签收"),
    "complaint_reply": gettext_lazy("工单答复"),
    "complaint_visit": gettext_lazy("登记回访结果"),
    "complaint_update": gettext_lazy("更正工单类别和街乡镇"),
    "complaint_reopen": gettext_lazy("重启工单"),
    "complaint_rules": gettext_lazy("修改诉求类别规则"),
    "complaint_repeat_supervise": gettext_lazy("重复投诉转为督办"),
    "keyareas_area_create": gettext_lazy("划定重点区域"),
    "keyareas_area_update": gettext_lazy("修改重点区域范围"),
    "keyareas_zones_import": gettext_lazy("导入严控区"),
    "keyareas_parameters_set": gettext_lazy("设定重点区域测算参数"),
    "keyareas_refresh": gettext_lazy("更新重点区域污染源台账"),
    "keyareas_measure_check": gettext_lazy("确认工地措施落实"),
}
# the same code reads differently on some subjects
ACTIONS_BY_SUBJECT: dict[tuple[str, str], Any] = {
    ("supervisionitem", "close"): gettext_lazy("销号"),
    ("plan", "close"): gettext_lazy("关闭计划"),
    ("task", "close"): gettext_lazy("统筹关闭任务"),
    ("taskparty", "complete"): gettext_lazy("责任方销号"),
    ("compensationparameter", "set_parameter"): gettext_lazy("设置补偿参数"),
    ("waterparameter", "set_parameter"): gettext_lazy("设置水质评价参数"),
    ("noiseparameter", "set_parameter"): gettext_lazy("设置噪声评价参数"),
    ("ecologyparameter", "set_parameter"): gettext_lazy("设置生态碳土壤参数"),
    ("complaintparameter", "set_parameter"): gettext_lazy("设置三率参数"),
    ("outlooksetting", "set_parameter"): gettext_lazy("设置研判参数"),
    ("rankingsettings", "set_parameter"): gettext_lazy("设置排名规则"),
    ("siteweighting", "set_parameter"): gettext_lazy("设置站点权重"),
}
HIDDEN_FIELDS = {"id", "version"}


def action_label(action: str, model_name: str = "") -> str:
    label = ACTIONS_BY_SUBJECT.get((model_name, action)) or ACTIONS.get(action)
    return str(label) if label is not None else _("其他操作")


def subject_label(entry: AuditLog) -> str:
    model = entry.content_type.model_class()
    return str(model._meta.verbose_name) if model is not None else _("已删除的对象类型")


@dataclass
class Change:
    label: str
    before: str
    after: str


@dataclass
class Row:
    id: int
    at: dt.datetime  # local time
    actor: str
    action: str
    subject_type: str
    subject: str
    changes: list[Change] = field(default_factory=list)
    note: str = ""


def _field(model: type[models.Model] | None, name: str) -> models.Field | None:
    if model is None:
        return None
    try:
        return model._meta.get_field(name)
    except FieldDoesNotExist:
        return None


def _related_ids(model, values: dict) -> Iterable[tuple[type[models.Model], Any]]:  # noqa: ANN001
    for name, value in (values or {}).items():
        f = _field(model, name)
        if f is None or not f.is_relation or value in (None, "", []):
            continue
        for pk in value if isinstance(value, list) else [value]:
            yield f.related_model, pk


def _text(f: models.Field | None, value: Any, names: dict) -> str:
    if value is None or value == "":
        return ""
    if f is not None and f.is_relation:
        pks = value if isinstance(value, list) else [value]
        shown = [names.get((f.related_model, pk)) or _("已删除（编号%(pk)s）") % {"pk": pk} for pk in pks]
        return "、".join(shown) if shown else _("（无）")
    if isinstance(value, list) and not value:
        return _("（无）")
    if f is not None and f.choices:
        return str(dict(f.flatchoices).get(value, value))
    if isinstance(f, models.BooleanField) or isinstance(value, bool):
        return _("是") if value else _("否")
    if isinstance(f, models.DateTimeField) and isinstance(value, str):
        try:
            return f"{timezone.localtime(dt.datetime.fromisoformat(value)):%Y-%m-%d %H:%M}"
        except ValueError:
            return value
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def describe(entries: Iterable[AuditLog]) -> list[Row]:
    entries = list(entries)
    wanted: dict[type[models.Model], set] = defaultdict(set)
    for e in entries:
        model = e.content_type.model_class()
        for values in (e.before, e.after):
            if isinstance(values, dict):
                for related, pk in _related_ids(model, values):
                    wanted[related].add(pk)
    names: dict[tuple[type[models.Model], Any], str] = {}
    for related, pks in wanted.items():
        for obj in related._default_manager.filter(pk__in=pks):
            names[(related, obj.pk)] = getattr(obj, "display_name", None) or str(obj)  # a user by name
    rows = []
    for e in entries:
        model = e.content_type.model_class()
        before = e.before if isinstance(e.before, dict) else {}
        after = e.after if isinstance(e.after, dict) else {}
        changes = []
        for name in [k for k in {**before, **after} if k not in HIDDEN_FIELDS]:
            f = _field(model, name)
            label = str(f.verbose_name) if f is not None and f.verbose_name else name
            changes.append(Change(label, _text(f, before.get(name), names), _text(f, after.get(name), names)))
        rows.append(Row(
            id=e.pk, at=timezone.localtime(e.at),
            actor=(e.actor.display_name if e.actor_id else _("系统")),
            action=action_label(e.action, e.content_type.model), subject_type=subject_label(e),
            subject=e.object_repr, changes=changes, note=e.note,
        ))
    return rows
