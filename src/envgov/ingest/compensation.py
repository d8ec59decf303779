"""Input of the cross-boundary compensation ledger (`envgov.rules.compensation`): the section table and the
sections' water values, from CSV or XLSX (first sheet), with located Chinese errors; all-or-nothing.

**Section table** (one row per cross-boundary section; English or Chinese headers):

    code,name,river,kind,target,payer,receiver,inflow
    断面编码,断面名称,河流,水体类型,目标类别,补偿方,受偿方,入境断面

code, target, payer (upstream district or town, pays), receiver (downstream, receives) are required;
kind is river/lake (河流/湖库, 湖泊, 水库) and, when the column or the cell is empty, a river (what the
section's TP limits are); inflow is the code of the section where the river enters the payer's area
(empty: the water originates there). target: Ⅰ～Ⅴ or 1～5.

**Values** — the canonical template `site,time,parameter,value,unit` (监测断面,时间,项目,数值,单位):
site = a section code of the table, time = YYYY-MM, a date or a date and time, parameter = a lower-case water
code (cod, codmn, nh3n, tp, …), value in the parameter's unit (mg/L; no silent conversion — a unit the
registry does not list is an error). Several samples in a month: their arithmetic mean (评价办法 §2.2),
computed by `envgov.engine.water.period_means`. Identical repeated rows are dropped and counted; the same
section, time and parameter with different values is an error.
"""
from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

from envgov.catalogue import gettext_noop
from envgov.ingest.report import ImportReport
from envgov.rules.compensation import MonthValue, Reason, Section
from envgov.standards.water.tables import LABEL_CLASSES, LAKE, RIVER

SECTION_COLUMNS: dict[str, tuple[str, ...]] = {
    "code": ("code", "断面编码", "编码"),
    "name": ("name", "断面名称", "名称"),
    "river": ("river", "河流", "所在河流"),
    "kind": ("kind", "水体类型", "类型"),
    "target": ("target", "目标类别", "考核目标", "水质目标"),
    "payer": ("payer", "补偿方", "上游"),
    "receiver": ("receiver", "受偿方", "下游"),
    "inflow": ("inflow", "入境断面"),
}
SECTION_REQUIRED = ("code", "target", "payer", "receiver")
VALUE_COLUMNS: dict[str, tuple[str, ...]] = {
    "site": ("site", "监测断面", "断面编码", "断面"),
    "time": ("time", "时间", "监测时间"),
    "parameter": ("parameter", "项目", "监测项目"),
    "value": ("value", "数值", "浓度"),
    "unit": ("unit", "单位"),
}
KIND_WORDS = {"river": RIVER, "河流": RIVER, "河": RIVER, "lake": LAKE, "湖库": LAKE, "湖泊": LAKE, "水库": LAKE,
              "湖": LAKE, "reservoir": LAKE}
MISSING = ("", "na", "n/a", "--", "*")
_ROMAN = {"I": 1, "II": 2, "III": 3, "IV": 4, "V": 5}
_TIME = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})(?:\s*[-/.月]\s*(\d{1,2})\s*日?(?:[ T]+(\d{1,2}):(\d{2})(?::(\d{2}))?)?)?\s*月?$")


def _read(path: Path, report: ImportReport) -> tuple[list[str], Iterator[tuple[int, list[Any]]]] | None:
    from envgov.ingest.hourly import _read_table  # the ingest readers' CSV/XLSX reader (row numbers as shown)

    if not path.exists():
        report.error(None, None, str(Reason(gettext_noop("文件不存在"))))
        return None
    try:
        return _read_table(path)
    except Exception as exc:  # noqa: BLE001 - any unreadable file is the user's file problem
        report.error(None, None, str(Reason(gettext_noop("无法读取（应为 CSV 或 XLSX）：%(why)s"),
                                            {"why": str(exc).splitlines()[0][:200] if str(exc) else type(exc).__name__})))
        return None


def _columns(header: list[str], names: Mapping[str, tuple[str, ...]], required: tuple[str, ...],
             report: ImportReport) -> dict[str, int] | None:
    where: dict[str, int] = {}
    for i, h in enumerate(header):
        h = h.strip()
        if not h:
            continue
        key = next((k for k, aliases in names.items() if h in aliases or h.lower() in aliases), None)
        if key is None:
            allowed = "、".join(a for k in names for a in names[k][:2])
            report.error(1, h, str(Reason(gettext_noop("未知列（可用列：%(allowed)s）"), {"allowed": allowed})))
        elif key in where:
            report.error(1, h, str(Reason(gettext_noop("与第 %(n)s 列重复"), {"n": where[key] + 1})))
        else:
            where[key] = i
    for key in required:
        if key not in where:
            report.error(1, names[key][0], str(Reason(gettext_noop("缺少必填列 %(col)s（或 %(zh)s）"),
                                                        {"col": names[key][0], "zh": names[key][1]})))
    return where if report.ok else None


def _text(v: Any) -> str:
    if v is None:
        return ""
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v).strip()


def parse_target(text: str) -> int | None:
    """Ⅰ～Ⅴ, I～V or 1～5 → 1–5; None otherwise (劣Ⅴ is no target)."""
    t = text.strip().removesuffix("类").strip()
    if t in LABEL_CLASSES and LABEL_CLASSES[t] <= 5:
        return LABEL_CLASSES[t]
    if t.upper() in _ROMAN:
        return _ROMAN[t.upper()]
    return int(t) if re.fullmatch(r"[1-5]", t) else None


def read_sections(path: Path | str) -> tuple[dict[str, Section] | None, ImportReport]:
    """The section table; (None, report with located errors) when anything is wrong."""
    path = Path(path)
    report = ImportReport(file=path.name, profile="compensation-sections", reader="row")
    got = _read(path, report)
    if got is None:
        return None, report
    header, rows = got
    cols = _columns(header, SECTION_COLUMNS, SECTION_REQUIRED, report)
    if cols is None:
        return None, report
    names = {k: header[i] for k, i in cols.items()}
    raw: list[tuple[int, dict[str, str]]] = []
    for n, cells in rows:
        rec = {k: _text(cells[i]) if i < len(cells) else "" for k, i in cols.items()}
        if any(rec.values()):
            raw.append((n, rec))
    report.rows_read = len(raw)
    out: dict[str, Section] = {}
    seen: dict[str, int] = {}
    for n, rec in raw:
        code = rec["code"]
        if not code:
            report.error(n, names["code"], str(Reason(gettext_noop("断面编码为空"))))
            continue
        if code in seen:
            report.error(n, names["code"], str(Reason(gettext_noop("断面“%(code)s”重复（第 %(row)s 行已有）"),
                                                        {"code": code, "row": seen[code]})))
            continue
        seen[code] = n
        ok = True
        target = parse_target(rec["target"])
        if not rec["target"]:
            report.error(n, names["target"], str(Reason(gettext_noop("断面“%(code)s”没有目标类别"), {"code": code})))
            ok = False
        elif target is None:
            report.error(n, names["target"], str(Reason(gettext_noop("“%(value)s”不是目标水质类别（应为 Ⅰ～Ⅴ 或 1～5）"),
                                                          {"value": rec["target"]})))
            ok = False
        kind = RIVER
        if rec.get("kind"):
            kind = KIND_WORDS.get(rec["kind"].lower(), "")
            if not kind:
                report.error(n, names["kind"], str(Reason(gettext_noop("“%(value)s”不是水体类型（应为 river/lake 或 河流/湖库）"),
                                                            {"value": rec["kind"]})))
                ok = False
        for k, msg in (("payer", gettext_noop("补偿方（上游区或乡镇）为空")),
                       ("receiver", gettext_noop("受偿方（下游区或乡镇）为空"))):
            if not rec[k]:
                report.error(n, names[k], str(Reason(msg)))
                ok = False
        if ok and rec["payer"] == rec["receiver"]:
            report.error(n, names["receiver"], str(Reason(gettext_noop("受偿方与补偿方相同（%(who)s）"), {"who": rec["payer"]})))
            ok = False
        if ok:
            out[code] = Section(code=code, target=target, payer=rec["payer"], receiver=rec["receiver"],  # type: ignore[arg-type]
                                name=rec.get("name", ""), river=rec.get("river", ""), kind=kind,
                                inflow=rec.get("inflow") or None, row=n)
    for code, sec in out.items():
        if sec.inflow is None:
            continue
        if sec.inflow == code:
            report.error(sec.row, names["inflow"], str(Reason(gettext_noop("入境断面不能是本断面"))))
        elif sec.inflow not in seen:
            report.error(sec.row, names["inflow"], str(Reason(gettext_noop("入境断面“%(code)s”不在断面表中"),
                                                                {"code": sec.inflow})))
    if not report.ok:
        return None, report
    if not out:
        report.error(None, None, str(Reason(gettext_noop("断面表没有数据行"))))
        return None, report
    return out, report


def _time(v: Any) -> dt.datetime | None:
    if isinstance(v, dt.datetime):
        return v
    if isinstance(v, dt.date):
        return dt.datetime(v.year, v.month, v.day)
    m = _TIME.match(_text(v))
    if not m:
        return None
    y, mo, d, hh, mm, ss = m.groups()
    try:
        return dt.datetime(int(y), int(mo), int(d or 1), int(hh or 0), int(mm or 0), int(ss or 0))
    except ValueError:
        return None


def read_values(path: Path | str, sections: Mapping[str, Section]
                ) -> tuple[dict[str, dict[str, dict[str, MonthValue]]] | None, ImportReport]:
    """Monthly values per section and parameter (month → code → parameter → MonthValue), or (None, report)."""
    samples, report = read_samples(path, sections)
    if samples is None:
        return None, report
    return monthly_values([s[:4] for s in samples]), report


def read_samples(path: Path | str, sections: Mapping[str, object] | Iterable[str], display_name: str | None = None,
                 profile: str = "compensation-values"
                 ) -> tuple[list[tuple[str, dt.datetime, str, float, int]] | None, ImportReport]:
    """The checked samples (site, time, parameter, value in the canonical unit, file row) of a file in the
    template `site,time,parameter,value,unit`, or (None, report with located errors). `sections`: the codes
    a site may be (a mapping or a set). The water app's template import reads files with this function too."""
    from envgov.ingest.profile import normalise_unit, parameter_registry

    path = Path(path)
    report = ImportReport(file=display_name or path.name, profile=profile, reader="row")
    got = _read(path, report)
    if got is None:
        return None, report
    header, rows = got
    cols = _columns(header, VALUE_COLUMNS, tuple(VALUE_COLUMNS), report)
    if cols is None:
        return None, report
    names = {k: header[i] for k, i in cols.items()}
    specs, _ = parameter_registry()
    seen: dict[tuple[str, dt.datetime, str], tuple[float, int]] = {}
    samples: list[tuple[str, dt.datetime, str, float, int]] = []
    for n, cells in rows:
        rec = {k: (cells[i] if i < len(cells) else None) for k, i in cols.items()}
        if not any(_text(v) for v in rec.values()):
            continue
        report.rows_read += 1
        site, param = _text(rec["site"]), _text(rec["parameter"]).lower()
        ok = True
        if not site:
            report.error(n, names["site"], str(Reason(gettext_noop("断面编码为空"))))
            ok = False
        elif site not in sections:
            report.error(n, names["site"], str(Reason(gettext_noop("断面“%(code)s”不在断面表中"), {"code": site})))
            ok = False
        when = _time(rec["time"])
        if when is None:
            report.error(n, names["time"], str(Reason(gettext_noop("“%(value)s”不是时间（应为 2024-03、2024-03-05 或 2024-03-05 10:00）"),
                                                        {"value": _text(rec["time"])})))
            ok = False
        spec = specs.get(param)
        if spec is None or spec.kind != "water":
            report.error(n, names["parameter"], str(Reason(gettext_noop("“%(value)s”不是水质项目代码（如 cod、codmn、nh3n、tp）"),
                                                             {"value": _text(rec["parameter"])})))
            continue
        raw_v = rec["value"]
        text_v = _text(raw_v)
        if text_v.lower() in MISSING:
            report.missing_values += 1
            continue
        unit = normalise_unit(_text(rec["unit"]))
        if unit not in spec.units:
            report.error(n, names["unit"], str(Reason(gettext_noop("单位“%(unit)s”不适用于%(name)s（应为 %(units)s；平台不猜测换算）"),
                                                        {"unit": _text(rec["unit"]), "name": spec.name,
                                                         "units": "、".join(u for u in spec.units if u)})))
            ok = False
        try:
            v = float(raw_v) if isinstance(raw_v, (int, float)) and not isinstance(raw_v, bool) else float(text_v)
            if not math.isfinite(v):
                raise ValueError
        except ValueError:
            report.error(n, names["value"], str(Reason(gettext_noop("“%(value)s”不是数值（缺测请留空）"), {"value": text_v})))
            continue
        if v < spec.min:
            report.error(n, names["value"], str(Reason(gettext_noop("负值 %(value)s：浓度不能为负"), {"value": text_v})))
            ok = False
        elif spec.max is not None and ok and v * spec.units.get(unit, 1) > spec.max:
            report.error(n, names["value"], str(Reason(gettext_noop("%(value)s 超出%(name)s的可能范围（≤ %(max)s %(unit)s）"),
                                                         {"value": text_v, "name": spec.name, "max": format(spec.max, "g"),
                                                          "unit": spec.unit})))
            ok = False
        if not ok:
            continue
        v = v * spec.units[unit]
        key = (site, when, param)  # type: ignore[assignment]
        if key in seen:
            if seen[key][0] == v:
                report.duplicates_dropped += 1
                continue
            report.error(n, names["value"], str(Reason(gettext_noop("与第 %(row)s 行同一断面、时间、项目但数值不同"),
                                                         {"row": seen[key][1]})))
            continue
        seen[key] = (v, n)  # type: ignore[index]
        samples.append((site, when, param, v, n))  # type: ignore[arg-type]
    if not report.ok:
        return None, report
    report.observations = len(samples)
    return samples, report


def monthly_values(samples: list[tuple[str, dt.datetime, str, float]]) -> dict[str, dict[str, dict[str, MonthValue]]]:
    """Samples → month → section → parameter → mean (the engine's period means) and sample count."""
    import pyarrow as pa

    from envgov.engine.water import period_means

    if not samples:
        return {}
    codes = sorted({s[2] for s in samples})
    rows: dict[tuple[str, dt.datetime], dict[str, float]] = {}
    counts: dict[tuple[str, str, str], int] = {}
    for site, when, code, v in samples:
        rows.setdefault((site, when), {})[code] = v
        month = f"{when.year:04d}-{when.month:02d}"
        counts[(month, site, code)] = counts.get((month, site, code), 0) + 1
    keys = list(rows)
    wide = pa.table({"site": pa.array([k[0] for k in keys], pa.string()),
                     "time": pa.array([k[1] for k in keys], pa.timestamp("s")),
                     **{c: pa.array([rows[k].get(c) for k in keys], pa.float64()) for c in codes}})
    means = period_means(wide, "month", codes)
    out: dict[str, dict[str, dict[str, MonthValue]]] = {}
    for rec in means.to_pylist():
        for c in codes:
            if rec[c] is not None:
                out.setdefault(rec["period"], {}).setdefault(rec["site"], {})[c] = MonthValue(
                    rec[c], counts[(rec["period"], rec["site"], c)])
    return out
