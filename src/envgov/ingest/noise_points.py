"""Functional-area noise measurements (CSV / XLSX): one row per measured Leq of a monitoring point.

Columns (English or Chinese header; order free):

=========  =====================================  ==========================================================
key        headers accepted                       content
=========  =====================================  ==========================================================
point      point, 点位编码, 点位代码, 测点编码       point code (required)
name       name, 点位名称, 测点名称                 point name
class      class, 功能区类别, 声环境功能区类别        0, 1, 2, 3, 4a, 4b (“1类” and “4A” accepted; “4” is not)
lon, lat   lon/经度, lat/纬度                      WGS84 degrees, for the map (both or neither)
time       time, 监测时间, 时间                     local start of the interval: YYYY-MM-DD [HH:MM[:SS]]
period     period, 时段                            昼间 / 夜间 (day / night; 昼, 夜)
leq        leq, 等效声级, Leq(dB(A))               measured Leq, dB(A) (required)
lmax       lmax, 最大声级                          maximum level of the interval, dB(A) (optional)
round      round, 监测轮次, 轮次                    monitoring round (e.g. 2024Q1), when 点次 are counted by round
duration   duration, 监测时长, 时长                 minutes the Leq stands for (weights the energetic mean); when the
                                                  column is there, every row needs a positive value
=========  =====================================  ==========================================================

Checks (each a located error; with any error nothing is returned): required cells present; class one of
GB 3096's six; a point's name, class and position the same on every row; numbers finite and not negative;
Lmax not below the interval's Leq; the period matching the clock time under the night window in force
(parameters `night_start`/`night_end`: read inside `PARAMETERS.using(...)`); no point measured twice at the
same time and period.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from envgov.catalogue import gettext_noop
from envgov.engine.noise import Measurement, Point, period_of
from envgov.ingest.rows import (
    CellProblem,
    Column,
    Rows,
    local_time,
    number,
    read_rows,
    take,
    text,
)
from envgov.standards.noise.tables import CLASS_CODES, DAY, NIGHT, PERIODS

COLUMNS: tuple[Column, ...] = (
    Column("point", ("点位编码", "点位代码", "测点编码", "code")),
    Column("name", ("点位名称", "测点名称"), required=False),
    Column("class", ("功能区类别", "声环境功能区类别", "类别"), required=True),
    Column("lon", ("经度", "longitude"), required=False),
    Column("lat", ("纬度", "latitude"), required=False),
    Column("time", ("监测时间", "时间")),
    Column("period", ("时段",)),
    Column("leq", ("等效声级", "Leq(dB(A))", "等效声级(dB(A))")),
    Column("lmax", ("最大声级", "Lmax(dB(A))", "最大声级(dB(A))"), required=False),
    Column("round", ("监测轮次", "轮次"), required=False),
    Column("duration", ("监测时长", "时长", "时长(min)", "监测时长(min)"), required=False),
)
PERIOD_WORDS = {"day": DAY, "d": DAY, "昼": DAY, "昼间": DAY, "night": NIGHT, "n": NIGHT, "夜": NIGHT, "夜间": NIGHT}

MSG_CLASS = gettext_noop("「%(value)s」不是声环境功能区类别（应为 0、1、2、3、4a、4b）")
MSG_CLASS_4 = gettext_noop("4 类须写明 4a（交通干线两侧）或 4b（铁路干线两侧）")
MSG_PERIOD = gettext_noop("「%(value)s」不是时段（应为 昼间 或 夜间）")
MSG_PERIOD_CLOCK = gettext_noop("时间 %(clock)s 属于%(actual)s（夜间 %(night)s），时段却写作%(given)s")
MSG_LON = gettext_noop("经度 %(value)s 超出 −180～180")
MSG_LAT = gettext_noop("纬度 %(value)s 超出 −90～90")
MSG_LONLAT_PAIR = gettext_noop("经度、纬度应同时填写或同时留空")
MSG_POINT_ATTR = gettext_noop("点位「%(point)s」的%(what)s与第 %(first)s 行不同（“%(here)s”≠“%(there)s”）")
MSG_LMAX_BELOW = gettext_noop("最大声级 %(lmax)s 低于同一时段的等效声级 %(leq)s")
MSG_DURATION = gettext_noop("监测时长应大于 0 分钟，收到 %(value)s")
MSG_DUPLICATE = gettext_noop("点位「%(point)s」%(time)s %(period)s已在第 %(first)s 行")
WHAT_NAME = gettext_noop("名称")
WHAT_CLASS = gettext_noop("功能区类别")
WHAT_POSITION = gettext_noop("经纬度")
WHAT_LEVEL = gettext_noop("声级")
WHAT_DURATION = gettext_noop("监测时长")


def _level(cell: object) -> float:
    return number(cell, WHAT_LEVEL)


def _minutes(cell: object) -> float:
    v = number(cell, WHAT_DURATION)
    if v <= 0:
        raise CellProblem(MSG_DURATION, value=text(cell))
    return v


def _degrees(cell: object) -> float:
    return number(cell, negative_ok=True)


@dataclass
class NoiseInput:
    rows: Rows
    points: dict[str, Point] = field(default_factory=dict)
    measurements: list[Measurement] = field(default_factory=list)
    has_round: bool = False

    @property
    def ok(self) -> bool:
        return self.rows.ok


def parse_class(cell: object) -> str:
    t = text(cell).replace("类", "").replace(" ", "").lower()
    if t == "4":
        raise CellProblem(MSG_CLASS_4)
    if t not in CLASS_CODES:
        raise CellProblem(MSG_CLASS, value=text(cell))
    return t


def read_measurements(path: Path | str) -> NoiseInput:
    """Checked points and measurements of a file, all or nothing (see the module text)."""
    rows = read_rows(path, COLUMNS)
    out = NoiseInput(rows=rows, has_round="round" in rows.headers)
    if not rows.ok:
        return out
    from envgov.engine.noise import night_window

    start, end = night_window()
    night_text = f"{start:%H:%M}–{end:%H:%M}"
    points: dict[str, tuple[Point, int]] = {}
    seen: dict[tuple[str, object, str], int] = {}
    measurements: list[Measurement] = []
    for n, rec in rows.rows:
        # columns absent from the file are not taken (required ones are always there: `read_rows` checks)
        taken = {key: take(rows, n, rec, key, convert, required) for key, convert, required in _CELLS
                 if key in rows.headers}
        taken.setdefault("duration", (1.0, True))
        bad = not all(ok for _, ok in taken.values())
        code, cls, lon, lat, when, period, leq, lmax, duration = (
            taken.get(k, (None, True))[0]
            for k in ("point", "class", "lon", "lat", "time", "period", "leq", "lmax", "duration"))
        name = text(rec.get("name"))
        rnd = text(rec.get("round"))
        if lon is not None and not -180 <= lon <= 180:
            rows.error(n, "lon", MSG_LON, value=rec["lon"])
            bad = True
        if lat is not None and not -90 <= lat <= 90:
            rows.error(n, "lat", MSG_LAT, value=rec["lat"])
            bad = True
        if (lon is None) != (lat is None) and not bad:
            rows.error(n, "lon" if lon is None else "lat", MSG_LONLAT_PAIR)
            bad = True
        if when is not None and period is not None and when[1]:
            actual = period_of(when[0])
            if actual != period:
                rows.error(n, "period", MSG_PERIOD_CLOCK, clock=f"{when[0]:%H:%M}", actual=PERIODS[actual],
                           night=night_text, given=PERIODS[period])
                bad = True
        if lmax is not None and leq is not None and lmax < leq:
            rows.error(n, "lmax", MSG_LMAX_BELOW, lmax=rec["lmax"], leq=rec["leq"])
            bad = True
        if code is None:
            continue
        # a point's name, class and position are checked against its first row even when this row has other
        # errors (a cell that could not be read is not compared)
        if code in points:
            first, first_row = points[code]
            checks = [("name", WHAT_NAME, name, first.name)]
            if cls is not None:
                checks.append(("class", WHAT_CLASS, cls, first.cls))
            if taken.get("lon", (None, True))[1] and taken.get("lat", (None, True))[1]:
                checks.append(("lon", WHAT_POSITION, (lon, lat), (first.lon, first.lat)))
            for key, what, here, there in checks:
                if here != there:
                    rows.error(n, key, MSG_POINT_ATTR, point=code, what=what, first=first_row,
                               here=_show(here), there=_show(there))
                    bad = True
        elif cls is not None:
            points[code] = (Point(code, name, cls, lon, lat, n), n)
        if bad:
            continue
        assert cls is not None and when is not None and period is not None and leq is not None
        key = (code, when[0], period)
        if key in seen:
            rows.error(n, "time", MSG_DUPLICATE, point=code, time=text(rec["time"]), period=PERIODS[period],
                       first=seen[key])
            bad = True
        else:
            seen[key] = n
        if not bad:
            measurements.append(Measurement(code, when[0], when[1], period, leq, lmax, rnd, n, duration))
    if rows.ok:
        out.points = {c: p for c, (p, _) in points.items()}
        out.measurements = measurements
    return out


def _period(cell: object) -> str:
    """昼间/夜间 (day/night …) as DAY or NIGHT."""
    t = text(cell).lower()
    if t not in PERIOD_WORDS:
        raise CellProblem(MSG_PERIOD, value=text(cell))
    return PERIOD_WORDS[t]


_CELLS = (("point", text, True), ("class", parse_class, True), ("lon", _degrees, False), ("lat", _degrees, False),
          ("time", local_time, True), ("period", _period, True), ("leq", _level, True), ("lmax", _level, False),
          ("duration", _minutes, True))


def _show(v: object) -> str:
    if isinstance(v, tuple):
        return "、".join("" if x is None else f"{x:g}" for x in v)
    return str(v)
