"""`envgov hj212 …` commands: parse (one HJ 212 packet a line → one JSON object a line), serve (the TCP
receiver writing hourly and real-time values into the observation lake; `envgov.ingest.hj212.server`)."""
from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Annotated

import typer

from envgov.cli.common import fail

CRC_MODES = ("hj212", "modbus", "either")


def _options(crc: str, strict_length: bool):
    if crc not in CRC_MODES:
        raise fail(f"--crc 只能是 {'、'.join(CRC_MODES)}，收到「{crc}」")
    from envgov.ingest.hj212 import Options

    return Options(crc_mode=crc, strict_length=strict_length)


def parse(
    source: Annotated[str, typer.Argument(help="数据包文件，每行一个数据包；- 表示标准输入")],
    crc: Annotated[str, typer.Option("--crc", help="CRC 算法：hj212（标准附录 A，缺省）、modbus 或 either")] = "hj212",
    strict_length: Annotated[bool, typer.Option("--strict-length", help="长度字段不符时判为无效（缺省只警告）")] = False,
) -> None:
    """逐行解析 HJ 212 数据包，每行输出一个 JSON 对象：valid、error（无效时）、qn、st、cn、mn、flag、
    version、cp（字段 → 值，数值为数字）、warnings。空行跳过。"""
    options = _options(crc, strict_length)
    from envgov.ingest.hj212 import parse as parse_packet

    if source == "-":
        stream = sys.stdin.buffer
    else:
        try:
            stream = open(source, "rb")  # noqa: SIM115 - closed below
        except OSError as exc:
            raise fail(f"无法打开 {source}：{exc.strerror}") from None
    out = sys.stdout
    try:
        for line_no, line in enumerate(stream, 1):
            line = line.rstrip(b"\r\n")
            if not line.strip():
                continue
            record = parse_packet(line, options).as_dict()
            if not record["valid"]:
                record["error"] = f"第 {line_no} 行，{record.get('error', '')}"
            record["line"] = line_no
            out.write(json.dumps(record, ensure_ascii=False) + "\n")
    finally:
        if stream is not sys.stdin.buffer:
            stream.close()
    out.flush()


def serve(
    port: Annotated[int, typer.Option("--port", help="监听端口")] = 9212,
    host: Annotated[str, typer.Option("--host", help="监听地址（接收现场数采仪时用 0.0.0.0）")] = "127.0.0.1",
    lake: Annotated[str | None, typer.Option(
        "--lake", help="观测数据湖（本地目录或 fsspec 地址）；缺省取环境变量 ENVGOV_LAKE")] = None,
    limits: Annotated[Path | None, typer.Option("--limits", help="各点位许可限值（JSON），见 docs/hj212.md")] = None,
    alerts: Annotated[Path, typer.Option("--alerts", help="告警记录追加写入的 JSON Lines 文件")] = Path("hj212-alerts.jsonl"),
    crc: Annotated[str, typer.Option("--crc", help="CRC 算法：hj212（缺省）、modbus 或 either")] = "hj212",
    batch_rows: Annotated[int, typer.Option("--batch-rows", help="攒够多少条数值写一次数据湖")] = 50_000,
    flush_seconds: Annotated[float, typer.Option("--flush-seconds", help="至多每隔几秒写一次数据湖")] = 1.0,
) -> None:
    """HJ 212 TCP 接收服务：小时数据（CN 2061）与实时数据（CN 2011）写入观测数据湖（类别 online），
    Flag 要求应答时回 9014；超限与异常数据标记写入告警文件；无效数据包记入标准错误输出后跳过。"""
    options = _options(crc, False)
    lake_url = lake or os.environ.get("ENVGOV_LAKE")
    if not lake_url:
        raise fail("请用 --lake 指定观测数据湖，或设置环境变量 ENVGOV_LAKE")
    if not 0 < port < 65536:
        raise fail(f"端口应在 1–65535 之间，收到 {port}")
    if batch_rows < 1 or flush_seconds <= 0:
        raise fail("--batch-rows 应为正整数，--flush-seconds 应大于 0")
    import asyncio
    import signal

    from envgov.engine.lake import Lake
    from envgov.ingest.hj212.server import Receiver, load_limits

    table = {}
    if limits is not None:
        try:
            table = load_limits(limits)
        except ValueError as exc:
            raise fail(str(exc)) from None

    def problem(record: dict) -> None:
        sys.stderr.write(json.dumps(record, ensure_ascii=False, default=str) + "\n")

    receiver = Receiver(Lake(lake_url), limits=table, alerts_path=alerts, on_problem=problem, options=options,
                        batch_rows=batch_rows, flush_seconds=flush_seconds)

    async def run() -> None:
        try:
            await receiver.start(host, port)
        except OSError as exc:
            raise fail(f"无法监听 {host}:{port}：{exc.strerror}") from None
        typer.echo(f"HJ 212 接收服务已启动：{host}:{port}，数据湖 {lake_url}，告警写入 {alerts}", err=True)
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
        await stop.wait()
        await receiver.close()
        s = receiver.stats
        typer.echo(f"已停止：有效数据包 {s.valid}，无效 {s.invalid}，重复 {s.duplicates}，入库数值 {s.rows_appended}，"
                   f"告警 {s.alerts}", err=True)

    asyncio.run(run())


def register(app: typer.Typer) -> None:
    app.command("parse")(parse)
    app.command("serve")(serve)
