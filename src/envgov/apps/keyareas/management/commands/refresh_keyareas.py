"""Build (or rebuild) the month's ledger of the sources inside the key areas, for one district or all.
Idempotent per month: running it again for the same month replaces that month's rows (decision 0038)."""
from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from envgov.apps.geo.models import District


class Command(BaseCommand):
    help = "更新重点区域污染源台账（按月，可重复执行）"

    def add_arguments(self, parser):  # noqa: ANN001
        parser.add_argument("--month", help="YYYY-MM（默认本月）")
        parser.add_argument("--district", help="区划代码（默认所有划定了重点区域的区）")

    def handle(self, *args, month: str | None = None, district: str | None = None, **options):  # noqa: ANN002, ANN003
        from envgov.apps.keyareas import actions
        from envgov.apps.keyareas.models import KeyArea

        if district:
            districts = list(District.objects.filter(adcode=district))
            if not districts:
                raise CommandError(f"没有区划代码为 {district} 的区")
        else:
            districts = list(District.objects.filter(pk__in=KeyArea.objects.values("district_id")))
        for d in districts:
            try:
                ledger = actions.refresh_month(d, acting_user=None, month=month)
            except ValueError as exc:
                raise CommandError(str(exc)) from None
            self.stdout.write(f"{d.name} {ledger.month}: {ledger.rows.count()} 条")
