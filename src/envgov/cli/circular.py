"""`envgov circular`: a 通报 (.docx, optionally the .xlsx of its tables) for a period, from the configured
database's rankings — the same content and layout as the 通报 page's draft, written to a file; nothing is
stored in the database (no 文号 is taken: the number stays blank, as on a draft)."""
from __future__ import annotations

from pathlib import Path

import typer

from envgov.cli.audit import _django


def _fail(message: str) -> None:
    typer.echo(message, err=True)
    raise typer.Exit(2)


def register(app: typer.Typer) -> None:
    @app.command("circular")
    def circular_cmd(
        period: str = typer.Option(..., "--period", help="期间：2024-03（月）、2024-Q1、2024、2024-ytd"),
        out: Path = typer.Option(..., "--out", help="输出的 Word 文件（.docx）"),
        district: str = typer.Option("", "--district", help="区名或行政区划代码；库中只有一个区时可省略"),
        xlsx: Path | None = typer.Option(None, "--xlsx", help="同时输出排名表（.xlsx）"),
        by: str = typer.Option("concentration", "--by", help="排名方式：concentration（浓度）、improvement（改善幅度）、composite（综合）"),
    ) -> None:
        """生成街乡镇排名通报（GB/T 9704-2012 公文格式 .docx），数据取自当前数据库。"""
        if out.suffix.lower() != ".docx":
            _fail(f"输出文件应以 .docx 结尾：{out}")
        for path in (out, xlsx):
            if path is not None and not path.parent.exists():
                _fail(f"输出目录不存在：{path.parent}")
        if xlsx is not None and xlsx.suffix.lower() != ".xlsx":
            _fail(f"排名表文件应以 .xlsx 结尾：{xlsx}")
        _django()
        from django.db.models import Q

        from envgov.apps.audit import clock
        from envgov.apps.circulars import services
        from envgov.apps.geo.models import District
        from envgov.apps.rankings import services as rankings
        from envgov.reports import circular as report

        if by not in services.BY_LABELS:
            _fail(f"排名方式应为 concentration、improvement 或 composite：{by}")
        if district:
            found = list(District.objects.filter(Q(name=district) | Q(adcode=district)))
            if not found:
                _fail(f"找不到区“{district}”")
        else:
            found = list(District.objects.all()[:2])
            if not found:
                _fail("数据库中还没有区（演示数据请先运行 make demo）")
            if len(found) > 1:
                _fail("数据库中有多个区，请用 --district 指定区名或行政区划代码")
        the_district = found[0]
        if not the_district.towns.filter(active=True).exists():
            _fail(f"{the_district}还没有街乡镇，无法生成排名通报")
        try:
            the_period = rankings.period_of(period)
        except rankings.PeriodError as exc:
            _fail(str(exc))
        setting = services.settings_of(the_district)
        content, the_period = services.build_content(
            the_district, the_period, by=by,
            number=report.document_number(setting.number_prefix, clock.today().year, None))
        try:
            body = report.build_docx(content)
        except report.FontMissing as exc:
            typer.echo(f"{exc}；本次输出不含图表", err=True)
            body = report.build_docx(content, charts=False)
        out.write_bytes(body)
        if xlsx is not None:
            xlsx.write_bytes(report.build_xlsx(content))
        ranked = sum(1 for s in content.sections for r in s.rows if r.rank is not None)
        bottom = "、".join(dict.fromkeys(r.town for s in content.sections for r in s.bottom)) or "无"
        typer.echo(f"已生成 {out}：{the_district} {the_period.label}，{len(content.sections)} 项排名，"
                   f"参加排名 {ranked} 个（街乡镇×指标），排名靠后：{bottom}")
