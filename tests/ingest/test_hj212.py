"""HJ 212 parser and receiver. Expected values come from the standard as recorded in
/work/shared/reference/sources.md §1 (official vector 1C80; Appendix C segments and their CRCs computed
there with the Appendix A algorithm; a public Modbus-CRC packet 30A5), not from our code."""
from __future__ import annotations

import asyncio
import json
from datetime import datetime, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from envgov.ingest import hj212
from envgov.ingest.hj212.server import Receiver, load_limits, parse_frame, take_frames

MN = "010000A8900016F000169DC0"
OFFICIAL = ("##0101QN=20160801085857223;ST=32;CN=1062;PW=100000;MN=010000A8900016F000169DC0;Flag=5;"
            "CP=&&RtdInterval=30&&1C80\r\n")


def appendix_a_crc(data: bytes) -> int:
    """Appendix A written out step by step (sources.md §1.8), independent of the table version."""
    crc = 0xFFFF
    for b in data:
        crc = (crc >> 8) ^ b
        for _ in range(8):
            lsb = crc & 1
            crc >>= 1
            if lsb:
                crc ^= 0xA001
    return crc


def frame(segment: str, crc: str) -> str:
    return f"##{len(segment.encode()):04d}{segment}{crc}\r\n"


# ------------------------------------------------------------------ CRC vectors
VECTORS = [  # (segment, CRC) from sources.md §1.8
    ("QN=20160801085857223;ST=32;CN=1062;PW=100000;MN=010000A8900016F000169DC0;Flag=5;CP=&&RtdInterval=30&&", "1C80"),
    ("QN=20160801085857223;ST=91;CN=9014;PW=123456;MN=010000A8900016F000169DC0;Flag=4;CP=&&&&", "3240"),
    ("QN=20160801085857223;ST=91;CN=9011;PW=123456;MN=010000A8900016F000169DC0;Flag=4;CP=&&QnRtn=1&&", "1B00"),
    (("QN=20160801085857223;ST=32;CN=2011;PW=123456;MN=010000A8900016F000169DC0;Flag=5;"
      "CP=&&DataTime=20160801085857;w01018-Rtd=40.1,w01018-Flag=N&&"), "3D40"),
    (("QN=20180519013039400;ST=32;CN=2061;PW=123456;MN=88888880000020;Flag=3;"
      "CP=&&BeginTime=20180518070000,EndTime=20180518070000&&"), "D581"),
]


@pytest.mark.parametrize("segment,crc", VECTORS)
def test_crc_vectors(segment, crc):
    assert f"{hj212.hj212_crc16(segment.encode()):04X}" == crc
    pkt = hj212.parse(frame(segment, crc))
    assert pkt.valid, pkt.error
    assert pkt.crc_matched == "hj212"


def test_official_packet_length_and_fields():
    pkt = hj212.parse(OFFICIAL)
    assert pkt.valid and not pkt.warnings
    assert pkt.length == 101
    assert (pkt.qn, pkt.st, pkt.cn, pkt.pw, pkt.mn, pkt.flag) == ("20160801085857223", "32", "1062", "100000", MN, 5)
    assert pkt.version == "2017" and pkt.needs_ack and not pkt.split
    assert pkt.cp == {"RtdInterval": 30}


def test_broken_crc_is_a_located_error():
    # The standard's prose says 1C08 (a typo, sources.md §1.8): that is a CRC error.
    pkt = hj212.parse(OFFICIAL.replace("1C80", "1C08"))
    assert not pkt.valid
    assert "CRC" in pkt.error.reason and "1C80" in pkt.error.reason
    assert pkt.error.position == len(OFFICIAL) - 2 - 4


def test_modbus_crc_only_when_allowed():
    modbus = "##0077QN=20170516010101001;ST=22;CN=2011;PW=123456;MN=ABCDEFG1234567;Flag=3;CP=&&&&30A5"
    assert not hj212.parse(modbus).valid  # HJ 212 CRC would be 0140
    assert "0140" in hj212.parse(modbus).error.reason
    pkt = hj212.parse(modbus, hj212.Options(crc_mode="either"))
    assert pkt.valid and pkt.crc_matched == "modbus"
    seg = VECTORS[0][0].encode()
    assert f"{hj212.modbus_crc16(seg):04X}" == "0759"  # sources.md: Modbus CRC of the official segment


def test_lowercase_crc_accepted():
    assert hj212.parse(OFFICIAL.replace("1C80", "1c80")).valid


@given(st.binary(max_size=300))
def test_table_crc_equals_appendix_a(data):
    assert hj212.hj212_crc16(data) == appendix_a_crc(data)


# ------------------------------------------------------------------ flag, versions, split
def seg(cn="2011", flag=4, cp="DataTime=20160801085857;w01018-Rtd=40.1,w01018-Flag=N", extra="", st_="32", qn=True):
    head = (["QN=20160801085857223"] if qn else []) + [f"ST={st_}", f"CN={cn}", "PW=123456", f"MN={MN}"]
    if flag is not None:
        head.append(f"Flag={flag}")
    if extra:
        head.append(extra)
    return ";".join(head) + f";CP=&&{cp}&&"


def make(segment: str) -> str:
    return frame(segment, f"{appendix_a_crc(segment.encode()):04X}")


@pytest.mark.parametrize("flag,version,ack,split", [
    (4, "2017", False, False), (5, "2017", True, False), (6, "2017", False, True), (7, "2017", True, True),
    (8, "2025", False, False), (9, "2025", True, False), (11, "2025", True, True), (1, "2005", True, False),
])
def test_flag_bits(flag, version, ack, split):
    extra = "PNUM=3;PNO=2" if split else ""
    pkt = hj212.parse(make(seg(flag=flag, extra=extra)))
    assert pkt.valid, pkt.error
    assert (pkt.version, pkt.needs_ack, pkt.split) == (version, ack, split)
    if split:
        assert (pkt.pnum, pkt.pno) == (3, 2)


def test_no_flag_is_2005_and_unknown_version_refused():
    pkt = hj212.parse(make(seg(flag=None, qn=False)))
    assert pkt.valid and pkt.version == "2005" and pkt.qn is None and not pkt.needs_ack
    bad = hj212.parse(make(seg(flag=12)))  # version bits 3: no edition defines it
    assert not bad.valid and bad.error.field == "Flag"


def test_2025_heartbeat():
    pkt = hj212.parse(make(seg(cn="9015", flag=8, cp="")))
    assert pkt.valid and pkt.version == "2025" and pkt.cp == {}


# ------------------------------------------------------------------ CP data
def test_cp_numbers_and_flags():
    cp = ("DataTime=20160801080000;w01018-Avg=40.1,w01018-Min=30,w01018-Max=50.5,w01018-Flag=N;"
          "w21003-Avg=1.25e0,w21003-Flag=D;w00000-Cou=1200")
    pkt = hj212.parse(make(seg(cn="2061", cp=cp)))
    assert pkt.valid
    assert pkt.cp["w01018-Avg"] == 40.1 and isinstance(pkt.cp["w01018-Min"], int) and pkt.cp["w01018-Max"] == 50.5
    assert pkt.cp["w21003-Avg"] == 1.25 and pkt.cp["DataTime"] == "20160801080000"
    assert pkt.data_time == datetime(2016, 8, 1, 8)
    assert pkt.flags() == {"w01018": "N", "w21003": "D"}
    assert len(pkt.items) == 4  # DataTime, w01018, w21003, w00000
    assert dict(hj212.numeric_values(pkt)) == {"w01018-Avg": 40.1, "w01018-Min": 30.0, "w01018-Max": 50.5,
                                               "w21003-Avg": 1.25, "w00000-Cou": 1200.0}
    out = json.loads(json.dumps(pkt.as_dict()))
    assert out["cp"]["w01018-Avg"] == 40.1


def test_non_number_value_located():
    s = seg(cp="DataTime=20160801085857;w01018-Rtd=4O.1")
    pkt = hj212.parse(make(s))
    assert not pkt.valid and pkt.error.field == "w01018-Rtd"
    assert pkt.error.position == 6 + s.index("w01018-Rtd")


def test_bad_datatime_and_missing_fields():
    assert hj212.parse(make(seg(cp="DataTime=20161301085857;w01018-Rtd=1"))).error.field == "DataTime"
    no_mn = "QN=20160801085857223;ST=32;CN=2011;PW=123456;Flag=4;CP=&&&&"
    assert hj212.parse(make(no_mn)).error.field == "MN"
    no_cp = "QN=20160801085857223;ST=32;CN=2011;PW=123456;MN=X;Flag=4"
    assert not hj212.parse(make(no_cp)).valid


def test_length_mismatch_is_warning_or_error():
    s = seg()
    wrong = f"##{len(s) + 6:04d}{s}{appendix_a_crc(s.encode()):04X}\r\n"
    pkt = hj212.parse(wrong)
    assert pkt.valid and any("长度" in w.reason for w in pkt.warnings)
    assert not hj212.parse(wrong, hj212.Options(strict_length=True)).valid


def test_utf8_length_bytes_or_chars():
    s = seg(cn="3020", cp="i11001-Info=设备维护")
    crc = f"{appendix_a_crc(s.encode()):04X}"
    by_bytes = f"##{len(s.encode()):04d}{s}{crc}"
    by_chars = f"##{len(s):04d}{s}{crc}"
    for text in (by_bytes, by_chars):
        pkt = hj212.parse(text.encode(), hj212.Options(strict_length=True))
        assert pkt.valid and pkt.cp["i11001-Info"] == "设备维护"


def test_data_response_9014():
    pkt = hj212.parse(make(seg(flag=5)))
    resp = hj212.data_response(pkt)
    # Appendix C reply segment; CRC 3240 from sources.md §1.8
    assert resp == frame(VECTORS[1][0], "3240").encode()


@settings(max_examples=400, deadline=None)
@given(st.binary(max_size=400))
def test_parser_never_raises_on_bytes(data):
    pkt = hj212.parse(data)
    json.dumps(pkt.as_dict())
    assert pkt.valid or pkt.error is not None


@settings(max_examples=300, deadline=None)
@given(st.data())
def test_parser_never_raises_on_mutations(data):
    good = make(seg(cn="2061", cp="DataTime=20160801080000;w01018-Avg=40.1,w01018-Flag=N")).encode()
    i = data.draw(st.integers(0, len(good)))
    j = data.draw(st.integers(i, len(good)))
    ins = data.draw(st.binary(max_size=20))
    pkt = hj212.parse(good[:i] + ins + good[j:])
    json.dumps(pkt.as_dict())


# ------------------------------------------------------------------ framing and the receiver
def upload(mn: str, hour: int, value: float, cn: str = "2061", flag: int = 4, qn_ms: int = 0, letter: str = "N") -> bytes:
    t = datetime(2024, 9, 16) + timedelta(hours=hour)
    qn = (t + timedelta(minutes=5)).strftime("%Y%m%d%H%M%S") + f"{qn_ms:03d}"
    suffix = "Avg" if cn == "2061" else "Rtd"
    cp = f"DataTime={t:%Y%m%d%H%M%S};w01018-{suffix}={value},w01018-Flag={letter};w21003-{suffix}=1.5"
    return hj212.build(st="32", cn=cn, mn=mn, qn=qn, flag=flag, cp=cp)


def test_take_frames_split_and_joined():
    a, b = upload("A" * 24, 0, 1.0), upload("B" * 24, 0, 2.0)
    stream = b"noise" + a + b + b"\r\n" + a[:10]
    for cut in range(len(stream) + 1):
        buf, got = bytearray(), []
        for chunk in (stream[:cut], stream[cut:]):
            buf += chunk
            got += take_frames(buf)
        packets = [f for k, f in got if k == "packet"]
        assert packets == [a, b]
        assert bytes(buf) == a[:10]


def test_truncated_packet_followed_by_good_one():
    a, b = upload("A" * 24, 0, 1.0), upload("B" * 24, 0, 2.0)
    pkt, bad = parse_frame(a[:40] + b)
    assert pkt.valid and pkt.mn == "B" * 24 and bad == a[:40]


class FakeWriter:
    def __init__(self):
        self.data = bytearray()

    def is_closing(self):
        return False

    def write(self, data):
        self.data += data


def goods(n):
    return [upload(f"{i % 7:024X}", i, float(i) + 0.5, cn="2061" if i % 2 else "2011") for i in range(n)]


bad_item = st.one_of(
    st.binary(max_size=60),
    st.builds(lambda i, k: goods(12)[i][:k], st.integers(0, 11), st.integers(0, 80)),  # truncated
    st.builds(lambda i: goods(12)[i][:-6] + b"0000\r\n", st.integers(0, 11)),  # wrong CRC
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.one_of(st.tuples(st.just("good"), st.integers(0, 11)), st.tuples(st.just("bad"), bad_item)),
                max_size=25),
       st.lists(st.integers(1, 400), max_size=10))
def test_receiver_keeps_every_good_packet(items, cuts):
    """Good packets mixed with junk, truncated and wrong-CRC packets, cut into arbitrary reads: every good
    packet (once, even when re-sent) is accepted, nothing raises."""
    pool = goods(12)
    stream = b"".join(pool[x] if kind == "good" else x for kind, x in items)
    expected = {x for kind, x in items if kind == "good"}
    accepted = []

    class Recording(Receiver):
        def accept(self, pkt, peer="", writer=None):
            accepted.append(pkt)
            super().accept(pkt, peer, writer)

    r = Recording(None)
    buf, pos = bytearray(), 0
    for c in [*cuts, len(stream) + 1]:
        buf += stream[pos:pos + c]
        pos += c
        r.handle_bytes(buf)
    buf += stream[pos:]
    r.handle_bytes(buf + b"\r\n")  # end of stream: a dangling frame is closed (as the connection would)
    got = {(p.mn, p.data_time) for p in accepted}
    want = {(hj212.parse(pool[i]).mn, hj212.parse(pool[i]).data_time) for i in expected}
    assert want <= got
    assert r.stats.stored_packets == len(want)
    assert len(r._rows[0]) == 2 * len(want)


def test_duplicates_answered_not_stored_and_alerts():
    alerts = []
    r = Receiver(None, limits={MN: {"w01018": hj212_limit(50)}}, on_alert=alerts.append)
    w = FakeWriter()
    p1 = upload(MN, 1, 60.0, flag=5)
    resent_other_qn = upload(MN, 1, 60.0, flag=5, qn_ms=7)
    stopped = upload(MN, 2, 0.0, letter="F")
    fault = upload(MN, 3, 10.0, letter="D")
    calib = upload(MN, 4, 10.0, cn="2011", letter="C")
    r.handle_bytes(bytearray(p1 + p1 + resent_other_qn + stopped + fault + calib), writer=w)
    assert r.stats.stored_packets == 4 and r.stats.duplicates == 2
    assert w.data == b""  # answers wait for the commit
    asyncio.run(r.flush())
    assert w.data.count(b"CN=9014") == 3
    kinds = sorted((a["type"], a.get("flag") or a.get("field")) for a in alerts)
    assert kinds == [("data_flag", "C"), ("data_flag", "D"), ("data_flag", "F"), ("exceedance", "w01018-Avg")]
    exc = next(a for a in alerts if a["type"] == "exceedance")
    assert exc["value"] == 60.0 and exc["limit"] == 50.0 and exc["time"] == "2024-09-16T01:00:00"


def hj212_limit(mx):
    from envgov.ingest.hj212.server import Limit

    return Limit("w01018", max=mx)


def test_load_limits(tmp_path):
    p = tmp_path / "limits.json"
    p.write_text(json.dumps({MN: {"w01018": {"max": 50, "unit": "mg/L"}}, "*": {"w01001": {"min": 6, "max": 9}}}))
    lim = load_limits(p)
    assert lim[MN]["w01018"].max == 50 and lim["*"]["w01001"].min == 6
    p.write_text(json.dumps({MN: {"w01018": {"max": "五十"}}}))
    with pytest.raises(ValueError, match="max 应为数值"):
        load_limits(p)


# ------------------------------------------------------------------ over TCP, into the lake
async def _send_all(port, per_point, ack_every=10):
    answers = 0

    async def point(packets):
        nonlocal answers
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        data = b"".join(packets)
        for i in range(0, len(data), 173):  # deliberately odd read sizes
            writer.write(data[i:i + 173])
        await writer.drain()
        writer.write_eof()
        got = await reader.read()
        answers += got.count(b"CN=9014")
        writer.close()

    await asyncio.gather(*(point(p) for p in per_point))
    return answers


def test_loopback_exactly_once(tmp_path):
    """2,000 packets from 50 points over TCP, with re-sends and bad packets: every valid one lands in the
    lake exactly once (the non-timed version of benchmarks/hj212_load.py)."""
    from envgov.engine.lake import Lake

    lake = Lake(tmp_path / "lake")
    points, per = 50, 40
    per_point, expected_rows, acks = [], 0, 0
    for p in range(points):
        mn = f"{p:024X}"
        packets = []
        for h in range(per):
            flag = 5 if h % 10 == 0 else 4
            acks += flag == 5
            pk = upload(mn, h, p + h / 10, cn="2061" if h % 2 else "2011", flag=flag)
            packets.append(pk)
            expected_rows += 2
            if h % 13 == 0:
                packets.append(b"##0042garbage\r\n" + pk[:30])  # a bad packet and a truncated one
            if h % 17 == 0:
                packets.append(pk)  # re-sent
                acks += flag == 5
        per_point.append(packets)
    alerts_file = tmp_path / "alerts.jsonl"

    async def main():
        r = Receiver(lake, alerts_path=alerts_file, batch_rows=1000, flush_seconds=0.2,
                     limits={"*": {"w01018": hj212_limit(40)}})
        server = await r.start("127.0.0.1", 0)
        port = server.sockets[0].getsockname()[1]
        answers = await _send_all(port, per_point)
        await r.close()
        return r, answers

    r, answers = asyncio.run(main())
    assert r.stats.stored_packets == points * per
    assert answers == acks
    assert r.stats.invalid > 0
    table = lake.to_arrow("online")
    assert table.num_rows == expected_rows
    assert r.stats.rows_appended == expected_rows
    # a restarted receiver re-receiving everything stores nothing new
    async def again():
        r2 = Receiver(lake, batch_rows=1000, flush_seconds=0.2)
        server = await r2.start("127.0.0.1", 0)
        await _send_all(server.sockets[0].getsockname()[1], per_point[:5])
        await r2.close()
        return r2

    r2 = asyncio.run(again())
    assert r2.stats.rows_appended == 0 and r2.stats.rows_already_present == 5 * per * 2
    assert lake.to_arrow("online").num_rows == expected_rows
    lines = [json.loads(x) for x in alerts_file.read_text(encoding="utf-8").splitlines()]
    assert lines and all(a["type"] == "exceedance" and a["value"] > 40 for a in lines)


def test_conflicting_resend_after_restart_keeps_the_rest(tmp_path):
    from envgov.engine.lake import Lake

    lake = Lake(tmp_path / "lake")
    problems = []

    async def run(packets):
        r = Receiver(lake, on_problem=problems.append)
        r.handle_bytes(bytearray(b"".join(packets)))
        await r.flush()
        return r

    asyncio.run(run([upload(MN, 0, 1.0)]))
    r = asyncio.run(run([upload(MN, 0, 2.0), upload(MN, 1, 3.0)]))  # hour 0 re-sent with another value
    # hour 0: w01018 differs (conflict, left out), w21003 is the same (already there); hour 1: two new rows
    assert (r.stats.rows_conflicting, r.stats.rows_already_present, r.stats.rows_appended) == (1, 1, 2)
    assert any(p["kind"] == "conflict" for p in problems)
    assert lake.to_arrow("online").num_rows == 4


# ------------------------------------------------------------------ CLI
def test_cli_parse(tmp_path):
    from typer.testing import CliRunner

    from envgov.cli import app

    f = tmp_path / "p.txt"
    f.write_text(OFFICIAL + OFFICIAL.replace("1C80", "1C08") + "\n" + make(seg(cn="2061", cp="DataTime=20160801080000;w01018-Avg=40.1,w01018-Flag=N")),
                 encoding="utf-8")
    res = CliRunner().invoke(app, ["hj212", "parse", str(f)])
    assert res.exit_code == 0, res.output
    rows = [json.loads(x) for x in res.stdout.splitlines()]
    assert [r["valid"] for r in rows] == [True, False, True]
    assert rows[0]["cp"] == {"RtdInterval": 30} and rows[0]["flag"] == 5 and rows[0]["mn"] == MN
    assert "CRC" in rows[1]["error"] and "第 2 行" in rows[1]["error"]
    assert rows[2]["cp"]["w01018-Avg"] == 40.1 and rows[2]["cn"] == "2061"
    res = CliRunner().invoke(app, ["hj212", "parse", "-"], input=OFFICIAL)
    assert json.loads(res.stdout)["valid"] is True
    assert CliRunner().invoke(app, ["hj212", "serve"], env={"ENVGOV_LAKE": ""}).exit_code == 2


def test_split_packets_stored_per_part():
    """Flag D = 1: the parts of one DataTime (PNO 1 and 2) are both stored; a re-sent part is not."""
    t = "20240916080000"
    parts = [hj212.build(st="32", cn="2061", mn=MN, qn="20240916080500000", flag=6, extra=f"PNUM=2;PNO={n}",
                         cp=f"DataTime={t};{code}-Avg={v}")
             for n, code, v in ((1, "w01018", 12.5), (2, "w21003", 0.8))]
    r = Receiver(None)
    r.handle_bytes(bytearray(parts[0] + parts[1] + parts[1]))
    assert r.stats.stored_packets == 2 and r.stats.duplicates == 1
    assert sorted(r._rows[2]) == ["w01018-Avg", "w21003-Avg"]


def test_problem_messages_are_located_and_translatable():
    pkt = hj212.parse(OFFICIAL.replace("1C80", "1C08"))
    assert pkt.error.msgid.startswith("CRC 校验错误")  # the msgid, for the web layer's gettext
    assert str(pkt.error).startswith("第 108 个字符")
