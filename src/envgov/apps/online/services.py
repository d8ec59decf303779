"""Reading for the online-monitoring pages and the bridge to the HJ 212 core (envgov.ingest.hj212):

* `receiver_limits(district)` — the district's permit limits in the shape `Receiver(limits=…)` takes
  (real-time limits on `-Rtd`, hourly on `-Avg`); `limits_json` the same as the file `envgov hj212 serve
  --limits` reads;
* `read_alert_file(path)` — the receiver's JSON-lines alert file (`--alerts`), each line checked, located
  errors, all or nothing; `actions.record_alerts` stores the records;
* `receive(district, lines)` — packets through the real receiver (parser, lake, alert function) in this
  process, its alerts recorded: the demo and the "paste packets" path use it;
* `recent_values(point)` — a point's latest values from the observation lake (kind "online", site = MN).
"""
from __future__ import annotations

import asyncio
import concurrent.futures
import datetime as dt
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable

from django.conf import settings
from django.utils.translation import gettext as _

from envgov.apps.online.models import MonitoringPoint, PermitLimit
from envgov.engine.lake import Lake
from envgov.ingest.hj212.server import KIND, Limit, Receiver

FIELDS = {PermitLimit.Averaging.REALTIME: ("Rtd",), PermitLimit.Averaging.HOURLY: ("Avg",)}


def lake() -> Lake:
    return Lake(settings.OBSERVATION_LAKE)


def receiver_limits(district) -> dict[str, dict[str, Limit]]:
    """MN → pollutant code → Limit. The core's Limit holds one bound pair per code: a real-time and an
    hourly limit of one code become one Limit only when their bounds agree; otherwise the hourly one is
    passed (the Avg field of CN 2061) and the real-time one is left for a second receiver pass — in
    practice permits name one of them. Daily limits are not passed (CN 2031 is not stored, decision 0028)."""
    out: dict[str, dict[str, Limit]] = {}
    rows = (PermitLimit.objects.filter(point__district=district, point__active=True,
                                       averaging__in=list(FIELDS)).select_related("point").order_by("averaging"))
    for lim in rows:
        codes = out.setdefault(lim.point.mn, {})
        fields = FIELDS[lim.averaging]
        had = codes.get(lim.code)
        if had is not None:
            if (had.max, had.min) == (lim.max_value, lim.min_value):
                fields = tuple(sorted(set(had.fields) | set(fields)))
            elif lim.averaging != PermitLimit.Averaging.HOURLY:
                continue
        codes[lim.code] = Limit(lim.code, lim.max_value, lim.min_value, fields, lim.unit, lim.source)
    return out


def limits_json(district) -> str:
    """The limits file of `envgov hj212 serve --limits` (envgov.ingest.hj212.server.load_limits)."""
    table = receiver_limits(district)
    body = {mn: {code: {"max": lim.max, "min": lim.min, "fields": list(lim.fields), "unit": lim.unit,
                        "source": lim.source} for code, lim in codes.items()} for mn, codes in table.items()}
    return json.dumps(body, ensure_ascii=False, indent=1)


@dataclass
class FileProblem:
    line: int
    reason: str


def read_alert_file(path: str | Path, name: str = "") -> tuple[list[dict], list[FileProblem]]:
    """The records of a JSON-lines alert file; any bad line → its (file, line, reason) and no record."""
    from envgov.apps.online.actions import check_record

    label = name or Path(path).name
    records, problems = [], []
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        return [], [FileProblem(0, _("%(file)s：文件无法读取（%(detail)s）") % {"file": label, "detail": exc})]
    for no, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            problems.append(FileProblem(no, _("%(file)s 第 %(line)s 行第 %(col)s 列：不是 JSON（%(detail)s）")
                                        % {"file": label, "line": no, "col": exc.colno, "detail": exc.msg}))
            continue
        reason = check_record(record)
        if reason:
            problems.append(FileProblem(no, _("%(file)s 第 %(line)s 行：%(reason)s") % {"file": label, "line": no,
                                                                                      "reason": reason}))
            continue
        records.append(record)
    return ([] if problems else records), problems


def _run(coro) -> object:  # noqa: ANN001
    """Run a coroutine to its end from synchronous code, also when this thread already runs an event loop (a
    browser test's, an async server's): then in a thread of its own, where asyncio.run may start one."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(coro)
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coro).result()


@dataclass
class Received:
    valid: int = 0
    invalid: int = 0
    rows: int = 0
    alerts: list[dict] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


def receive(district, packets: Iterable[bytes], *, lake_: Lake | None = None, source: str = "hj212") -> Received:
    """Run packets (one HJ 212 packet each, with CR LF) through the real receiver of the core — parser, exactly
    once, lake append, the alert function with the district's limits — and return what it reported (the
    alerts are not stored here: `actions.record_alerts` does that)."""
    out = Received()
    receiver = Receiver(lake_ if lake_ is not None else lake(), limits=receiver_limits(district),
                        on_alert=out.alerts.append, on_problem=lambda r: out.problems.append(r["reason"]),
                        source=source)
    buf = bytearray()
    for p in packets:
        buf += p
    receiver.handle_bytes(buf)
    _run(receiver.flush())
    out.valid, out.invalid, out.rows = receiver.stats.valid, receiver.stats.invalid, receiver.stats.rows_appended
    return out


@dataclass
class ValueRow:
    time: dt.datetime
    values: dict[str, float]


def recent_values(point: MonitoringPoint, *, hours: int = 48, until: dt.datetime | None = None,
                  suffix: str = "Avg") -> tuple[list[str], list[ValueRow]]:
    """The point's values of the last `hours` hours before its latest one (hourly `-Avg` by default), as
    (fields, rows newest first), straight from the lake."""
    table = lake().to_arrow(KIND, sites=[point.mn])
    if table.num_rows == 0:
        return [], []
    rows: dict[dt.datetime, dict[str, float]] = {}
    fields: list[str] = []
    data = table.to_pydict()
    latest = max(data["time"]) if until is None else until
    start = latest - dt.timedelta(hours=hours)
    for t, name, v in zip(data["time"], data["parameter"], data["value"]):
        if not name.endswith("-" + suffix) or t <= start or t > latest:
            continue
        rows.setdefault(t, {})[name] = v
        if name not in fields:
            fields.append(name)
    return sorted(fields), [ValueRow(t, rows[t]) for t in sorted(rows, reverse=True)]
