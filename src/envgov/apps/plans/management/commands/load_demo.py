"""Load the demo district: 通州区 with its towns, units, demo users and the 2024 plan (seed 003, entered
by hand), issued, with SIMULATED progress as of 2024-09-16 (模拟数据). Idempotent: skipped if present."""
from __future__ import annotations

import csv
import datetime as dt
import json
import os
import random
from decimal import Decimal
from pathlib import Path

import yaml
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management.base import BaseCommand
from django.db import transaction
from django.test.utils import override_settings

import envgov.demo
from envgov.apps.accounts.models import Unit, UnitAlias, User
from envgov.apps.geo.models import District, Town
from envgov.apps.plans import actions
from envgov.apps.supervision import actions as supervision
from envgov.apps.plans.loader import load_structured_plan
from envgov.apps.plans.models import Plan, ProgressReport, Task

DATA = Path(envgov.demo.__file__).with_name("data")
DEMO_PASSWORD = "envgov-demo"
AS_OF = dt.date(2024, 9, 16)
ISSUED_ON = dt.date(2024, 3, 7)  # the date printed on seed 003
R = User.Role


def _town_kind(name: str) -> str:
    if name.endswith("街道办事处") or name.endswith("地区办事处"):
        return Town.Kind.STREET
    return Town.Kind.TOWNSHIP if name.endswith("乡") else Town.Kind.TOWN


def _short(name: str) -> str:
    return name.replace("街道办事处", "街道").replace("地区办事处", "地区")


class Command(BaseCommand):
    help = "载入演示区（通州区 2024 年计划，模拟进展）"

    def add_arguments(self, parser):  # noqa: ANN001
        parser.add_argument("--quiet", action="store_true")

    def handle(self, *args, quiet: bool = False, **options):  # noqa: ANN002, ANN003
        district, created = District.objects.get_or_create(adcode="110112", defaults={"name": "通州区"})
        if created or not Plan.objects.filter(district=district).exists():
            # the simulated history happens on the demo's pinned date, so its timestamps agree with it
            with override_settings(ENVGOV_TODAY=AS_OF.isoformat()), transaction.atomic():
                self._load(district)
        if not quiet:
            self._print_logins()

    def _load(self, district: District) -> None:
        with (DATA / "tongzhou_towns.csv").open(encoding="utf-8") as fh:
            for row in csv.DictReader(fh):
                Town.objects.get_or_create(code=row["town_code_12"], defaults={
                    "district": district, "name": _short(row["town_name_official"]),
                    "official_name": row["town_name_official"], "kind": _town_kind(row["town_name_official"]),
                    "lon": float(row["lon_wgs84"]) if row["lon_wgs84"] else None,
                    "lat": float(row["lat_wgs84"]) if row["lat_wgs84"] else None,
                })
        self._derive_boundaries(district)
        for row in yaml.safe_load((DATA / "tongzhou_units.yaml").read_text(encoding="utf-8")):
            unit, _ = Unit.objects.get_or_create(district=district, name=row["name"],
                                                 defaults={"category": row.get("category", "")})
            for alias in row.get("aliases", []):
                UnitAlias.objects.get_or_create(unit=unit, alias=alias)
        admin = self._user("admin", "系统管理员", R.ADMIN, district, is_superuser=True)
        coordinator = self._user("coordinator", "生态环境局 王协调", R.COORDINATOR, district)
        self._user("auditor", "审计 赵只读", R.AUDITOR, district)
        data = json.loads((DATA / "tongzhou_2024_plan.json").read_text(encoding="utf-8"))
        result = load_structured_plan(data, district=district, acting_user=admin, is_simulated=True,
                                      source_name="seeds/003 通州区2024生态文明建设和生态环境保护工作计划")
        reporters = {
            "fgw": "发展改革委", "scjg": "市场监管局", "cgw": "城市管理委", "zjw": "住房城乡建设委",
            "sthj": "生态环境局", "jtj": "交通局",
        }
        for login, unit_name in reporters.items():
            unit = Unit.objects.filter(district=district, name=unit_name).first()
            if unit:
                self._user(login, f"{unit_name} 填报员", R.UNIT_REPORTER, district, unit=unit)
        for login, town_name in {"songzhuang": "宋庄镇", "zhangjiawan": "张家湾镇"}.items():
            town = Town.objects.filter(district=district, name=town_name).first()
            if town:
                self._user(login, f"{town_name} 填报员", R.TOWN_REPORTER, district, town=town)
        self._assign_unnamed_leads(result.plan, coordinator)
        with override_settings(ENVGOV_TODAY=ISSUED_ON.isoformat()):  # the document's own date
            actions.issue_plan(result.plan, acting_user=coordinator)
        self._unit_leaders(district)
        self._simulate_progress(result.plan, coordinator)
        # 模拟数据: the daily check as it ran twelve days before the demo date, the answers that followed,
        # and the checks since, which escalate what is still unanswered (经办 → 科室负责人 → 分管领导)
        for day in (AS_OF - dt.timedelta(days=12), AS_OF - dt.timedelta(days=3), AS_OF):
            with override_settings(ENVGOV_TODAY=day.isoformat()):
                supervision.flag_overdue_and_lagging(result.plan, day, acting_user=None)
                if day == AS_OF - dt.timedelta(days=12):
                    self._simulate_supervision(result.plan, coordinator)
        self._simulate_notices(result.plan, coordinator)
        self._load_air(district, admin)
        self._simulate_town_targets(result.plan, coordinator)
        from envgov.apps.circulars import demo as circulars_demo

        circulars_demo.load(district, coordinator, AS_OF)  # 通报: July's published, August's a draft
        __import__("envgov.apps.water.demo", fromlist=["load"]).load(district)  # 模拟数据 (water app, decision 0027)
        __import__("envgov.apps.emergency.demo", fromlist=["load"]).load(district)  # 模拟数据 (emergency app, decision 0031)
        __import__("envgov.apps.online.demo", fromlist=["load"]).load(district)  # 模拟数据 (online app, decision 0040)
        __import__("envgov.apps.noise.demo", fromlist=["load"]).load(district, result.plan)  # 模拟数据 (decision 0035)
        __import__("envgov.apps.disclosure.demo", fromlist=["load"]).load(district, coordinator)  # 模拟数据 (0039)
        __import__("envgov.apps.ecology.demo", fromlist=["load"]).load(district)  # 模拟数据 (ecology app, decision 0036)
        __import__("envgov.apps.sources.demo", fromlist=["load"]).load(district)  # 模拟数据 (sources, decision 0030)
        __import__("envgov.apps.projects.demo", fromlist=["load"]).load(district)  # 模拟数据 (projects, decision 0034)
        __import__("envgov.apps.complaints.demo", fromlist=["load"]).load(district)  # 模拟数据 (接诉即办, decision 0032)
        __import__("envgov.apps.keyareas.demo", fromlist=["load"]).load(district)  # 模拟数据 (key areas, decision 0038)

    def _derive_boundaries(self, district: District) -> None:
        """示意边界: no public town polygons exist, so each town gets the Voronoi cell of its official centre
        point clipped to the real district polygon (decision 0018); a user replaces them by importing."""
        from envgov.apps.geo.boundaries import derive_town_boundaries

        collection = json.loads((DATA / "tongzhou_district_wgs84.geojson").read_text(encoding="utf-8"))
        derive_town_boundaries(district, acting_user=None, district_boundary=collection["features"][0]["geometry"],
                               note="（演示）由官方中心点生成示意边界，按区界裁剪")

    def _simulate_supervision(self, plan: Plan, coordinator: User) -> None:
        """模拟数据: some units have answered their 督办, and the coordinator has closed a few."""
        from envgov.apps.supervision.models import SupervisionItem

        items = SupervisionItem.objects.filter(plan=plan, party__isnull=False).select_related("party").order_by("id")
        for i, item in enumerate(items):
            if i % 3 == 2:
                continue
            reporter = self._reporter_for(item.party, plan.district)
            item = supervision.respond_supervision(item, acting_user=reporter, expected_version=item.version,
                                               response="（模拟数据）已制定赶进度计划，9月底前补齐差额。")
            if i % 3 == 0:
                supervision.close_supervision(item, acting_user=coordinator, expected_version=item.version,
                                          note="（模拟数据）经核实进度已追上，同意销号。")

    def _simulate_notices(self, plan: Plan, coordinator: User) -> None:
        """模拟数据: the notices the ledger itself sends. Returned reports and the daily check's 督办 have
        already told their reporters; here the due reminder runs as it did on 2 September (August's reports
        are due on the 5th), and the coordinator moves one town task's deadline, which tells its towns."""
        from envgov.apps.notices import ledger as notices

        reminder_day = dt.date(AS_OF.year, AS_OF.month, 2)
        with override_settings(ENVGOV_TODAY=reminder_day.isoformat()):
            notices.remind_reports_due(plan, reminder_day)
        task = (plan.tasks.filter(towns__name="宋庄镇", due_date__isnull=False).exclude(status=Task.Status.COMPLETED)
                .order_by("order").first())
        if task is not None:
            year_end = dt.date(plan.year, 12, 31)
            due = (min(task.due_date + dt.timedelta(days=30), year_end) if task.due_date <= year_end
                   else dt.date(task.due_date.year, 6, 30))
            actions.update_task(task, {"due_date": due}, expected_version=task.version, acting_user=coordinator,
                                reason="（模拟数据）按区里统一部署调整完成时限")

    AIR_FILES = ("air_demo_2021_2023.csv.gz", "air_demo_2024.csv.gz")  # data/README.md says where they come from
    AIR_IMPORT_NAME = "演示空气数据2021-2024（模拟数据）.csv"

    def _load_air(self, district: District, admin: User) -> None:
        """模拟站点: real 2013–2016 Beijing hourly data (UCI, CC BY 4.0) shifted 8 years to 2021–2024, so targets
        get actual values, projections have earlier years and every period has a same period last year; and
        a simulated micro-station in every town (envgov.demo.micro) for town figures and rankings. One file,
        one import through the import path everyone uses (validation, lake, daily results, targets)."""
        import tempfile

        import pyarrow as pa
        import pyarrow.csv as pacsv

        from envgov.apps.air import services
        from envgov.apps.air.models import Station
        from envgov.demo import micro

        for code, name in {"TZ-SIM-01": "模拟站1（数据取自东四站）", "TZ-SIM-02": "模拟站2（数据取自天坛站）",
                           "TZ-SIM-03": "模拟站3（数据取自农展馆站）"}.items():
            Station.objects.get_or_create(code=code, defaults={
                "name": name, "kind": Station.Kind.NATIONAL, "district": district, "is_simulated": True})
        towns = self._micro_stations(district)
        options = pacsv.ConvertOptions(timestamp_parsers=["%Y-%m-%dT%H:%M"],
                                       column_types={"time": pa.timestamp("s"), "site": pa.string()})
        real = pa.concat_tables([pacsv.read_csv(DATA / name, convert_options=options) for name in self.AIR_FILES],
                                promote_options="permissive")
        hours, pm25, pm10 = micro.district_series(real, micro.START, dt.datetime.combine(AS_OF, dt.time()))
        simulated = micro.simulate(hours, pm25, pm10, micro.factors(len(towns)))
        table = pa.concat_tables([real, simulated], promote_options="permissive")
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / self.AIR_IMPORT_NAME
            pacsv.write_csv(table, path)
            outcome = services.import_air_file(path, district=district, acting_user=admin)
        if not outcome.record.accepted:
            raise RuntimeError(f"演示空气数据未通过校验：{outcome.record.report.get('errors', [])[:3]}")
        self._load_measures(district, admin, towns)

    def _load_measures(self, district: District, admin: User, towns: list[Town]) -> None:
        """模拟数据: monthly 降尘量 / TSP / 道路尘负荷 of every town, January 2023 to the last complete month,
        imported as one file through the rankings' measure import (all or nothing, audited)."""
        from envgov.apps.rankings.actions import import_measures
        from envgov.demo import micro

        months, month = [], dt.date(2023, 1, 1)
        while month < dt.date(AS_OF.year, AS_OF.month, 1):
            months.append(month)
            month = dt.date(month.year + month.month // 12, month.month % 12 + 1, 1)
        upload = SimpleUploadedFile("演示街乡镇月度指标（模拟数据）.csv", micro.measure_csv([t.name for t in towns], months))
        outcome = import_measures(upload, district=district, acting_user=admin)
        if outcome.errors:
            raise RuntimeError(f"演示月度指标未通过校验：{outcome.errors[:3]}")
        from envgov.apps.rankings.models import TownMeasure

        TownMeasure.objects.filter(district=district, source="模拟数据（演示）").update(is_simulated=True)

    def _simulate_town_targets(self, plan: Plan, coordinator: User) -> None:
        """模拟数据: the annual PM2.5 target split to every town by the 2023 baseline (达标研判 → 目标分解): each town
        takes the district's required change on its own 2023 mean, as a coordinator would before the district's
        考核方案 sets town figures."""
        from envgov.apps.outlook.services import decompose

        target = plan.targets.filter(indicator__code="pm25_mean", period_end__isnull=True).first()
        if target is not None:
            decompose(target, acting_user=coordinator, method="baseline", baseline=str(plan.year - 1),
                      reason="（模拟数据）演示：按 2023 年各街乡镇浓度等比例分解，待区考核方案确定后调整")

    def _micro_stations(self, district: District) -> list[Town]:
        """模拟数据: one micro-station per town at a point inside its 示意边界, put in its town by the platform's
        own point-in-polygon placement (apps.geo.boundaries.place_stations); codes follow the town order."""
        from envgov.apps.geo.boundaries import place_stations
        from envgov.apps.air.models import Station
        from envgov.geo.towns import as_area

        towns = list(Town.objects.filter(district=district).exclude(boundary=None).order_by("code"))
        for i, town in enumerate(towns):
            point = as_area(town.boundary).representative_point()
            Station.objects.get_or_create(code=f"TZ-MICRO-{i + 1:02d}", defaults={
                "name": f"{town.name}微站（模拟数据）", "kind": Station.Kind.MICRO, "district": district,
                "is_simulated": True, "lon": round(point.x, 6), "lat": round(point.y, 6)})
        place_stations(district, acting_user=None)
        placed = dict(Station.objects.filter(code__startswith="TZ-MICRO-").values_list("code", "town_id"))
        for i, town in enumerate(towns):
            if placed.get(f"TZ-MICRO-{i + 1:02d}") != town.pk:
                raise RuntimeError(f"演示微站未落在{town.name}的边界内")
        return towns

    # 模拟数据: the document names no actor for most tasks; a real office assigns them when it sets up the
    # ledger (定责). The demo assigns the body usually in charge of each area, and says so in the audit log.
    SIMULATED_AREA_LEADS = {"蓝天": "生态环境局", "碧水": "水务局", "净土": "生态环境局",
                            "应对气候变化": "发展改革委", "生态保护": "园林绿化局"}

    def _assign_unnamed_leads(self, plan: Plan, coordinator: User) -> None:
        from envgov.apps.audit import log as audit

        units = {u.name: u for u in Unit.objects.filter(district=plan.district)}
        for task in plan.tasks.filter(lead_units__isnull=True, towns__isnull=True, all_towns=False).select_related("area"):
            unit = units.get(self.SIMULATED_AREA_LEADS.get(task.area.name, ""))
            if unit is None:
                continue
            before = audit.snapshot(task, ["lead_units"])
            task.lead_units.add(unit)
            audit.record(actor=coordinator, action="assign", obj=task, plan=plan, before=before,
                         after=audit.snapshot(task, ["lead_units"]), note="模拟数据：计划原文未写牵头单位，演示按领域分配")

    def _user(self, username: str, name: str, role: str, district: District, **extra) -> User:  # noqa: ANN003
        is_superuser = extra.pop("is_superuser", False)
        user, created = User.objects.get_or_create(username=username, defaults={
            "first_name": name, "role": role, "district": district, "is_staff": is_superuser,
            "is_superuser": is_superuser, **extra,
        })
        if created:
            user.set_password(DEMO_PASSWORD)
            user.save(update_fields=["password"])
        return user

    def _reporter_for(self, party, district: District) -> User:
        """The demo reporter who speaks for a party (one per unit and town, created on first need)."""
        role, field = (R.UNIT_REPORTER, "unit") if party.unit_id else (R.TOWN_REPORTER, "town")
        who = party.unit if party.unit_id else party.town
        found = User.objects.filter(role=role, **{field: who}).order_by("id").first()
        return found or self._user(f"{field}{who.pk}", f"{who.name} 填报员", role, district, **{field: who})

    def _simulate_progress(self, plan: Plan, coordinator: User) -> None:
        """模拟数据: a plausible ledger on AS_OF — most past-due tasks done, some late, some lagging; on a task
        shared by several units or towns each party reports and is closed on its own."""
        rng = random.Random(2024)
        diligence: dict[tuple, float] = {}  # how reliably each unit or town reports month by month
        tasks = plan.tasks.prefetch_related("quantities", "parties__unit", "parties__town").order_by("order")
        for task in tasks:
            parties = list(task.parties.all())
            for n, party in enumerate(parties):
                reporter = self._reporter_for(party, plan.district)
                key = (party.unit_id, party.town_id)
                party_diligence = diligence.setdefault(key, rng.choice([0.5, 0.7, 0.85, 1.0]))
                if party.unit_id:  # units keep a monthly history; towns report the latest month only
                    for month in range(ISSUED_ON.month, AS_OF.month - 1):
                        if rng.random() < party_diligence:
                            with override_settings(ENVGOV_TODAY=f"{AS_OF.year}-{month:02d}-28"):
                                earlier = actions.submit_progress(
                                    task, acting_user=reporter, narrative=f"（模拟数据）{month}月进展：按计划推进。",
                                    period=f"{AS_OF.year}-{month:02d}")
                                actions.review_progress(earlier, acting_user=coordinator, accept=True,
                                                        expected_version=earlier.version)
                past_due = task.due_date is not None and task.due_date < AS_OF
                roll = rng.random()
                done = roll < (0.75 if past_due else 0.2)  # some year-round tasks are finished early
                share = 1.0 if done else rng.choice([0.3, 0.5, 0.6, 0.7, 0.9])
                quantities = {}
                for q in task.quantities.all():
                    if q.kind == q.Kind.RATE:  # a rate each party reaches on its own
                        quantities[q.pk] = (q.target_value * Decimal(str(share))).quantize(Decimal("0.1"))
                    else:  # a count the parties add up to
                        quantities[q.pk] = (q.target_value * Decimal(str(share)) / len(parties)).quantize(Decimal("1"))
                narrative = "（模拟数据）" + ("已按计划完成全部工作。" if done else "按计划推进中，已完成阶段性工作。")
                if not done and rng.random() < 0.15:
                    continue  # not every party has reported yet: these show up in the reminders
                if rng.random() > party_diligence and not done:
                    continue  # a less diligent party has not reported last month yet: reminders and 考评
                period = f"{AS_OF.year}-{AS_OF.month - 1:02d}"
                report = actions.submit_progress(
                    task, acting_user=reporter, narrative=narrative, period=period, quantities=quantities,
                    marks_complete=done, today=AS_OF,
                    attachments=[SimpleUploadedFile("现场照片说明.pdf", "%PDF-1.4 模拟附件".encode())] if roll < 0.1 else [])
                if roll < 0.85 or done:
                    actions.review_progress(report, acting_user=coordinator, accept=True,
                                            expected_version=report.version)
                elif roll < 0.92:
                    actions.review_progress(report, acting_user=coordinator, accept=False,
                                            expected_version=report.version, reason="（模拟）请补充现场照片和完成数量")
        # leave the current month's reports pending for a few parties, so the review queue is not empty
        from envgov.apps.plans.models import TaskParty

        waiting = (TaskParty.objects.filter(task__plan=plan, status=TaskParty.Status.IN_PROGRESS, unit__isnull=False)
                   .select_related("task", "unit").order_by("task__order", "id"))[:4]
        for party in waiting:
            if not ProgressReport.objects.filter(party=party, period=f"{AS_OF:%Y-%m}").exists():
                actions.submit_progress(party.task, acting_user=self._reporter_for(party, plan.district),
                                        narrative="（模拟数据）本月进展：持续推进。", period=f"{AS_OF:%Y-%m}",
                                        today=AS_OF)

    def _unit_leaders(self, district: District) -> None:
        """模拟数据: a 科室负责人 of 水务局 and a 分管领导 of 张家湾镇, who hear of unanswered 督办."""
        unit = Unit.objects.filter(district=district, name="水务局").first()
        if unit:
            self._user("swj_kz", "水务局 科室负责人", R.UNIT_LEADER, district, unit=unit,
                       leader_level=User.LeaderLevel.SECTION_HEAD)
        town = Town.objects.filter(district=district, name="张家湾镇").first()
        if town:
            self._user("zhangjiawan_ld", "张家湾镇 分管领导", R.UNIT_LEADER, district, town=town,
                       leader_level=User.LeaderLevel.DEPUTY_IN_CHARGE)

    def _print_logins(self) -> None:
        self.stdout.write("\n演示账号（模拟数据，密码均为 %s）：" % DEMO_PASSWORD)
        for user in User.objects.filter(username__in=[
            "admin", "coordinator", "auditor", "fgw", "scjg", "cgw", "zjw", "sthj", "jtj", "songzhuang", "zhangjiawan",
            "swj_kz", "zhangjiawan_ld",
        ]).select_related("unit", "town").order_by("id"):
            scope = user.unit or user.town or user.district
            role = user.get_leader_level_display() if user.leader_level else user.get_role_display()
            self.stdout.write(f"  {user.username:<15} {role} · {scope}")
        port = os.environ.get("PORT", "8000")  # make run PORT=8001 passes it on
        self.stdout.write("演示日期固定为 %s（ENVGOV_TODAY），打开 http://127.0.0.1:%s/\n" % (AS_OF, port))
