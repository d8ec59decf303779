"""Benchmark: the HJ 212 receiver under load — `envgov hj212 serve` as its own process on loopback, fed by
N simulated monitoring points over N simultaneous TCP connections, every packet an hourly (CN 2061)
upload of COD, NH3-N and TP (Avg/Min/Max/Flag, 9 numbers), 1 in 10 asking for a 9014 answer, plus bad
packets (wrong CRC, truncated) and re-sends mixed in.

    .venv/bin/python benchmarks/hj212_load.py                       # 100,000 packets from 1,000 points
    .venv/bin/python benchmarks/hj212_load.py --points 50 --packets 2000

Checks (issue 17): every valid packet lands in the lake exactly once — the lake's row count equals
valid packets × 9, re-sends and bad packets add nothing — and every 9014 asked for is received.
Figures: packets per second (first byte sent → last row committed, as seen by the clients plus the
server's final flush), the server's peak resident memory (VmHWM from /proc), beside a ceiling measured
in the same run: an asyncio server on the same loopback that only counts CR LF (no parsing, no lake) —
how fast this machine moves the same bytes through one Python event loop.
"""
from __future__ import annotations

import argparse
import asyncio
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from envgov.ingest.hj212 import build

CODES = ("w01018", "w21003", "w21011")
FIELDS = 3 * len(CODES)  # Avg, Min, Max per code (Flag is text, not stored)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def point_stream(p: int, per: int, start: datetime) -> tuple[bytes, int, int]:
    """Bytes one point sends, the number of valid distinct packets and the answers it asks for."""
    mn = f"{p:024X}"
    out, acks = [], 0
    for h in range(per):
        t = start + timedelta(hours=h)
        flag = 5 if h % 10 == 0 else 4
        cp = ";".join(f"{c}-Avg={10 + (p * 7 + h * 3 + i) % 50 / 1.7:.3f},{c}-Min={1 + i},{c}-Max={90 + i},"
                      f"{c}-Flag={'N' if (p + h) % 97 else 'D'}" for i, c in enumerate(CODES))
        pk = build(st="32", cn="2061", mn=mn, qn=f"{t + timedelta(minutes=3):%Y%m%d%H%M%S}000", flag=flag,
                   cp=f"DataTime={t:%Y%m%d%H%M%S};{cp}")
        out.append(pk)
        acks += flag == 5
        if h % 50 == 7:
            wrong = f"{int(pk[-6:-2], 16) ^ 0x0101:04X}".encode()
            out.append(pk[:-6] + wrong + b"\r\n")  # wrong CRC
        if h % 50 == 21:
            out.append(pk[: len(pk) // 2])  # truncated, the next packet follows at once
        if h % 50 == 33:
            out.append(pk)  # re-sent (answered again if it asked, not stored again)
            acks += flag == 5
    return b"".join(out), per, acks


async def drive(port: int, streams: list[bytes], chunk: int = 1460) -> tuple[int, float]:
    answers = 0
    t0 = time.perf_counter()

    async def one(data: bytes) -> None:
        nonlocal answers
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        sent = 0
        try:
            for i in range(0, len(data), chunk):
                writer.write(data[i:i + chunk])
                sent += len(data[i:i + chunk])
                await writer.drain()
            writer.write_eof()
            got = await reader.read()
        except ConnectionError as exc:
            print(f"client error after {time.perf_counter() - t0:.2f} s, {sent} of {len(data)} bytes: {exc!r}")
            raise
        answers += got.count(b"CN=9014")
        writer.close()

    t0 = time.perf_counter()
    await asyncio.gather(*(one(s) for s in streams))
    return answers, time.perf_counter() - t0


async def ceiling(streams: list[bytes]) -> float:
    """Same bytes into an asyncio server that only counts CR LF (in this process)."""
    count = 0

    async def handle(reader, writer):
        nonlocal count
        while chunk := await reader.read(65536):
            count += chunk.count(b"\r\n")
        writer.close()

    server = await asyncio.start_server(handle, "127.0.0.1", 0, backlog=1024)
    port = server.sockets[0].getsockname()[1]
    _answers, secs = await drive(port, streams)
    server.close()
    await server.wait_closed()
    return secs


def vm_hwm_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--points", type=int, default=1000)
    ap.add_argument("--packets", type=int, default=100_000, help="valid distinct packets in all")
    ap.add_argument("--server-arg", action="append", default=[],
                    help="extra option for `envgov hj212 serve`, e.g. --server-arg=--batch-rows=200000")
    args = ap.parse_args()
    per = args.packets // args.points
    start = datetime(2024, 9, 1)
    streams, valid, acks = [], 0, 0
    for p in range(args.points):
        data, n, a = point_stream(p, per, start)
        streams.append(data)
        valid += n
        acks += a
    sent_packets = sum(s.count(b"\r\n") for s in streams)
    total_bytes = sum(len(s) for s in streams)
    print(f"{args.points} points, {valid} valid packets (+ bad and re-sent: {sent_packets - valid} more frames), "
          f"{total_bytes / 1e6:.1f} MB")
    with tempfile.TemporaryDirectory(prefix="hj212-bench-") as tmp:
        lake_dir = Path(tmp) / "lake"
        port = free_port()
        env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
        err = open(os.environ.get("HJ212_BENCH_STDERR", Path(tmp) / "stderr.jsonl"), "w+b")  # noqa: SIM115
        proc = subprocess.Popen(
            [sys.executable, "-c", "from envgov.cli import main; main()", "hj212", "serve", "--port", str(port),
             "--lake", str(lake_dir), "--alerts", str(Path(tmp) / "alerts.jsonl"), *args.server_arg],
            env=env, stderr=err)
        for _ in range(200):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.1).close()
                break
            except OSError:
                time.sleep(0.05)
        t0 = time.perf_counter()
        answers, send_secs = asyncio.run(drive(port, streams))
        peak = vm_hwm_mb(proc.pid)
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=600)
        total_secs = time.perf_counter() - t0
        peak = max(peak, 0.0)
        from envgov.engine.lake import Lake

        rows = Lake(lake_dir).to_arrow("online").num_rows
        err.seek(0)
        tail = [x for x in err.read().decode("utf-8", "replace").splitlines() if x.startswith("已停止")]
        err.close()
    ceiling_secs = asyncio.run(ceiling(streams))
    ok_rows = rows == valid * FIELDS
    print(f"receiver: {valid / total_secs:,.0f} valid packets/s ({sent_packets / total_secs:,.0f} frames/s), "
          f"{total_secs:.1f} s to the last commit (clients done after {send_secs:.1f} s); "
          f"peak RSS of the server {peak:.0f} MB")
    print(f"ceiling (count CR LF only, same bytes, same loopback): {sent_packets / ceiling_secs:,.0f} frames/s")
    print(f"lake rows {rows} = {valid} × {FIELDS}: {'OK' if ok_rows else 'MISMATCH'}; "
          f"9014 answers {answers} of {acks} asked: {'OK' if answers == acks else 'MISMATCH'}")
    if tail:
        print("server:", tail[-1])
    if not ok_rows or answers != acks:
        sys.exit(1)


if __name__ == "__main__":
    main()
