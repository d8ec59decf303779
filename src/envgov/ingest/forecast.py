"""Daily AQI forecasts (CSV / XLSX) for the heavy-pollution warning rules (`envgov.rules.alerts`).

Columns (English or Chinese header; order free):

=====  ===========================================  ==========================================================
key    headers accepted                             content
=====  ===========================================  ==========================================================
date   date, 日期, 预报日期                           YYYY-MM-DD (one row per day; a date only once)
aqi    aqi, AQI, 空气质量指数, 预报AQI                 integer 0–500 (HJ 633: AQI is a whole number)
level  level, 级别, 空气质量指数级别, 类别              optional: 1–6, 一级…六级 or 优…严重污染
=====  ===========================================  ==========================================================

A row needs the AQI or the level; with both, the level must be the one HJ 633 gives for the AQI (the edition
in force on the date) — nothing is corrected silently. Any error refuses the whole file (located, Chinese).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from envgov.catalogue import gettext_noop
from envgov.ingest.rows import CellProblem, Column, Rows, local_time, read_rows, take, text
from envgov.rules.alerts import ForecastDay
from envgov.rules.dates import in_window, window_text

COLUMNS: tuple[Column, ...] = (
    Column("date", ("日期", "预报日期")),
    Column("aqi", ("AQI", "空气质量指数", "预报AQI"), required=False),
    Column("level", ("级别", "空气质量指数级别", "类别", "空气质量指数类别"), required=False),
)
MSG_NO_VALUE_COLUMN = gettext_noop("缺少列「AQI」或「级别」（至少要有一列）")
MSG_NO_VALUE = gettext_noop("AQI 和级别都为空")
MSG_AQI = gettext_noop("「%(value)s」不是 AQI（应为 0～500 的整数）")
MSG_LEVEL = gettext_noop("「%(value)s」不是空气质量指数级别（应为 1～6、一级～六级或 优～严重污染）")
MSG_MISMATCH = gettext_noop("级别「%(given)s」与 AQI %(aqi)s 不符（HJ 633：AQI %(aqi)s 为%(level)s级 %(name)s）")
MSG_DUPLICATE = gettext_noop("日期 %(date)s 已在第 %(first)s 行")
MSG_HAS_TIME = gettext_noop("「%(value)s」带有时刻：预报应为日期（每天一行）")
MSG_WINDOW = gettext_noop("日期「%(value)s」不在 %(window)s之内")

_LEVEL_WORDS = {"一级": 1, "二级": 2, "三级": 3, "四级": 4, "五级": 5, "六级": 6, "优": 1, "良": 2,
                "轻度污染": 3, "中度污染": 4, "重度污染": 5, "严重污染": 6}


def _aqi(cell: object) -> int:
    if isinstance(cell, bool):
        raise CellProblem(MSG_AQI, value=cell)
    t = text(cell)
    try:
        v = float(t)
    except ValueError:
        raise CellProblem(MSG_AQI, value=t) from None
    if not v.is_integer() or not 0 <= v <= 500:
        raise CellProblem(MSG_AQI, value=t)
    return int(v)


def _level(cell: object) -> int:
    t = text(cell).replace(" ", "")
    if t in ("1", "2", "3", "4", "5", "6"):
        return int(t)
    if t in _LEVEL_WORDS:
        return _LEVEL_WORDS[t]
    raise CellProblem(MSG_LEVEL, value=t)


def _date(cell: object):
    when, has_time = local_time(cell)
    if has_time and (when.hour or when.minute or when.second):
        raise CellProblem(MSG_HAS_TIME, value=text(cell))
    if not in_window(when):
        raise CellProblem(MSG_WINDOW, value=text(cell), window=window_text())
    return when.date()


@dataclass
class ForecastInput:
    rows: Rows
    days: list[ForecastDay] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.rows.ok


def read_forecast(path: Path | str) -> ForecastInput:
    """Checked forecast days of a file, all or nothing."""
    from envgov.standards.air.aqi import aqi_level, edition_for

    rows = read_rows(path, COLUMNS)
    out = ForecastInput(rows)
    if not rows.ok:
        return out
    if "aqi" not in rows.headers and "level" not in rows.headers:
        rows.error(1, "表头", MSG_NO_VALUE_COLUMN)
        return out
    seen: dict[object, int] = {}
    days: list[ForecastDay] = []
    for n, rec in rows.rows:
        day, ok1 = take(rows, n, rec, "date", _date)
        aqi, ok2 = take(rows, n, rec, "aqi", _aqi, required=False) if "aqi" in rows.headers else (None, True)
        lv, ok3 = take(rows, n, rec, "level", _level, required=False) if "level" in rows.headers else (None, True)
        if ok1 and day in seen:
            rows.error(n, "date", MSG_DUPLICATE, date=day.isoformat(), first=seen[day])
            continue
        if ok1:
            seen[day] = n
        if not (ok1 and ok2 and ok3):
            continue
        if aqi is None and lv is None:
            rows.error(n, "aqi" if "aqi" in rows.headers else "level", MSG_NO_VALUE)
            continue
        if aqi is not None:
            expected = aqi_level(edition_for(day), aqi)
            if lv is not None and lv != expected.number:
                rows.error(n, "level", MSG_MISMATCH, given=text(rec["level"]), aqi=aqi, level=expected.number,
                           name=expected.name)
                continue
            lv = expected.number
        days.append(ForecastDay(day, aqi, lv, n))
    if rows.ok:
        out.days = days
    return out
