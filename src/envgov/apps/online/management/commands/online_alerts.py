"""Read the HJ 212 receiver's alert file (`envgov hj212 serve --alerts FILE`) into the online-monitoring
alerts of a district; the district's rule then opens its 督办. Run it from cron after the receiver, or by
hand. A bad line refuses the whole file with its line number; re-reading a file records nothing twice."""
from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from envgov.apps.geo.models import District


class Command(BaseCommand):
    help = "读取在线监控接收服务的报警文件（JSON Lines），记为本区报警，并按自动转督办规则发起督办"

    def add_arguments(self, parser):  # noqa: ANN001
        parser.add_argument("file", help="接收服务 --alerts 写入的文件")
        parser.add_argument("--district", required=True, help="区的行政区划代码，如 110112")

    def handle(self, *args, file: str, district: str, **options):  # noqa: ANN002, ANN003
        from envgov.apps.online import actions, services

        d = District.objects.filter(adcode=district).first()
        if d is None:
            raise CommandError(f"没有行政区划代码为 {district} 的区")
        records, problems = services.read_alert_file(file)
        if problems:
            raise CommandError("\n".join(p.reason for p in problems[:50]) + "\n文件有误，未记录任何报警")
        out = actions.record_alerts(d, records, note=f"读取报警文件 {file}"[:200])
        self.stdout.write(f"{d}：新增报警 {len(out.created)} 条，已有 {out.existing} 条；"
                          f"未登记点位的 MN {len(out.unknown_mn)} 个；自动转督办 {len(out.opened)} 项")
