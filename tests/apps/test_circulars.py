"""通报 through the app: a monthly draft from the rankings (hand-made daily values below), regenerating it,
publishing (文号, 成文日期, files rebuilt), who sees what, the public downloads, the daily check's monthly
draft, the pages' refusals and the `envgov circular` command."""
from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from docx import Document
from openpyxl import load_workbook
from typer.testing import CliRunner

from envgov.apps.audit.models import AuditLog
from envgov.apps.circulars import actions, services
from envgov.apps.circulars.models import Circular, CircularSettings
from envgov.apps.air.models import AirDaily, Station
from envgov.reports import circular as report

MARCH = [dt.date(2024, 3, 1) + dt.timedelta(days=i) for i in range(31)]


@pytest.fixture
def data(world, settings):
    """March 2024, one site a town, the same PM2.5 every day: 宋庄镇 40, 张家湾镇 45, 潞城镇 52 (so the
    monthly means are 40, 45, 52 → ranks 1, 2, 3); 台湖镇 has no site (not ranked). March 2023: 宋庄镇 50.
    Bottom N = 1: 潞城镇."""
    from envgov.apps.rankings.models import RankingSettings

    from envgov.apps.geo.models import Town

    settings.ENVGOV_TODAY = "2024-09-16"
    d = world["district"]
    towns = {"宋庄镇": world["t_songzhuang"], "张家湾镇": Town.objects.get(name="张家湾镇"),
             "潞城镇": Town.objects.create(district=d, code="110112106000", name="潞城镇")}
    Town.objects.create(district=d, code="110112107000", name="台湖镇")
    rows = []
    for i, (name, value) in enumerate((("宋庄镇", 40.0), ("张家湾镇", 45.0), ("潞城镇", 52.0))):
        st = Station.objects.create(code=f"S{i}", name=f"站{i}", kind="micro", district=d, town=towns[name])
        rows += [AirDaily(district=d, station=st, day=day, edition="2012", pm25=value) for day in MARCH]
        if name == "宋庄镇":
            rows += [AirDaily(district=d, station=st, day=day.replace(year=2023), edition="2012", pm25=50.0)
                     for day in MARCH]
    AirDaily.objects.bulk_create(rows)
    RankingSettings.objects.create(district=d, bottom_n=1)
    return world


def _text(circular: Circular) -> str:
    with circular.docx.open("rb") as f:
        doc = Document(io.BytesIO(f.read()))
    return "\n".join(p.text for p in doc.paragraphs)


def _prefix(world, prefix: str = "通环") -> None:
    setting = CircularSettings.objects.create(district=world["district"])
    actions.save_settings(world["district"], acting_user=world["coordinator"], organ="北京市通州区生态环境局",
                          number_prefix=prefix, recipients="", expected_version=setting.version)


def test_monthly_draft_names_the_bottom_towns(data):
    out = actions.generate(data["district"], "2024-03", acting_user=data["coordinator"])
    c = out.circular
    assert (c.kind, c.status, c.period, c.period_label, c.number) == ("monthly", "draft", "2024-03", "2024年3月", "")
    content = report.CircularContent.from_dict(c.content)
    pm25 = content.sections[0]
    assert pm25.indicator == "PM2.5" and pm25.bottom_n == 1
    assert [(r.town, r.value, r.rank, r.flagged) for r in pm25.rows if r.rank] == [
        ("宋庄镇", 40, 1, False), ("张家湾镇", 45, 2, False), ("潞城镇", 52, 3, True)]
    assert [r.town for r in pm25.unranked] == ["台湖镇"]
    assert [s.indicator for s in content.sections] == ["PM2.5", "PM10"]  # no measure entered: not ranked
    text = _text(c)
    assert "关于2024年3月各街道（乡镇）生态环境质量排名情况的通报" in text
    assert "PM2.5排名后1位的是：潞城镇（52" in text and "台湖镇" in text
    assert "请潞城镇认真分析排名靠后的原因" in text
    with c.xlsx.open("rb") as f:
        ws = load_workbook(io.BytesIO(f.read())).worksheets[0]
    assert [ws.cell(row=r, column=2).value for r in range(4, 8)] == ["宋庄镇", "张家湾镇", "潞城镇", "台湖镇"]
    assert ws.cell(row=4, column=4).value == 50  # 宋庄镇 last March
    entry = AuditLog.objects.get(action="circular_generate")
    assert entry.actor == data["coordinator"] and entry.district_id == data["district"].pk


def test_regenerate_replaces_the_draft_not_a_published_one(data):
    first = actions.generate(data["district"], "2024-03", acting_user=data["coordinator"]).circular
    again = actions.generate(data["district"], "2024-03", acting_user=data["coordinator"])
    assert again.regenerated and again.circular.pk == first.pk and again.circular.version == first.version + 1
    assert Circular.objects.count() == 1 and AuditLog.objects.filter(action="circular_regenerate").count() == 1
    _prefix(data)
    actions.publish(again.circular, acting_user=data["coordinator"], expected_version=again.circular.version)
    with pytest.raises(ValidationError, match="已发布"):
        actions.generate(data["district"], "2024-03", acting_user=data["coordinator"])


@pytest.mark.parametrize("period, kind, message", [
    ("2024-09", "monthly", "尚未结束"),  # the demo's today is 2024-09-16
    ("2024-Q1", "monthly", "应为一个月"),
    ("2024-13", "monthly", "月份应为 1–12"),
    ("", "on_demand", "2024-03"),
])
def test_refused_periods_say_why(data, period, kind, message):
    with pytest.raises(ValidationError) as exc:
        actions.generate(data["district"], period, kind=kind, acting_user=data["coordinator"])
    assert message in " ".join(exc.value.message_dict["period"])
    assert not Circular.objects.exists()


def test_on_demand_quarter_by_improvement(data):
    c = actions.generate(data["district"], "2024-Q1", kind="on_demand", by="improvement",
                         acting_user=data["coordinator"]).circular
    assert c.kind == "on_demand" and c.period_label == "2024年第1季度"
    pm25 = report.CircularContent.from_dict(c.content).sections[0]
    assert pm25.by == "改善幅度"


def test_publish_numbers_dates_and_lists(data):
    c = actions.generate(data["district"], "2024-03", acting_user=data["coordinator"]).circular
    with pytest.raises(ValidationError, match="文号前缀"):
        actions.publish(c, acting_user=data["coordinator"], expected_version=c.version)
    _prefix(data)
    with pytest.raises(actions.StaleEdit):
        actions.publish(c, acting_user=data["coordinator"], expected_version=c.version + 5)
    c = actions.publish(c, acting_user=data["coordinator"], expected_version=c.version)
    assert (c.status, c.number, c.signed_on, c.sequence) == ("published", "通环〔2024〕1号", dt.date(2024, 9, 16), 1)
    text = _text(c)
    assert "通环〔2024〕1号" in text and "2024年9月16日" in text and "北京市通州区生态环境局文件" in text
    second = actions.generate(data["district"], "2024-Q1", kind="on_demand", acting_user=data["coordinator"]).circular
    second = actions.publish(second, acting_user=data["coordinator"], expected_version=second.version)
    assert second.number == "通环〔2024〕2号"
    assert list(services.published(data["district"])) == [second, c]
    assert not services.published(data["other_plan"].district).exists()
    assert AuditLog.objects.filter(action="circular_publish").count() == 2
    with pytest.raises(PermissionDenied):
        actions.publish(second, acting_user=data["coordinator"], expected_version=second.version)  # not a draft


def test_only_coordinators_of_the_district_generate(data):
    for who in ("unit_a", "auditor", "other_coordinator", "town_a"):
        with pytest.raises(PermissionDenied):
            actions.generate(data["district"], "2024-03", acting_user=data[who])


def test_who_sees_drafts_and_the_public_downloads(data):
    draft = actions.generate(data["district"], "2024-03", acting_user=data["coordinator"]).circular
    _prefix(data)
    pub = actions.generate(data["district"], "2024-Q1", kind="on_demand", acting_user=data["coordinator"]).circular
    pub = actions.publish(pub, acting_user=data["coordinator"], expected_version=pub.version)

    def client(who: str | None) -> Client:
        c = Client()
        if who:
            c.force_login(data[who])
        return c

    for who, draft_status in (("coordinator", 200), ("auditor", 200), ("unit_a", 404), ("town_a", 404),
                              ("other_coordinator", 404)):
        assert client(who).get(f"/circulars/{draft.pk}/").status_code == draft_status, who
        assert client(who).get(f"/circulars/{draft.pk}/circular.docx").status_code == draft_status, who
    assert client("unit_a").get(f"/circulars/{pub.pk}/").status_code == 200
    page = client("unit_a").get("/circulars/").content.decode()
    assert pub.title in page and "2024年3月" not in page.split("<tbody>")[1]
    anon = client(None)
    assert anon.get(f"/public/circulars/{draft.pk}/circular.docx").status_code == 404
    r = anon.get(f"/public/circulars/{pub.pk}/circular.docx")
    assert r.status_code == 200 and r["Content-Disposition"].startswith("attachment")


def test_pdf_preview_and_its_message_without_libreoffice(data, monkeypatch):
    c = actions.generate(data["district"], "2024-03", acting_user=data["coordinator"]).circular
    client = Client()
    client.force_login(data["coordinator"])
    monkeypatch.setattr(report, "soffice", lambda: None)
    r = client.get(f"/circulars/{c.pk}/preview.pdf", follow=True)
    assert "未安装 LibreOffice" in r.content.decode()
    monkeypatch.undo()
    if report.soffice() is None:
        pytest.skip("LibreOffice not installed (.ci/run installs it)")
    r = client.get(f"/circulars/{c.pk}/preview.pdf")
    assert r.status_code == 200 and r["Content-Type"] == "application/pdf" and r.content.startswith(b"%PDF")


def test_pages_refuse_bad_input_with_422(data):
    client = Client()
    client.force_login(data["coordinator"])
    r = client.post("/circulars/generate/", {"period": "2024-13", "kind": "monthly", "by": "concentration"})
    assert r.status_code == 422 and "月份应为 1–12" in r.content.decode()
    r = client.post("/circulars/settings/", {"organ": "", "number_prefix": "通环〔2024〕", "recipients": "",
                                             "version": 1})
    assert r.status_code == 422 and "文号前缀只写发文机关代字" in r.content.decode()
    r = client.post("/circulars/generate/", {"period": "2024-03", "kind": "monthly", "by": "concentration"})
    assert r.status_code == 302
    c = Circular.objects.get()
    r = client.post(f"/circulars/{c.pk}/publish/", {"version": c.version})
    assert r.status_code == 422 and "文号前缀" in r.content.decode()


def test_daily_check_makes_last_months_draft_once(data):
    made = actions.ensure_monthly(data["district"], dt.date(2024, 4, 2))
    assert made.circular.period == "2024-03" and made.circular.created_by is None
    assert actions.ensure_monthly(data["district"], dt.date(2024, 4, 3)).circular is None
    assert actions.ensure_monthly(data["district"], dt.date(2024, 6, 1)).circular is None  # May: no data
    assert Circular.objects.count() == 1
    assert AuditLog.objects.get(action="circular_generate").note == "每日检查自动生成"


def test_daily_check_command(data):
    from django.core.management import call_command

    out = io.StringIO()
    call_command("daily_check", date="2024-04-02", stdout=out)
    assert "已生成2024年3月月度通报草稿" in out.getvalue()


def test_cli_circular(data, tmp_path):
    from envgov.cli import app

    runner = CliRunner()
    out = tmp_path / "通报.docx"
    r = runner.invoke(app, ["circular", "--period", "2024-03", "--out", str(out), "--district", "通州区",
                            "--xlsx", str(tmp_path / "t.xlsx")])
    assert r.exit_code == 0, r.output
    assert "排名靠后：潞城镇" in r.output
    text = "\n".join(p.text for p in Document(str(out)).paragraphs)
    assert "PM2.5排名后1位的是：潞城镇（52" in text
    assert not Circular.objects.exists()  # the command writes a file, stores nothing
    for args, message in ((["--period", "2024-13", "--out", str(out), "--district", "通州区"], "月份应为 1–12"),
                          (["--period", "2024-03", "--out", str(tmp_path / "x.pdf")], ".docx"),
                          (["--period", "2024-03", "--out", str(out)], "多个区"),
                          (["--period", "2024-03", "--out", str(out), "--district", "朝阳区"], "找不到区")):
        r = runner.invoke(app, ["circular", *args])
        assert r.exit_code == 2 and message in r.output, (args, r.output)
