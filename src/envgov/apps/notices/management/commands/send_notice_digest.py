"""Send the daily notice digest: one mail per person who chose 每日摘要, with their unread notices.
daily_check runs it too; this command is for a separate timer (e.g. 18:00)."""
from __future__ import annotations

import datetime as dt

from django.core.management.base import BaseCommand

from envgov.apps.notices.actions import send_digest
from envgov.apps.audit import clock


class Command(BaseCommand):
    help = "发送每日通知摘要邮件（选择“每日摘要”的用户，每人一封未读通知汇总）"

    def add_arguments(self, parser):  # noqa: ANN001
        parser.add_argument("--date", help="摘要日期 YYYY-MM-DD（默认今天）")

    def handle(self, *args, date: str | None = None, **options):  # noqa: ANN002, ANN003
        day = dt.date.fromisoformat(date) if date else clock.today()
        self.stdout.write(f"每日通知摘要：发出邮件 {send_digest(day)} 封")
