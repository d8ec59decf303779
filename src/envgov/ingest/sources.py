"""The source inventory's Excel templates (污染源清单导入模板, decision 0030): the columns of each kind,
reading a filled template into records with located errors, and the duplicate keys (credit code,
normalised address). Plain Python, no Django: the app resolves towns and existing records.

A template is one sheet, header on row 1, one source a row. The first column 编号 is empty for a new
source and carries the platform's number on an exported row (so export → edit → import updates).
Cells are taken as written: a credit code in lower case, or with a wrong check character, is an error
(GB 32100 via `envgov.standards.codes`), never corrected; an address is kept as typed and only its
comparison key is normalised (full-width → half-width, spaces and punctuation removed, a leading
北京市 / district name dropped).
"""
from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from typing import Any

from envgov.catalogue import gettext_noop
from envgov.ingest import rows as R
from envgov.standards import codes

MSG_TOO_LONG = gettext_noop("超过 %(n)s 个字符")
MSG_NOT_INTEGER = gettext_noop("「%(value)s」不是整数")
MSG_NOT_BOOL = gettext_noop("「%(value)s」应为 是 或 否")
MSG_NOT_CHOICE = gettext_noop("「%(value)s」不是可选值（可选：%(choices)s）")
MSG_UNKNOWN_TOWN = gettext_noop("本区没有街乡镇「%(value)s」")
MSG_RANGE = gettext_noop("%(value)s 超出范围 %(low)s～%(high)s")
MSG_PERMIT_FORMAT = gettext_noop("排污许可证编号「%(value)s」应为 22 位：18 位统一社会信用代码 + 3 位数字 + 1 位大写字母")
MSG_PERMIT_REQUIRED = gettext_noop("重点管理、简化管理须填写排污许可证编号")
MSG_DATES_ORDER = gettext_noop("有效期至 %(end)s 早于生效日期 %(start)s")
MSG_BAD_ID = gettext_noop("「%(value)s」不是本区已有的编号（新增时请留空）")
MSG_SAME_IN_FILE = gettext_noop("与第 %(other_row)s 行的%(what)s相同（%(value)s）")
MSG_SAME_AS_EXISTING = gettext_noop("与已有记录（编号 %(id)s，%(name)s）的%(what)s相同；如需修改该记录，请在“编号”列填写 %(id)s")
MSG_SAME_ADDRESS_IN_FILE = gettext_noop("与第 %(other_row)s 行地址相同（疑似重复，已导入，请在“疑似重复”页核对）")
MSG_SAME_ADDRESS_EXISTING = gettext_noop("与已有记录（编号 %(id)s，%(name)s）地址相同（疑似重复，请在“疑似重复”页核对）")
WHAT_CODE = gettext_noop("统一社会信用代码")
WHAT_OUTFALL = gettext_noop("排污口编码")
MAX_INT = 1_000_000_000  # a count no source reaches; keeps the column in range
MAX_FLOAT = 1e12
PERMIT_NUMBER = re.compile(r"^[0-9A-Z]{18}\d{3}[A-Z]$")  # sources.md §2 (HJ 608-2017 22-char code)

TRUE = {"是", "有", "y", "yes", "true", "1", "√", "已安装", "已备案"}
FALSE = {"否", "无", "n", "no", "false", "0", "×", "未安装", "未备案"}


@dataclass(frozen=True)
class Field:
    key: str  # model field (or a pseudo field the app resolves: town, receiving_water, …)
    names: tuple[str, ...]  # headers: the first is the template's
    type: str = "text"  # text int float date bool choice credit_code town lon lat id
    required: bool = False
    choices: tuple[tuple[str, str], ...] = ()  # (value, label)
    max_length: int = 200
    width: int = 14


@dataclass(frozen=True)
class Kind:
    slug: str
    label: str  # msgid
    fields: tuple[Field, ...]
    code_field: str = ""  # the field two rows may not share (credit code, outfall code)
    code_what: str = WHAT_CODE

    def field(self, key: str) -> Field:
        return next(f for f in self.fields if f.key == key)


PERMIT_CLASSES = (("key", gettext_noop("重点管理")), ("simplified", gettext_noop("简化管理")),
                  ("registration", gettext_noop("登记管理")))
GRADES = (("A", "A"), ("B", "B"), ("C", "C"), ("D", "D"))
SITE_STAGES = (("earthwork", gettext_noop("土石方")), ("foundation", gettext_noop("基础施工")),
               ("structure", gettext_noop("主体结构")), ("finishing", gettext_noop("装饰装修")),
               ("demolition", gettext_noop("拆除")), ("suspended", gettext_noop("停工")),
               ("completed", gettext_noop("完工")))
EMISSION_STAGES = (("1", gettext_noop("国一")), ("2", gettext_noop("国二")), ("3", gettext_noop("国三")),
                   ("4", gettext_noop("国四")), ("0", gettext_noop("国一以前")))
SOIL_STATUS = (("ledger", gettext_noop("筛查台账")), ("suspected", gettext_noop("疑似污染地块")),
               ("investigated", gettext_noop("已完成调查")), ("polluted", gettext_noop("污染地块")),
               ("controlled", gettext_noop("风险管控/修复中")), ("closed", gettext_noop("已移出")))
RADIATION_CLASSES = (("source_1", gettext_noop("Ⅰ类放射源")), ("source_2", gettext_noop("Ⅱ类放射源")),
                     ("source_3", gettext_noop("Ⅲ类放射源")), ("source_4", gettext_noop("Ⅳ类放射源")),
                     ("source_5", gettext_noop("Ⅴ类放射源")), ("device_1", gettext_noop("Ⅰ类射线装置")),
                     ("device_2", gettext_noop("Ⅱ类射线装置")), ("device_3", gettext_noop("Ⅲ类射线装置")))
RISK_LEVELS = (("general", gettext_noop("一般")), ("larger", gettext_noop("较大")), ("major", gettext_noop("重大")))

ID = Field("id", ("编号", "id"), "id", width=8)
COMMON = (
    Field("name", ("名称", "单位名称", "name"), required=True, max_length=120, width=28),
    Field("town", ("街乡镇", "所在街乡镇", "town"), "town", required=True, width=12),
    Field("address", ("地址", "详细地址", "address"), max_length=200, width=32),
    Field("lon", ("经度", "lon"), "lon", width=10),
    Field("lat", ("纬度", "lat"), "lat", width=10),
)
NOTES = Field("notes", ("备注", "notes"), max_length=500, width=20)
CREDIT = Field("credit_code", ("统一社会信用代码", "credit_code"), "credit_code", width=22)

KINDS: dict[str, Kind] = {k.slug: k for k in (
    Kind("enterprise", gettext_noop("企业"), (ID, *COMMON, replace(CREDIT, required=True),
         Field("industry", ("行业", "所属行业")), Field("industry_code", ("行业代码", "国民经济行业代码"), max_length=10),
         Field("permit_class", ("排污许可管理类别", "管理类别"), "choice", choices=PERMIT_CLASSES),
         Field("permit_number", ("排污许可证编号", "许可证编号/登记编号", "登记编号"), max_length=40, width=26),
         Field("permit_valid_from", ("许可证生效日期", "发证日期"), "date"),
         Field("permit_valid_to", ("许可证有效期至", "有效期至"), "date"),
         Field("key_industry", ("重点行业",), "bool"),
         Field("emergency_grade", ("应急减排绩效分级", "绩效分级"), "choice", choices=GRADES),
         Field("monitoring_points", ("在线监控点位MN", "在线监控点位"), max_length=300), NOTES),
         code_field="credit_code"),
    Kind("site", gettext_noop("建筑工地"), (ID, *COMMON, Field("builder", ("建设单位",), max_length=120),
         Field("contractor", ("施工单位",), max_length=120), Field("area_m2", ("占地面积（平方米）", "面积"), "float"),
         Field("stage", ("施工阶段",), "choice", choices=SITE_STAGES),
         Field("dust_monitor", ("扬尘在线监测",), "bool"), Field("dust_monitor_mn", ("监测设备编号",), max_length=40),
         Field("video", ("视频监控",), "bool"), Field("start_date", ("开工日期",), "date"),
         Field("end_date", ("计划完工日期",), "date"), NOTES)),
    Kind("catering", gettext_noop("餐饮单位"), (ID, *COMMON, CREDIT,
         Field("fume_cleaner", ("油烟净化设施",), "bool"), Field("cleaner_model", ("净化设施型号",), max_length=60),
         Field("last_cleaned", ("最近清洗日期",), "date"), NOTES), code_field="credit_code"),
    Kind("fleet", gettext_noop("柴油货车用车大户"), (ID, *COMMON, CREDIT,
         Field("own_vehicles", ("自有车辆数",), "int", required=True), Field("daily_trips", ("日使用车辆（辆次）",), "int"),
         Field("contact", ("联系人",), max_length=60), NOTES), code_field="credit_code"),
    Kind("machinery", gettext_noop("非道路移动机械"), (ID, *COMMON, Field("owner", ("所属单位",), max_length=120),
         Field("machine_type", ("机械类型",), max_length=40), Field("registration_code", ("环保登记编码",), max_length=40),
         Field("emission_stage", ("排放阶段",), "choice", choices=EMISSION_STAGES),
         Field("fuel", ("燃料",), max_length=20), Field("power_kw", ("额定功率（千瓦）",), "float"),
         Field("made_year", ("生产年份",), "int"), NOTES), code_field="registration_code", code_what=gettext_noop("环保登记编码")),
    Kind("outfall", gettext_noop("入河排污口"), (ID, *COMMON, Field("code", ("排污口编码",), required=True, max_length=40),
         Field("outfall_type", ("排污口类型",), max_length=40),
         Field("receiving_water", ("受纳水体",), required=True, max_length=80),
         Field("channel", ("排污通道",), max_length=80), Field("channel_kind", ("通道类型",), max_length=20),
         Field("discharger_code", ("排污单位统一社会信用代码",), "credit_code"), NOTES),
         code_field="code", code_what=WHAT_OUTFALL),
    Kind("soil", gettext_noop("土壤地块"), (ID, *COMMON, Field("plot_code", ("地块编码",), max_length=40),
         Field("land_use", ("用地性质",), max_length=40), Field("area_m2", ("面积（平方米）",), "float"),
         Field("former_industry", ("原行业",), max_length=60),
         Field("status", ("筛查状态",), "choice", required=True, choices=SOIL_STATUS),
         Field("priority", ("列入优先监管清单",), "bool"), Field("listed_on", ("列入日期",), "date"),
         Field("reviewed_on", ("清单核实日期",), "date"), NOTES), code_field="plot_code", code_what=gettext_noop("地块编码")),
    Kind("radiation", gettext_noop("辐射源"), (ID, *COMMON, Field("licence_number", ("辐射安全许可证号",), max_length=40),
         Field("source_class", ("类别",), "choice", required=True, choices=RADIATION_CLASSES),
         Field("nuclide_or_device", ("核素/装置名称",), max_length=60), Field("quantity", ("数量",), "int"), NOTES)),
    Kind("hazchem", gettext_noop("危险化学品环境风险源"), (ID, *COMMON, CREDIT,
         Field("chemicals", ("主要危险化学品",), max_length=200), Field("max_storage_t", ("最大储存量（吨）",), "float"),
         Field("risk_level", ("环境风险等级",), "choice", choices=RISK_LEVELS),
         Field("plan_filed", ("应急预案备案",), "bool"), NOTES), code_field="credit_code"),
)}


def columns(kind: Kind) -> list[R.Column]:
    return [R.Column(f.key, f.names, required=f.required) for f in kind.fields]


# ---------------------------------------------------------------- addresses

_PUNCT = re.compile(r"[\s\-—–_·.,，。、;；:：()（）\[\]【】#＃'\"“”‘’/\\]+")


def normalise_address(address: str, district_name: str = "") -> str:
    """The comparison key of an address (never shown in place of it)."""
    s = unicodedata.normalize("NFKC", address or "").lower()
    s = _PUNCT.sub("", s)
    for prefix in ("北京市", "北京"):
        if s.startswith(prefix):
            s = s[len(prefix):]
    if district_name and s.startswith(district_name):
        s = s[len(district_name):]
    return s


# ---------------------------------------------------------------- converting cells

def _convert(f: Field, raw: Any, towns: Mapping[str, int]) -> Any:
    if f.type == "id":
        v = R.number(raw)
        if not float(v).is_integer():
            raise R.CellProblem(MSG_NOT_INTEGER, value=raw)
        return int(v)
    if f.type == "int":
        v = R.number(raw, f.names[0])
        if not float(v).is_integer():
            raise R.CellProblem(MSG_NOT_INTEGER, value=raw)
        if v > MAX_INT:
            raise R.CellProblem(MSG_RANGE, value=raw, low=0, high=MAX_INT)
        return int(v)
    if f.type == "float":
        v = R.number(raw, f.names[0])
        if v > MAX_FLOAT:
            raise R.CellProblem(MSG_RANGE, value=raw, low=0, high=f"{MAX_FLOAT:g}")
        return v
    if f.type in ("lon", "lat"):
        v = R.number(raw, negative_ok=True)
        low, high = (-180, 180) if f.type == "lon" else (-90, 90)
        if not low <= v <= high:
            raise R.CellProblem(MSG_RANGE, value=raw, low=low, high=high)
        return v
    if f.type == "date":
        return R.local_time(raw)[0].date()
    if f.type == "bool":
        s = R.text(raw).lower()
        if s in TRUE:
            return True
        if s in FALSE:
            return False
        raise R.CellProblem(MSG_NOT_BOOL, value=raw)
    s = R.text(raw)
    if f.type == "choice":
        for value, label in f.choices:
            if s in (value, label):
                return value
        raise R.CellProblem(MSG_NOT_CHOICE, value=s, choices="、".join(label for _v, label in f.choices))
    if f.type == "credit_code":
        p = codes.problem(s)
        if p is not None:
            raise R.CellProblem(p.template, **p.values)
        return s
    if f.type == "town":
        if s not in towns:
            raise R.CellProblem(MSG_UNKNOWN_TOWN, value=s)
        return towns[s]
    if len(s) > f.max_length:
        raise R.CellProblem(MSG_TOO_LONG, n=f.max_length)
    return s


@dataclass
class Existing:
    """What the app knows of the district's records of a kind: id → (name, code, address key)."""

    records: dict[int, tuple[str, str, str]]


def parse(kind: Kind, rows: R.Rows, towns: Mapping[str, int], existing: Existing,
          district_name: str = "") -> list[tuple[int, dict[str, Any]]]:
    """Converted records (row number, values) — all of them, or none when `rows` gains any error.
    Values of an empty optional cell are the field's empty value ("" / None / False); `id` is None for new."""
    out: list[tuple[int, dict[str, Any]]] = []
    seen_code: dict[str, int] = {}
    seen_address: dict[str, int] = {}
    by_code = {c: (i, n) for i, (n, c, _a) in existing.records.items() if c}
    by_address = defaultdict(list)
    for i, (n, _c, a) in existing.records.items():
        if a:
            by_address[a].append((i, n))
    for n, rec in rows.rows:
        values: dict[str, Any] = {}
        ok = True
        for f in kind.fields:
            v, good = R.take(rows, n, rec, f.key, lambda raw, f=f: _convert(f, raw, towns), required=f.required)
            ok &= good
            if v is None and f.type not in ("id", "int", "float", "date", "lon", "lat", "town"):
                v = False if f.type == "bool" else ""
            values[f.key] = v
        if not ok:
            continue
        ok = _row_rules(kind, rows, n, values)
        rid = values["id"]
        if rid is not None and rid not in existing.records:
            rows.error(n, "id", MSG_BAD_ID, value=rid)
            ok = False
        code = values.get(kind.code_field) if kind.code_field else ""
        if code:
            if code in seen_code:
                rows.error(n, kind.code_field, MSG_SAME_IN_FILE, other_row=seen_code[code], what=kind.code_what, value=code)
                ok = False
            elif code in by_code and by_code[code][0] != rid:
                other, name = by_code[code]
                rows.error(n, kind.code_field, MSG_SAME_AS_EXISTING, id=other, name=name, what=kind.code_what)
                ok = False
            seen_code.setdefault(code, n)
        key = normalise_address(values.get("address") or "", district_name)
        if key:
            if key in seen_address:
                rows.warnings.append(R.cell_error(n, rows.headers.get("address", "address"), MSG_SAME_ADDRESS_IN_FILE,
                                                  other_row=seen_address[key]))
            else:
                for other, name in by_address.get(key, []):
                    if other != rid:
                        rows.warnings.append(R.cell_error(n, rows.headers.get("address", "address"),
                                                          MSG_SAME_ADDRESS_EXISTING, id=other, name=name))
                        break
            seen_address.setdefault(key, n)
        values["address_key"] = key
        if ok:
            out.append((n, values))
    return [] if rows.errors else out


def _row_rules(kind: Kind, rows: R.Rows, n: int, v: dict[str, Any]) -> bool:
    ok = True
    if (v.get("lon") is None) != (v.get("lat") is None):
        rows.error(n, "lat" if v.get("lat") is None else "lon", gettext_noop("经度和纬度须同时填写或同时留空"))
        ok = False
    if kind.slug == "enterprise":
        for problem in permit_problems(v.get("permit_class") or "", v.get("permit_number") or "",
                                       v.get("permit_valid_from"), v.get("permit_valid_to")):
            rows.error(n, problem[0], problem[1], **problem[2])
            ok = False
    return ok


def permit_problems(permit_class: str, number: str, valid_from: dt.date | None,
                    valid_to: dt.date | None) -> list[tuple[str, str, dict[str, object]]]:
    """(field, msgid, values) of each problem of an enterprise's permit columns."""
    out: list[tuple[str, str, dict[str, object]]] = []
    if permit_class in ("key", "simplified"):
        if not number:
            out.append(("permit_number", MSG_PERMIT_REQUIRED, {}))
        elif not PERMIT_NUMBER.match(number):
            out.append(("permit_number", MSG_PERMIT_FORMAT, {"value": number}))
    if valid_from and valid_to and valid_to < valid_from:
        out.append(("permit_valid_to", MSG_DATES_ORDER, {"start": valid_from.isoformat(), "end": valid_to.isoformat()}))
    return out


# ---------------------------------------------------------------- duplicates

@dataclass(frozen=True)
class Group:
    reason: str  # "code" or "address"
    value: str
    ids: tuple[int, ...]


def duplicate_groups(records: Iterable[tuple[int, str, str]]) -> list[Group]:
    """Groups of ≥ 2 records sharing a code or an address key; records are (id, code, address key)."""
    by_code: dict[str, list[int]] = defaultdict(list)
    by_address: dict[str, list[int]] = defaultdict(list)
    for rid, code, key in records:
        if code:
            by_code[code].append(rid)
        if key:
            by_address[key].append(rid)
    out = [Group("code", c, tuple(sorted(ids))) for c, ids in by_code.items() if len(ids) > 1]
    out += [Group("address", a, tuple(sorted(ids))) for a, ids in by_address.items() if len(ids) > 1]
    return sorted(out, key=lambda g: (g.reason, g.value))
