"""Write a district's permit limits as the limits file `envgov hj212 serve --limits FILE` reads."""
from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from envgov.apps.geo.models import District


class Command(BaseCommand):
    help = "导出本区在线监控许可限值，供接收服务 envgov hj212 serve --limits 使用"

    def add_arguments(self, parser):  # noqa: ANN001
        parser.add_argument("--district", required=True, help="区的行政区划代码，如 110112")
        parser.add_argument("--out", required=True, help="写入的 JSON 文件")

    def handle(self, *args, district: str, out: str, **options):  # noqa: ANN002, ANN003
        from envgov.apps.online import services

        d = District.objects.filter(adcode=district).first()
        if d is None:
            raise CommandError(f"没有行政区划代码为 {district} 的区")
        Path(out).write_text(services.limits_json(d), encoding="utf-8")
        self.stdout.write(f"已写入 {out}")
