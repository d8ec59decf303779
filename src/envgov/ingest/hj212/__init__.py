"""HJ 212 online-monitoring packets (HJ/T 212-2005, HJ 212-2017, HJ 212-2025): parsing and building.

Facts from /work/shared/reference/sources.md §1 (HJ 212-2017 official text, S-S1; the 2025 revision as
documented by an open implementation, S-S4 [1SRC]):

* framing (Table 2): ``##`` + 4-digit decimal length of the data segment + data segment + 4-hex CRC + CR LF;
* CRC (Appendix A): NOT CRC-16/MODBUS — ``crc = (crc >> 8) ^ byte`` then 8 shifts with 0xA001, over the
  data segment only, printed high byte first (official vector: the CN=1062 packet → 1C80);
* data segment (Table 3): ``QN=…;ST=…;CN=…;PW=…;MN=…;Flag=…;[PNUM=…;PNO=…;]CP=&&…&&``;
* Flag (§1.4): bits V5..V0 D A — version 0 = 2005, 1 = 2017, 2 = 2025; D = split packet (PNUM/PNO);
  A = the packet must be answered;
* CP data area: ``field=value``, values of one item separated by ``,``, items by ``;``; pollutant fields
  ``code-Rtd/-Avg/-Min/-Max/-Cou/-Zs…`` (numbers) and ``code-Flag`` (Table 8 data flags N F M S D C T B).

`parse(data)` never raises: any bytes give a `Packet` whose `valid` says whether it can be used and, when
not, `error` is a located `Problem` (character offset, field, Chinese reason). Tolerances the reference
asks for (wrong length field, 2005-style headers without QN/Flag, MNs that are not 24 hex digits, devices
sending the Modbus CRC) are warnings or options, never silent changes.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from envgov.catalogue import gettext_noop

__all__ = [
    "DATA_FLAGS",
    "VERSIONS",
    "Options",
    "Packet",
    "Problem",
    "build",
    "data_response",
    "hj212_crc16",
    "modbus_crc16",
    "numeric_values",
    "parse",
]

# Flag version bits (V5..V0) → edition (sources.md §1.4: 0 = HJ/T 212-2005, 1 = HJ 212-2017 [OFFICIAL],
# 2 = HJ 212-2025 [1SRC]).
VERSIONS = {0: "2005", 1: "2017", 2: "2025"}
VERSION_BITS = {v: k for k, v in VERSIONS.items()}

# Table 8 data flags (HJ 212-2017).
DATA_FLAGS = {
    "N": gettext_noop("正常"), "F": gettext_noop("停运"), "M": gettext_noop("维护"),
    "S": gettext_noop("手工输入设定值"), "D": gettext_noop("故障"), "C": gettext_noop("校准"),
    "T": gettext_noop("超测量上限"), "B": gettext_noop("与数采仪通讯异常"),
}

MAX_SEGMENT = 1024  # Table 2: 0 ≤ n ≤ 1024 characters
# Suffixes whose value is a number (Table 4: -Rtd -Min -Avg -Max -Cou -ZsRtd -ZsMin -ZsAvg -ZsMax; noise
# -Data -DayData -NightData; SBxxx-RS / -RT; 2025: -SampleRd -StandardValue).
NUMERIC_SUFFIXES = frozenset({"Rtd", "Min", "Avg", "Max", "Cou", "ZsRtd", "ZsMin", "ZsAvg", "ZsMax", "Data",
                              "DayData", "NightData", "RS", "RT", "SampleRd", "StandardValue"})
NUMERIC_NAMES = frozenset({"QnRtn", "ExeRtn", "RtdInterval", "MinInterval", "OverTime", "ReCount"})
# Fields kept as text whatever they look like (times, identifiers, flags, passwords).
TEXT_SUFFIXES = frozenset({"Flag", "EFlag", "Info", "SN", "SampleTime", "CompleteTime", "SampleType",
                           "ResultType"})
TEXT_NAMES = frozenset({"DataTime", "SystemTime", "RestartTime", "BeginTime", "EndTime", "PolId", "InfoId",
                        "NewPW", "NewSK", "SKCreateTime"})
_NUMBER = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?")
_INT = re.compile(r"[+-]?\d+")
_HEX4 = re.compile(r"[0-9A-Fa-f]{4}")
_MN = re.compile(r"[0-9A-F]{24}")
_QN = re.compile(r"\d{17}")


@dataclass(frozen=True)
class Problem:
    """One located problem: `position` is the 0-based character offset in the packet line (None: the
    packet as a whole), `field` the header or CP field concerned, `msgid` the Chinese message
    (gettext_noop, translated by the web layer) with `{}` slots filled from `params`."""

    msgid: str
    position: int | None = None
    field: str | None = None
    params: tuple[tuple[str, Any], ...] = ()

    @property
    def reason(self) -> str:
        try:
            return self.msgid.format(**dict(self.params))
        except (KeyError, IndexError, ValueError):
            return self.msgid

    def __str__(self) -> str:
        where = []
        if self.position is not None:
            where.append(gettext_noop("第 {position} 个字符").format(position=self.position + 1))
        if self.field:
            where.append(gettext_noop("字段「{field}」").format(field=self.field))
        return ("，".join(where) + "：" if where else "") + self.reason

    def as_dict(self) -> dict[str, Any]:
        return {"position": self.position, "field": self.field, "reason": self.reason}


def _p(msgid: str, position: int | None = None, field: str | None = None, **params: Any) -> Problem:
    return Problem(msgid, position, field, tuple(params.items()))


@dataclass(frozen=True)
class Options:
    """Per-receiver (or per-MN) tolerance. `crc_mode`: "hj212" (the standard), "modbus" or "either"
    (field devices that send plain CRC-16/MODBUS, sources.md §1.8). `strict_length`: a length field that
    does not match the segment is an error instead of a warning. `length_unit`: what the length counts
    for non-ASCII text — the standard does not say (UNCONFIRMED): "either" accepts bytes or characters."""

    crc_mode: str = "hj212"
    strict_length: bool = False
    length_unit: str = "either"  # "bytes" | "chars" | "either"


DEFAULT = Options()


@dataclass
class Packet:
    raw: str
    valid: bool = False
    error: Problem | None = None
    warnings: list[Problem] = field(default_factory=list)
    length: int | None = None  # the declared data-segment length
    segment: str = ""
    crc: str | None = None
    crc_matched: str | None = None  # "hj212" | "modbus"
    header: dict[str, str] = field(default_factory=dict)
    qn: str | None = None
    st: str | None = None
    cn: str | None = None
    pw: str | None = None
    mn: str | None = None
    flag: int | None = None
    version: str | None = None  # "2005" | "2017" | "2025"
    needs_ack: bool = False  # Flag bit A
    split: bool = False  # Flag bit D
    pnum: int | None = None
    pno: int | None = None
    cp: dict[str, Any] = field(default_factory=dict)  # field → number or text (first occurrence)
    items: list[dict[str, Any]] = field(default_factory=list)  # CP items separated by ';'
    data_time: datetime | None = None

    def flags(self) -> dict[str, str]:
        """Data flag per pollutant code (`code-Flag`)."""
        return {k[:-5]: v for k, v in self.cp.items() if k.endswith("-Flag") and isinstance(v, str)}

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"valid": self.valid}
        if not self.valid and self.error is not None:
            out["error"] = str(self.error)
        out.update({"qn": self.qn, "st": self.st, "cn": self.cn, "mn": self.mn, "flag": self.flag,
                    "version": self.version, "cp": self.cp})
        if self.split:
            out["pnum"], out["pno"] = self.pnum, self.pno
        if self.warnings:
            out["warnings"] = [str(w) for w in self.warnings]
        return out


# ------------------------------------------------------------------ CRC (Appendix A)
def _reflected_table() -> tuple[int, ...]:
    """The 8 shift-and-XOR(0xA001) steps applied to each register value 0..255."""
    table = []
    for v in range(256):
        for _ in range(8):
            v = (v >> 1) ^ 0xA001 if v & 1 else v >> 1
        table.append(v)
    return tuple(table)


_TABLE = _reflected_table()


def hj212_crc16(data: bytes) -> int:
    """HJ 212-2017 Appendix A CRC of the data segment (render as f"{crc:04X}"). Appendix A: register
    0xFFFF; per byte register = (register >> 8) XOR byte, then 8 times: shift right, XOR 0xA001 when the
    bit shifted out was 1. `(register >> 8) XOR byte` is below 256, so those 8 steps are one look-up in
    the table of the 256 results (the same steps, precomputed)."""
    crc = 0xFFFF
    table = _TABLE
    for b in data:
        crc = table[(crc >> 8) ^ b]
    return crc


def modbus_crc16(data: bytes) -> int:
    """Plain CRC-16/MODBUS (`register ^= byte`; what some field devices send instead, sources.md §1.8)."""
    crc = 0xFFFF
    table = _TABLE
    for b in data:
        crc = (crc >> 8) ^ table[(crc ^ b) & 0xFF]
    return crc


# ------------------------------------------------------------------ parsing
def parse(data: bytes | str, options: Options = DEFAULT) -> Packet:
    """Parse one packet (with or without the trailing CR LF). Never raises."""
    try:
        return _parse(data, options)
    except Exception as exc:  # noqa: BLE001  # pragma: no cover - a parser bug must not stop a receiver
        raw = data if isinstance(data, str) else bytes(data).decode("utf-8", "replace")
        return Packet(raw=raw, error=_p(gettext_noop("无法解析：{detail}"), detail=type(exc).__name__))


def _fail(pkt: Packet, problem: Problem) -> Packet:
    pkt.valid = False
    pkt.error = problem
    return pkt


def _parse(data: bytes | str, options: Options) -> Packet:
    if isinstance(data, str):
        text = data
    else:
        try:
            text = bytes(data).decode("utf-8")
        except UnicodeDecodeError as exc:
            pkt = Packet(raw=bytes(data).decode("utf-8", "replace"))
            return _fail(pkt, _p(gettext_noop("不是 UTF-8 文本"), exc.start))
    if text.endswith("\r\n"):
        text = text[:-2]
    elif text.endswith("\n"):
        text = text[:-1]
    pkt = Packet(raw=text)
    if not text.startswith("##"):
        return _fail(pkt, _p(gettext_noop("包头应为 ##"), 0))
    length_text = text[2:6]
    if len(length_text) < 4 or not length_text.isascii() or not length_text.isdigit():
        return _fail(pkt, _p(gettext_noop("数据段长度应为 4 位十进制数字，收到「{text}」"), 2, text=length_text))
    pkt.length = int(length_text)
    if len(text) < 10:
        return _fail(pkt, _p(gettext_noop("数据包不完整：缺少数据段或 CRC 校验码"), len(text)))
    segment, crc_text = text[6:-4], text[-4:]
    pkt.segment = segment
    if not _HEX4.fullmatch(crc_text):
        return _fail(pkt, _p(gettext_noop("CRC 校验码应为 4 位十六进制数字，收到「{text}」"), len(text) - 4,
                             text=crc_text))
    pkt.crc = crc_text.upper()
    # length check
    seg_bytes = segment.encode("utf-8")
    counts = {"chars": len(segment), "bytes": len(seg_bytes)}
    allowed = [counts["chars"], counts["bytes"]] if options.length_unit == "either" else [counts[options.length_unit]]
    if pkt.length not in allowed:
        prob = _p(gettext_noop("数据段长度字段为 {declared}，实际为 {actual}"), 2, declared=pkt.length,
                  actual=counts["bytes"] if options.length_unit == "bytes" else counts["chars"])
        if options.strict_length:
            return _fail(pkt, prob)
        pkt.warnings.append(prob)
    if counts["chars"] > MAX_SEGMENT:
        pkt.warnings.append(_p(gettext_noop("数据段超过标准规定的 {limit} 个字符"), 6, limit=MAX_SEGMENT))
    # CRC check (Appendix A); a CRC error ends processing (§6.3.1)
    want = int(crc_text, 16)
    if options.crc_mode in ("hj212", "either") and hj212_crc16(seg_bytes) == want:
        pkt.crc_matched = "hj212"
    elif options.crc_mode in ("modbus", "either") and modbus_crc16(seg_bytes) == want:
        pkt.crc_matched = "modbus"
    else:
        return _fail(pkt, _p(gettext_noop("CRC 校验错误：收到 {got}，按 HJ 212 附录 A 计算应为 {expected}"),
                             len(text) - 4, got=pkt.crc, expected=f"{hj212_crc16(seg_bytes):04X}"))
    return _parse_segment(pkt, segment)


def _parse_segment(pkt: Packet, segment: str) -> Packet:
    base = 6  # offset of the segment in the packet line
    cp_at = segment.find("CP=&&")
    if cp_at < 0:
        return _fail(pkt, _p(gettext_noop("缺少指令参数 CP=&&…&&"), base))
    head = segment[:cp_at]
    end = segment.rfind("&&")
    if end < cp_at + 5:
        return _fail(pkt, _p(gettext_noop("指令参数 CP 缺少结尾的 &&"), base + len(segment)))
    tail = segment[end + 2:]
    if tail.strip(";"):
        pkt.warnings.append(_p(gettext_noop("CP 之后还有多余内容「{text}」，已忽略"), base + end + 2,
                               text=tail[:40]))
    # header: key=value;… up to CP (order not fixed in the wild, sources.md §1.3)
    pos = 0
    for part in head.split(";"):
        at = base + pos
        pos += len(part) + 1
        if not part:
            continue
        key, sep, value = part.partition("=")
        if not sep:
            return _fail(pkt, _p(gettext_noop("字段应写作 名称=值，收到「{text}」"), at, text=part[:40]))
        if key in pkt.header:
            return _fail(pkt, _p(gettext_noop("字段重复"), at, key))
        pkt.header[key] = value
    h = pkt.header
    for key in ("ST", "CN", "MN"):
        if key not in h:
            return _fail(pkt, _p(gettext_noop("缺少字段 {name}"), base, key, name=key))
    pkt.qn, pkt.st, pkt.cn, pkt.pw, pkt.mn = h.get("QN"), h["ST"], h["CN"], h.get("PW"), h["MN"]
    if not (len(pkt.cn) == 4 and pkt.cn.isascii() and pkt.cn.isdigit()):
        return _fail(pkt, _p(gettext_noop("命令编码 CN 应为 4 位数字，收到「{text}」"), base, "CN", text=pkt.cn[:20]))
    if not (len(pkt.st) == 2 and pkt.st.isascii() and pkt.st.isalnum()):
        return _fail(pkt, _p(gettext_noop("系统编码 ST 应为 2 位，收到「{text}」"), base, "ST", text=pkt.st[:20]))
    if not pkt.mn:
        return _fail(pkt, _p(gettext_noop("设备唯一标识 MN 为空"), base, "MN"))
    if not _MN.fullmatch(pkt.mn):
        pkt.warnings.append(_p(gettext_noop("MN 不是 24 位十六进制（0-9A-F）"), base, "MN"))
    if pkt.qn is not None and not _QN.fullmatch(pkt.qn):
        pkt.warnings.append(_p(gettext_noop("QN 不是 17 位时间戳 YYYYMMDDhhmmsszzz"), base, "QN"))
    if "Flag" in h:
        ftext = h["Flag"]
        if not (ftext.isascii() and ftext.isdigit()) or int(ftext) > 255:
            return _fail(pkt, _p(gettext_noop("Flag 应为 0–255 的整数，收到「{text}」"), base, "Flag", text=ftext[:20]))
        pkt.flag = int(ftext)
        vbits = pkt.flag >> 2
        if vbits not in VERSIONS:
            return _fail(pkt, _p(gettext_noop("Flag 的版本号 {bits} 不是已知的标准版本（0 = 2005、1 = 2017、2 = 2025）"),
                                 base, "Flag", bits=vbits))
        pkt.version = VERSIONS[vbits]
        pkt.needs_ack = bool(pkt.flag & 1)
        pkt.split = bool(pkt.flag & 2)
    else:
        pkt.version = "2005"  # HJ/T 212-2005 packets carry no Flag
    if pkt.split:
        for key in ("PNUM", "PNO"):
            v = h.get(key)
            if v is None:
                pkt.warnings.append(_p(gettext_noop("Flag 标明分包，但缺少 {name}"), base, key, name=key))
            elif not (v.isascii() and v.isdigit()):
                return _fail(pkt, _p(gettext_noop("{name} 应为整数，收到「{text}」"), base, key, name=key, text=v[:20]))
        if h.get("PNUM", "").isdigit():
            pkt.pnum = int(h["PNUM"])
        if h.get("PNO", "").isdigit():
            pkt.pno = int(h["PNO"])
    # CP data area
    body_at = base + cp_at + 5
    body = segment[cp_at + 5:end]
    pos = 0
    for item_text in body.split(";"):
        item: dict[str, Any] = {}
        ipos = pos
        pos += len(item_text) + 1
        if not item_text:
            continue
        for part in item_text.split(","):
            at = body_at + ipos
            ipos += len(part) + 1
            if not part:
                continue
            key, sep, value = part.partition("=")
            if not sep or not key:
                return _fail(pkt, _p(gettext_noop("数据区字段应写作 名称=值，收到「{text}」"), at, text=part[:40]))
            typed = _typed(key, value)
            if isinstance(typed, Problem):
                return _fail(pkt, Problem(typed.msgid, at, key, typed.params))
            item[key] = typed
            if key in pkt.cp:
                if pkt.cp[key] != typed:
                    pkt.warnings.append(_p(gettext_noop("数据区字段重复且取值不同，取第一次出现的值"), at, key))
            else:
                pkt.cp[key] = typed
        if item:
            pkt.items.append(item)
    for code, letter in pkt.flags().items():
        if letter not in DATA_FLAGS:
            pkt.warnings.append(_p(gettext_noop("未知数据标记「{text}」"), None, f"{code}-Flag", text=letter[:10]))
    dt = pkt.cp.get("DataTime")
    if isinstance(dt, str):
        parsed = _time14(dt)
        if parsed is None:
            return _fail(pkt, _p(gettext_noop("DataTime 应为 YYYYMMDDhhmmss，收到「{text}」"), body_at, "DataTime",
                                 text=dt[:20]))
        pkt.data_time = parsed
    pkt.valid = True
    return pkt


def _time14(text: str) -> datetime | None:
    if len(text) != 14 or not text.isascii() or not text.isdigit():
        return None
    try:
        return datetime.strptime(text, "%Y%m%d%H%M%S")
    except ValueError:
        return None


def _suffix(key: str) -> str:
    return key.rsplit("-", 1)[1] if "-" in key else ""


def _typed(key: str, value: str) -> Any:
    suffix = _suffix(key)
    if suffix in TEXT_SUFFIXES or key in TEXT_NAMES:
        return value
    numeric = suffix in NUMERIC_SUFFIXES or key in NUMERIC_NAMES
    if value.isascii() and _NUMBER.fullmatch(value):
        if _INT.fullmatch(value):
            return int(value)
        return float(value)
    if numeric:
        return _p(gettext_noop("不是数值：「{text}」"), text=value[:20])
    return value


def numeric_values(pkt: Packet) -> list[tuple[str, float]]:
    """Pollutant values of a data upload as (field, number), e.g. ("w01018-Avg", 40.1): the fields with a
    numeric pollutant suffix (Table 4), in packet order."""
    out = []
    for key, value in pkt.cp.items():
        if "-" in key and _suffix(key) in NUMERIC_SUFFIXES and isinstance(value, (int, float)) \
                and not isinstance(value, bool):
            out.append((key, float(value)))
    return out


# ------------------------------------------------------------------ building
def build(*, st: str, cn: str, mn: str, cp: str = "", qn: str | None = None, pw: str = "123456",
          flag: int | None = 4, extra: str = "") -> bytes:
    """One packet with the standard's framing and the Appendix A CRC. `cp` is the data area without the
    `&&`; `flag` None leaves it out (2005 style). The length counts UTF-8 bytes (generator default,
    sources.md §1.2)."""
    parts = []
    if qn is not None:
        parts.append(f"QN={qn}")
    parts += [f"ST={st}", f"CN={cn}", f"PW={pw}", f"MN={mn}"]
    if flag is not None:
        parts.append(f"Flag={flag}")
    if extra:
        parts.append(extra)
    segment = ";".join(parts) + f";CP=&&{cp}&&"
    seg = segment.encode("utf-8")
    return b"##" + f"{len(seg):04d}".encode() + seg + f"{hj212_crc16(seg):04X}".encode() + b"\r\n"


def data_response(pkt: Packet) -> bytes:
    """CN 9014 数据应答 to an upload whose Flag asks for an answer (Appendix C: ST=91, the QN echoed, Flag
    with the packet's version and no answer bit, CP empty)."""
    version = VERSION_BITS.get(pkt.version or "2017", 1)
    return build(st="91", cn="9014", mn=pkt.mn or "", qn=pkt.qn, pw=pkt.pw or "", flag=version << 2)
