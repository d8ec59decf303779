"""asyncio TCP receiver for HJ 212 data: many connections, framing across reads, bad packets reported and
skipped, 9014 answers, hourly (CN 2061) and real-time (CN 2011) values written to the observation lake in
batches, exactly once; per-point permit limits and data flags → alert records.

Exactly once. A packet is a duplicate when its (MN, QN) or its (MN, CN, DataTime) — with PNO for split
packets — was already accepted; duplicates are answered (the device re-sends because it missed the
answer) but not stored. Across restarts the lake itself de-duplicates: a value it already holds for
(site, time, parameter) is skipped; a different value for the same key is a conflict, reported, and only
those rows are left out (the rest of the batch is committed). Answers (9014) to stored uploads are sent
after the batch is committed, so an answered upload is in the lake.

Lake layout: kind "online", site = MN, time = DataTime (hour start for 2061, the sampling instant for
2011), parameter = the CP field (`w01018-Avg`, `a34004-Rtd`, …), value = the number. Data flags are not
numbers and are not stored in the lake; non-normal flags become alerts.

Alerts go to a JSON-lines file (one object a line) and/or an `on_alert(record)` callback.
"""
from __future__ import annotations

import asyncio
import json
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from envgov.catalogue import gettext_noop
from envgov.ingest.hj212 import (
    DATA_FLAGS,
    DEFAULT,
    Options,
    Packet,
    Problem,
    data_response,
    numeric_values,
    parse,
)

KIND = "online"
STORED_CN = frozenset({"2011", "2061"})
# A frame longer than this without CR LF is dropped (1024-char segment, UTF-8 up to 4 bytes a char, + framing).
MAX_FRAME = 4 * 1024 + 16
# Bytes taken from one connection per turn. Connections that find the batch full wait for its commit before
# reading again, so pending rows stay near batch_rows + connections × READ_SIZE worth of packets.
READ_SIZE = 65536
SEEN_LIMIT = 2_000_000  # keys of accepted packets kept in memory (older ones: the lake de-duplicates)


@dataclass(frozen=True)
class Limit:
    """A permit limit of one pollutant at one point: value must be ≤ `max` (and ≥ `min` when given, e.g.
    pH), checked on the fields named in `fields` (default the hourly mean and the real-time value)."""

    code: str
    max: float | None = None
    min: float | None = None
    fields: tuple[str, ...] = ("Avg", "Rtd")
    unit: str = ""
    source: str = ""  # the permit / standard it comes from (shown in the alert)


def load_limits(path: str | Path) -> dict[str, dict[str, Limit]]:
    """Limits file (JSON): {"<MN>": {"<pollutant code>": {"max": 50, "min": null, "fields": ["Avg"],
    "unit": "mg/L", "source": "排污许可证 …"}}}; the MN "*" applies to every point without its own entry
    for that code. Raises ValueError with a located Chinese message on a bad file."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ValueError(gettext_noop("{file}：限值文件无法读取（{detail}）").format(file=path, detail=exc)) from None
    if not isinstance(data, dict):
        raise ValueError(gettext_noop("{file}：限值文件应为 JSON 对象：MN → 污染物编码 → 限值").format(file=path))  # noqa: TRY004
    out: dict[str, dict[str, Limit]] = {}
    for mn, codes in data.items():
        if not isinstance(codes, dict):
            raise ValueError(gettext_noop("{file}：{mn} 的限值应为对象").format(file=path, mn=mn))  # noqa: TRY004
        for code, spec in codes.items():
            where = f"{path}：{mn} / {code}"
            if not isinstance(spec, dict):
                raise ValueError(gettext_noop("{where}：限值应为对象，如 max: 50").format(where=where))  # noqa: TRY004
            lo, hi = spec.get("min"), spec.get("max")
            for name, v in (("min", lo), ("max", hi)):
                if v is not None and (isinstance(v, bool) or not isinstance(v, (int, float))):
                    raise ValueError(gettext_noop("{where}：{name} 应为数值").format(where=where, name=name))
            if lo is None and hi is None:
                raise ValueError(gettext_noop("{where}：至少要有 max 或 min").format(where=where))
            fields = spec.get("fields", ["Avg", "Rtd"])
            if not isinstance(fields, list) or not all(isinstance(f, str) for f in fields):
                raise ValueError(gettext_noop("{where}：fields 应为字段后缀列表，如 Avg、Rtd").format(where=where))
            out.setdefault(mn, {})[code] = Limit(code, None if hi is None else float(hi),
                                                 None if lo is None else float(lo), tuple(fields),
                                                 str(spec.get("unit", "")), str(spec.get("source", "")))
    return out


@dataclass
class Stats:
    frames: int = 0
    valid: int = 0
    invalid: int = 0
    junk: int = 0
    duplicates: int = 0
    stored_packets: int = 0
    rows_appended: int = 0
    rows_already_present: int = 0
    rows_conflicting: int = 0
    commits: int = 0
    answers: int = 0
    alerts: int = 0
    connections: int = 0


def take_frames(buf: bytearray, max_frame: int = MAX_FRAME) -> list[tuple[str, bytes]]:
    """Cut complete frames (``##`` … CR LF) off the front of `buf`; returns ("packet" | "junk", bytes)
    in order and leaves an incomplete frame in `buf` for the next read."""
    out: list[tuple[str, bytes]] = []
    while buf:
        start = buf.find(b"##")
        if start < 0:
            keep = 1 if buf.endswith(b"#") else 0
            junk = bytes(buf[:len(buf) - keep])
            del buf[:len(buf) - keep]
            if junk.strip():
                out.append(("junk", junk))
            break
        if start:
            junk = bytes(buf[:start])
            del buf[:start]
            if junk.strip():
                out.append(("junk", junk))
        end = buf.find(b"\r\n", 2)
        if end < 0 or end + 2 > max_frame:
            if len(buf) > max_frame or end >= 0:
                nxt = buf.find(b"##", 2)
                cut = nxt if 0 < nxt else len(buf)
                out.append(("junk", bytes(buf[:cut])))
                del buf[:cut]
                continue
            break
        out.append(("packet", bytes(buf[:end + 2])))
        del buf[:end + 2]
    return out


def parse_frame(frame: bytes, options: Options = DEFAULT) -> tuple[Packet, bytes | None]:
    """Parse a frame. A frame holding a later ``##`` is first read as a truncated packet followed by a
    whole one (one CR LF for both): the latest ``##`` whose suffix is a valid packet wins and the prefix
    is returned as bad bytes; only when no suffix is valid is the frame parsed whole. (The CRC keeps only
    8 bits of state, so "prefix + good packet" can pass it by chance; preferring the suffix keeps the good
    packet.)"""
    at = frame.rfind(b"##")
    while at > 0:
        inner = parse(frame[at:], options)
        if inner.valid:
            return inner, frame[:at]
        at = frame.rfind(b"##", 0, at + 1)  # the previous occurrence (starting before `at`)
    return parse(frame, options), None


class Receiver:
    """Receives HJ 212 packets over TCP and stores 2061/2011 values in `lake` (an `envgov.engine.lake.Lake`
    or None to store nothing). `alerts_path`: JSON-lines file alerts are appended to; `on_alert` /
    `on_problem`: callbacks (record dict)."""

    def __init__(self, lake: Any = None, *, limits: dict[str, dict[str, Limit]] | None = None,
                 alerts_path: str | Path | None = None, on_alert: Callable[[dict], None] | None = None,
                 on_problem: Callable[[dict], None] | None = None, options: Options = DEFAULT,
                 batch_rows: int = 50_000, flush_seconds: float = 1.0, source: str = "hj212"):
        self.lake = lake
        self.limits = limits or {}
        self.alerts_path = Path(alerts_path) if alerts_path else None
        self.on_alert = on_alert
        self.on_problem = on_problem
        self.options = options
        self.batch_rows = batch_rows
        self.flush_seconds = flush_seconds
        self.source = source
        self.stats = Stats()
        self._seen_qn: OrderedDict = OrderedDict()
        self._seen_dt: OrderedDict = OrderedDict()
        self._rows: tuple[list, list, list, list] = ([], [], [], [])
        self._row_keys: set = set()
        self._acks: list[tuple[asyncio.StreamWriter, bytes]] = []
        self._acks_waiting: dict[Any, int] = {}  # writer → answers held until their commit
        self._committed: asyncio.Event | None = None  # set (and replaced) when a flush ends
        self._alerts: list[dict] = []
        self._flush_lock = asyncio.Lock()
        self._flusher: asyncio.Task | None = None
        self._server: asyncio.base_events.Server | None = None

    # ------------------------------------------------------------ reporting
    def problem(self, kind: str, reason: Problem | str, peer: str = "", raw: bytes | str = b"",
                **extra: Any) -> None:
        record = {"kind": kind, "peer": peer, "reason": str(reason),
                  "raw": (raw.decode("utf-8", "replace") if isinstance(raw, bytes) else raw)[:300], **extra}
        if self.on_problem is not None:
            self.on_problem(record)

    # ------------------------------------------------------------ packet handling
    def handle_bytes(self, buf: bytearray, peer: str = "", writer: Any = None) -> None:
        """Process every complete frame in `buf` (used by the connection handler and by tests)."""
        for kind, frame in take_frames(buf):
            if kind == "junk":
                self.stats.junk += 1
                self.problem("junk", gettext_noop("不是 HJ 212 数据包（缺少 ## 包头或 CR LF 包尾），已跳过"), peer, frame)
                continue
            self.stats.frames += 1
            pkt, bad_prefix = parse_frame(frame, self.options)
            if bad_prefix is not None:
                self.stats.invalid += 1
                bad = parse(bad_prefix, self.options)
                self.problem("invalid", bad.error or gettext_noop("数据包不完整"), peer, bad_prefix)
            if not pkt.valid:
                self.stats.invalid += 1
                self.problem("invalid", pkt.error or gettext_noop("数据包无效"), peer, frame)
                continue
            self.stats.valid += 1
            self.accept(pkt, peer, writer)

    def accept(self, pkt: Packet, peer: str = "", writer: Any = None) -> None:
        answer = data_response(pkt) if pkt.needs_ack and pkt.cn and pkt.cn.startswith("2") else None
        if pkt.cn not in STORED_CN:
            self._answer(writer, answer, now=True)
            return
        if pkt.data_time is None:
            self.problem("invalid", Problem(gettext_noop("数据上传缺少 DataTime，未入库"), None, "DataTime"),
                         peer, pkt.raw, mn=pkt.mn, qn=pkt.qn)
            self._answer(writer, answer, now=True)
            return
        k_qn = (pkt.mn, pkt.qn, pkt.pno) if pkt.qn else None
        k_dt = (pkt.mn, pkt.cn, pkt.data_time, pkt.pno)
        if (k_qn is not None and k_qn in self._seen_qn) or k_dt in self._seen_dt:
            self.stats.duplicates += 1
            self._answer(writer, answer, now=False)
            return
        for seen, key in ((self._seen_qn, k_qn), (self._seen_dt, k_dt)):
            if key is not None:
                seen[key] = None
                if len(seen) > SEEN_LIMIT:
                    seen.popitem(last=False)
        self.stats.stored_packets += 1
        sites, times, params, values = self._rows
        for name, value in numeric_values(pkt):
            rk = (pkt.mn, pkt.data_time, name)
            if rk in self._row_keys:
                self.stats.rows_conflicting += 1
                self.problem("conflict", Problem(gettext_noop("同一时间同一字段在本批中已有数值，未重复入库"), None, name),
                             peer, pkt.raw, mn=pkt.mn, qn=pkt.qn)
                continue
            self._row_keys.add(rk)
            sites.append(pkt.mn)
            times.append(pkt.data_time)
            params.append(name)
            values.append(value)
        self._alerts.extend(self.alerts_for(pkt))
        self._answer(writer, answer, now=False)

    def _answer(self, writer: Any, answer: bytes | None, now: bool) -> None:
        if writer is None or answer is None:
            return
        if now:
            self._send(writer, answer)
        else:
            self._acks.append((writer, answer))
            self._acks_waiting[writer] = self._acks_waiting.get(writer, 0) + 1

    def _send(self, writer: Any, data: bytes) -> None:
        if writer.is_closing():
            return
        try:
            writer.write(data)
            self.stats.answers += 1
        except (ConnectionError, RuntimeError):
            pass

    def alerts_for(self, pkt: Packet) -> list[dict]:
        """Exceedance and data-flag alerts of one accepted upload."""
        out = []
        base = {"mn": pkt.mn, "st": pkt.st, "cn": pkt.cn, "qn": pkt.qn,
                "time": pkt.data_time.isoformat() if pkt.data_time else None}
        for code, letter in pkt.flags().items():
            if letter != "N":
                meaning = DATA_FLAGS.get(letter, gettext_noop("未知数据标记"))
                out.append({**base, "type": "data_flag", "code": code, "flag": letter, "meaning": meaning,
                            "reason": gettext_noop("{code} 数据标记 {flag}（{meaning}）").format(
                                code=code, flag=letter, meaning=meaning)})
        limits = self.limits.get(pkt.mn or "", {})
        star = self.limits.get("*", {})
        for name, value in numeric_values(pkt):
            code, suffix = name.rsplit("-", 1)
            lim = limits.get(code) or star.get(code)
            if lim is None or suffix not in lim.fields:
                continue
            if lim.max is not None and value > lim.max:
                bound, template = lim.max, gettext_noop("{field} = {value}{unit}，高于限值 {limit}{unit}")
            elif lim.min is not None and value < lim.min:
                bound, template = lim.min, gettext_noop("{field} = {value}{unit}，低于限值 {limit}{unit}")
            else:
                continue
            out.append({**base, "type": "exceedance", "code": code, "field": name, "value": value,
                        "limit": bound, "unit": lim.unit, "limit_source": lim.source,
                        "reason": template.format(field=name, value=f"{value:g}", unit=lim.unit,
                                                  limit=f"{bound:g}")})
        return out

    # ------------------------------------------------------------ lake
    async def flush(self) -> None:
        """Commit pending rows to the lake, then send the answers and emit the alerts they carry."""
        async with self._flush_lock:
            rows, self._rows, self._row_keys = self._rows, ([], [], [], []), set()
            acks, self._acks = self._acks, []
            alerts, self._alerts = self._alerts, []
            if rows[0] and self.lake is not None:
                await asyncio.to_thread(self._append, rows)
            for writer, data in acks:
                self._send(writer, data)
                left = self._acks_waiting.get(writer, 0) - 1
                if left > 0:
                    self._acks_waiting[writer] = left
                else:
                    self._acks_waiting.pop(writer, None)
            if alerts:
                self._emit(alerts)
            done, self._committed = self._committed, None
            if done is not None:
                done.set()

    def _append(self, rows: tuple[list, list, list, list]) -> None:
        import pyarrow as pa

        sites, times, params, values = rows
        for _attempt in range(3):
            table = pa.table({"site": pa.array(sites, pa.string()), "time": pa.array(times, pa.timestamp("s")),
                              "parameter": pa.array(params, pa.string()), "value": pa.array(values, pa.float64())})
            result = self.lake.append(table, source=self.source, kind=KIND)
            if not result.conflicts:
                self.stats.rows_appended += result.appended
                self.stats.rows_already_present += result.already_present
                self.stats.commits += 1 if result.import_id else 0
                return
            bad = {(c.site, c.time, c.parameter) for c in result.conflicts}
            self.stats.rows_conflicting += len(bad)
            for c in result.conflicts[:100]:
                self.problem("conflict", Problem(gettext_noop("湖中已有此时间此字段的不同数值，本值未入库"), None,
                                                 c.parameter), mn=c.site, time=c.time.isoformat(),
                             existing=c.existing, value=c.value)
            keep = [i for i in range(len(sites)) if (sites[i], times[i], params[i]) not in bad]
            sites, times, params, values = ([col[i] for i in keep] for col in (sites, times, params, values))
            if not sites:
                return

    def _emit(self, alerts: list[dict]) -> None:
        self.stats.alerts += len(alerts)
        if self.alerts_path is not None:
            with open(self.alerts_path, "a", encoding="utf-8") as fh:
                fh.writelines(json.dumps(a, ensure_ascii=False) + "\n" for a in alerts)
        if self.on_alert is not None:
            for a in alerts:
                self.on_alert(a)

    # ------------------------------------------------------------ network
    async def handle_connection(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        peername = writer.get_extra_info("peername")
        peer = f"{peername[0]}:{peername[1]}" if isinstance(peername, tuple) and len(peername) >= 2 else ""
        self.stats.connections += 1
        buf = bytearray()
        try:
            while True:
                chunk = await reader.read(READ_SIZE)
                if not chunk:
                    break
                buf += chunk
                self.handle_bytes(buf, peer, writer)
                if len(self._rows[3]) >= self.batch_rows:
                    await self.flush()
                if writer.transport.get_write_buffer_size() > 1 << 20:
                    await writer.drain()
        except (ConnectionError, asyncio.IncompleteReadError):
            pass
        finally:
            if buf.strip():
                self.stats.junk += 1
                self.problem("junk", gettext_noop("连接关闭时数据包不完整，已丢弃"), peer, bytes(buf))
            # Answer before closing: wait for the commits (batch or periodic) that hold this connection's
            # answers; forcing a commit per closing connection would make many tiny commits.
            while self._acks_waiting.get(writer):
                if self._flusher is None:
                    await self.flush()
                    continue
                if self._committed is None:
                    self._committed = asyncio.Event()
                await self._committed.wait()
            try:
                writer.close()
                await writer.wait_closed()
            except (ConnectionError, OSError):
                pass

    async def _flush_loop(self) -> None:
        while True:
            await asyncio.sleep(self.flush_seconds)
            try:
                await self.flush()
            except Exception as exc:  # noqa: BLE001 - a failed commit must not stop the receiver; rows stay out, reported
                self.problem("lake", gettext_noop("写入观测数据湖失败：{detail}").format(detail=repr(exc)))

    async def start(self, host: str = "127.0.0.1", port: int = 9212) -> asyncio.base_events.Server:
        self._server = await asyncio.start_server(self.handle_connection, host, port, limit=1 << 20, backlog=1024)
        self._flusher = asyncio.get_running_loop().create_task(self._flush_loop())
        return self._server

    async def close(self) -> None:
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()
        if self._flusher is not None:
            self._flusher.cancel()
        await self.flush()
