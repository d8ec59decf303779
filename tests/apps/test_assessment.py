"""综合考评 from the ledger: figures counted by hand on a tiny plan."""
from __future__ import annotations

import datetime as dt

from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from envgov.apps.supervision import actions as supervision
from envgov.apps.plans import actions
from envgov.apps.plans.assessment import assess
from envgov.rules.scoring import load_scheme


def test_unit_metrics_and_scores(world, settings):
    settings.ENVGOV_TODAY = "2024-07-08"  # May's and June's reports were due on 06-05 and 07-05
    plan = world["plan"]
    plan.issued_at = timezone.make_aware(dt.datetime(2024, 5, 3))
    plan.save()
    # 市场监管局 reports in May (accepted) but not June; 发展改革委 never reports and its task (due 6-30) is late
    with override_settings(ENVGOV_TODAY="2024-05-20"):  # sent on time: May's report is due 06-05
        report = actions.submit_progress(world["task_unit_a"], acting_user=world["unit_a"], narrative="5月进展",
                                         period="2024-05")
    actions.review_progress(report, acting_user=world["coordinator"], accept=True, expected_version=report.version)
    supervision.flag_overdue_and_lagging(plan, dt.date(2024, 7, 8))
    rows = {a.name: a for a in assess(plan, load_scheme(), dt.date(2024, 7, 8))}
    market, dev = rows["市场监管局"].metrics, rows["发展改革委"].metrics
    assert market["report_rate"] == 0.5  # periods 2024-05 and 2024-06, one delivered
    assert market["completion_rate"] is None  # nothing due yet
    assert dev["completion_rate"] == 0.0 and dev["overdue_tasks"] == 1 and dev["report_rate"] == 0.0
    # example scheme: 50·full + 30·0.5 + 20·full(no supervision) = 85 ; 0 + 0 + 20·(1 open item not yet late → n/a)
    assert rows["市场监管局"].card.total == 85.0
    assert rows["发展改革委"].card.total == 20.0 - 2.0


def test_assessment_page_marks_example_scheme(world, client):
    client.force_login(world["coordinator"])
    page = client.get(reverse("assessment", args=[world["plan"].pk])).content.decode()
    assert "示例参数" in page and "市场监管局" in page
    client.force_login(world["unit_a"])
    assert client.get(reverse("assessment", args=[world["plan"].pk])).status_code == 403


def test_nothing_due_is_not_assessed_and_ties_share_a_rank(world, settings):
    settings.ENVGOV_TODAY = "2024-05-04"
    plan = world["plan"]
    plan.issued_at = timezone.make_aware(dt.datetime(2024, 5, 3))
    plan.save()
    rows = assess(plan, load_scheme(), dt.date(2024, 5, 4))  # the day after issue: nothing due, no report owed
    assert {a.name for a in rows} == {"市场监管局", "发展改革委", "宋庄镇"}
    assert all(a.card.total is None and a.card.rank is None for a in rows)  # 不参评, not full marks


def test_rank_is_shared_by_equal_scores():
    from envgov.rules.scoring import ScoreCard, rank

    cards = [ScoreCard(90.0), ScoreCard(85.5), ScoreCard(90.0), ScoreCard(None), ScoreCard(70.0)]
    rank(cards)
    assert [c.rank for c in cards] == [1, 3, 1, None, 4]


def test_score_opens_to_its_evidence_and_exports(world, client, settings):
    settings.ENVGOV_TODAY = "2024-07-08"
    plan = world["plan"]
    plan.issued_at = timezone.make_aware(dt.datetime(2024, 5, 3))
    plan.save()
    client.force_login(world["coordinator"])
    unit = world["u_dev"]
    page = client.get(reverse("assessment", args=[plan.pk]) + f"?key=unit-{unit.pk}").content.decode()
    assert "推广新能源汽车" in page and "未完成" in page and "未报送" in page
    assert client.get(reverse("assessment", args=[plan.pk]) + "?key=unit-999999").status_code == 404
    from io import BytesIO

    from openpyxl import load_workbook

    response = client.get(reverse("assessment_export", args=[plan.pk]))
    sheet = load_workbook(BytesIO(response.content)).active
    names = [row[1] for row in sheet.iter_rows(min_row=4, values_only=True)]
    assert "发展改革委" in names and "市场监管局" in names
