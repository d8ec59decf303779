"""The restart path of observation imports (docs/decisions/0012): run once when the site starts, before the
web workers (`make run` does; docs/deploy.md has it as the service's ExecStartPre). Every import left 未完成
by a crash or kill is finished when its data reached the lake, or marked 已撤销 when nothing was written.
An import still being worked on by a live process is left alone (its job lock is held)."""
from __future__ import annotations

from django.core.management.base import BaseCommand

from envgov.apps.air import services
from envgov.apps.air.models import ObservationImport


class Command(BaseCommand):
    help = "完成或撤销中断的监测数据导入（启动时运行）"

    def handle(self, *args, **options):  # noqa: ANN002, ANN003
        outcomes = services.finish_interrupted()
        for o in outcomes:
            r = o.record
            if o.error:
                self.stderr.write(f"{r.district} · {r.file_name}（#{r.pk}）仍未完成：{o.error}；"
                                  "请在“导入监测数据”页面完成或撤销")
            elif r.state == ObservationImport.State.ACCEPTED:
                self.stdout.write(f"{r.district} · {r.file_name}（#{r.pk}）已完成：更新日报 {o.days_refreshed} 条、"
                                  f"目标 {o.targets_updated} 项")
            else:
                self.stdout.write(f"{r.district} · {r.file_name}（#{r.pk}）已撤销：{r.report.get('undone', '')}")
        if not outcomes and options.get("verbosity", 1) > 1:
            self.stdout.write("没有中断的导入")
