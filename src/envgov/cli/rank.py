"""`envgov rank towns …`: the town ranking of a district in the configured database, as JSON or .xlsx."""
from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Annotated

import typer

INDICATORS = ("pm25", "pm10", "dustfall", "tsp", "road_dust")
METHODS = ("concentration", "improvement", "composite")


def _django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "envgov.web.settings")
    import django

    django.setup()


def _fail(message: str) -> None:
    typer.echo(f"错误：{message}", err=True)
    raise typer.Exit(2)


def register(rank_app: typer.Typer) -> None:
    """Attach the ranking commands to the `rank` group."""

    @rank_app.command("towns")
    def towns_cmd(
        period: Annotated[str, typer.Option("--period", help="时段：2024-03（月）、2024-Q1（季度）、2024（全年）、2024-ytd（年初至今）")],
        indicator: Annotated[str, typer.Option("--indicator", help="指标：pm25、pm10、dustfall（降尘量）、tsp、road_dust（道路尘负荷）")] = "pm25",
        by: Annotated[str, typer.Option("--by", help="排名方式：concentration（浓度）、improvement（同比改善）、composite（综合）")] = "concentration",
        fmt: Annotated[str, typer.Option("--format", help="输出格式：json 或 xlsx")] = "json",
        out: Annotated[Path | None, typer.Option("--out", "-o", help="输出文件（json 默认打印到屏幕；xlsx 必填）")] = None,
        district: Annotated[str | None, typer.Option("--district", help="区名或行政区划代码（库中只有一个区时可省略）")] = None,
    ) -> None:
        """街乡镇排名：名次按修约后的报告值，并列同名次、下一名次顺延（1、2、2、4）；数据不足的街乡镇 rank 为 null。

        JSON 为列表，每项 {"town", "value", "rank", "valid_days"}；value 为排名所依据的数值
        （浓度 / 同比变化率 % / 综合指数）。"""
        indicator, by, fmt = indicator.strip().lower(), by.strip().lower(), fmt.strip().lower()
        if indicator not in INDICATORS:
            _fail(f"未知指标“{indicator}”，可选：{'、'.join(INDICATORS)}")
        if by not in METHODS:
            _fail(f"未知排名方式“{by}”，可选：{'、'.join(METHODS)}")
        if fmt not in ("json", "xlsx"):
            _fail(f"不支持的输出格式“{fmt}”，请用 json 或 xlsx")
        if fmt == "xlsx" and out is None:
            _fail("xlsx 格式需要用 --out 指定输出文件")
        _django()
        from envgov.apps.audit import clock
        from envgov.engine.towns import PeriodError, parse_period

        try:
            town_period = parse_period(period, clock.today())
        except PeriodError as exc:
            _fail(str(exc))
        from envgov.apps.geo.models import District

        districts = District.objects.all()
        if district:
            found = districts.filter(name=district.strip()).first() or districts.filter(adcode=district.strip()).first()
            if found is None:
                _fail(f"库中没有区“{district}”")
        else:
            found = districts.first() if districts.count() == 1 else None
            if found is None:
                names = "、".join(districts.values_list("name", flat=True)) or "（无）"
                _fail(f"库中有多个区或没有区，请用 --district 指定：{names}")
        from envgov.apps.rankings import export, services

        ranking = services.rank_towns(found, town_period, indicator, by=by)
        if fmt == "json":
            text = json.dumps(export.as_list(ranking), ensure_ascii=False, indent=1)
            if out is None:
                typer.echo(text)
                return
            tmp = out.with_name(out.name + ".tmp")
            tmp.write_text(text + "\n", encoding="utf-8")
            tmp.replace(out)
        else:
            tmp = out.with_name(out.name + ".tmp")  # type: ignore[union-attr]
            tmp.write_bytes(export.ranking_xlsx(ranking, found.name))
            tmp.replace(out)  # type: ignore[arg-type]
        ranked = sum(1 for r in ranking.rows if r.rank is not None)
        typer.echo(f"{found.name} {ranking.period.label}：{ranked} 个街乡镇参与排名，"
                   f"{len(ranking.rows) - ranked} 个数据不足 → {out}", err=True)
