"""The daily check (run once a day by cron/systemd timer): open 督办 for overdue and lagging tasks of every
issued plan, and print what each unit and town still owes for the current period."""
from __future__ import annotations

from django.core.management.base import BaseCommand

from envgov.apps.audit import clock
from envgov.apps.circulars.actions import ensure_monthly
from envgov.apps.geo.models import District
from envgov.apps.notices import actions as notice_actions
from envgov.apps.notices import ledger as notices
from envgov.apps.plans import target_figures
from envgov.apps.plans.models import Plan
from envgov.apps.plans.owed import group_by_party, owed_by_parties
from envgov.apps.supervision.actions import flag_overdue_and_lagging


class Command(BaseCommand):
    help = "每日检查：逾期、滞后任务自动生成督办事项，并列出本期欠报单位"

    def add_arguments(self, parser):  # noqa: ANN001
        parser.add_argument("--date", help="检查日期 YYYY-MM-DD（默认今天）")

    def handle(self, *args, date: str | None = None, **options):  # noqa: ANN002, ANN003
        import datetime as dt

        today = dt.date.fromisoformat(date) if date else clock.today()
        for plan in Plan.objects.filter(status=Plan.Status.ISSUED).select_related("district"):
            result = flag_overdue_and_lagging(plan, today)
            owed = group_by_party(owed_by_parties(plan, today))
            reminded = notices.remind_reports_due(plan, today)
            self.stdout.write(
                f"{plan.district} {plan.year}《{plan.title}》：新增逾期督办 {result.overdue} 项，"
                f"滞后督办 {result.lagging} 项（其中重新督办 {result.reopened} 项），升级督办 {result.escalated} 项；本期欠报 {len(owed)} 个单位/街乡镇；"
                f"发出填报提醒 {reminded} 条"
            )
            for who, items in owed:
                codes = "、".join(o.title.split(" ", 1)[0] for o in items[:8])
                self.stdout.write(f"  {who}：{len(items)} 项（{codes}{'…' if len(items) > 8 else ''}）")
        for district in District.objects.filter(towns__active=True).distinct():
            # every computed target figure anew: a status can change with the day alone (a period ends)
            self.stdout.write(f"{district}：重新计算目标实际值 {target_figures.refresh(district)} 项")
            made = ensure_monthly(district, today)  # the previous month's 通报, once, as a draft
            if made.circular is not None:
                self.stdout.write(f"{district}：已生成{made.circular.period_label}月度通报草稿，待审核发布")
                for warning in made.warnings:
                    self.stdout.write(f"  {warning}")
        self.stdout.write(f"每日通知摘要：发出邮件 {notice_actions.send_digest(today)} 封")
