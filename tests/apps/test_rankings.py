"""Town figures and rankings through the app (envgov.apps.rankings.services): the database aggregate
over monitoring.AirDaily, the district's weighting and settings, monthly measures. Expected values are
computed by hand in the comments."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from envgov.apps.air.models import AirDaily, Station
from envgov.apps.rankings import services
from envgov.apps.rankings.models import RankingSettings, SiteWeighting, TownMeasure


def _days(start: dt.date, n: int) -> list[dt.date]:
    return [start + dt.timedelta(days=i) for i in range(n)]


@pytest.fixture
def towns(world, settings):
    """宋庄镇: a national site at 40 and a micro-station at 60 every day of March 2024 (and of March 2023 at
    50 / 50); 张家湾镇: one micro-station at 30 on 26 days of March 2024 only (too few: < 27); 潞城镇: a
    micro-station without any data; 台湖镇: no station."""
    from envgov.apps.geo.models import Town

    settings.ENVGOV_TODAY = "2024-09-16"
    d = world["district"]
    a, b = world["t_songzhuang"], Town.objects.get(name="张家湾镇")
    c = Town.objects.create(district=d, code="110112106000", name="潞城镇")
    e = Town.objects.create(district=d, code="110112107000", name="台湖镇")
    nat = Station.objects.create(code="N1", name="国1", kind="national", district=d, town=a)
    mic = Station.objects.create(code="M1", name="微1", kind="micro", district=d, town=a)
    mic_b = Station.objects.create(code="M2", name="微2", kind="micro", district=d, town=b)
    Station.objects.create(code="M3", name="微3", kind="micro", district=d, town=c)
    rows = []
    for day in _days(dt.date(2024, 3, 1), 31):
        rows += [AirDaily(district=d, station=nat, day=day, edition="2012", pm25=40.0, pm10=80.0),
                 AirDaily(district=d, station=mic, day=day, edition="2012", pm25=60.0, pm10=None)]
    for day in _days(dt.date(2023, 3, 1), 31):
        rows += [AirDaily(district=d, station=nat, day=day, edition="2012", pm25=50.0),
                 AirDaily(district=d, station=mic, day=day, edition="2012", pm25=50.0)]
    for day in _days(dt.date(2024, 3, 1), 26):
        rows.append(AirDaily(district=d, station=mic_b, day=day, edition="2012", pm25=30.0))
    rows.append(AirDaily(district=d, station=None, day=dt.date(2024, 3, 1), edition="2012", pm25=99.0))  # 全区
    AirDaily.objects.bulk_create(rows)
    return {"a": a, "b": b, "c": c, "e": e, "district": d}


def test_town_figures_pm25(towns):
    figs = {f.town: f for f in services.town_figures(towns["district"], "2024-03", "pm25")}
    a = figs["宋庄镇"]
    assert (a.value, a.valid_days, a.days, a.sites, a.valid) == (50.0, 31, 31, 2, True)  # (40 + 60)/2
    b = figs["张家湾镇"]
    assert (b.value, b.valid_days, b.valid) == (None, 26, False) and "少于 27 个" in b.note
    assert b.completeness == pytest.approx(26 / 31)
    assert figs["潞城镇"].note == "时段内无有效日均值" and figs["台湖镇"].sites == 0


def test_weighting_set_by_the_district(towns):
    SiteWeighting.objects.create(district=towns["district"], kind="national", weight=Decimal(3))
    a = next(f for f in services.town_figures(towns["district"], "2024-03", "pm25") if f.town == "宋庄镇")
    assert a.value == 45.0  # (3·40 + 60)/4
    SiteWeighting.objects.filter(kind="national").update(weight=0)
    a = next(f for f in services.town_figures(towns["district"], "2024-03", "pm25") if f.town == "宋庄镇")
    assert (a.value, a.sites) == (60.0, 1)


def test_rank_by_concentration_and_improvement(towns):
    r = services.rank_towns(towns["district"], "2024-03", "pm25")
    assert r.rule.id == "town-rank-concentration" and r.rule.bottom_n == 3
    assert [(x.town, x.rank, x.value) for x in r.rows][:1] == [("宋庄镇", 1, 50.0)]
    assert {x.town for x in r.insufficient} == {"张家湾镇", "潞城镇", "台湖镇"}
    assert r.rows[0].flagged  # only one town ranked: it is in the bottom 3
    imp = services.rank_towns(towns["district"], "2024-03", "pm25", by="improvement")
    a = imp.rows[0]
    assert (a.town, a.last_year_value, a.change_pct, a.rank) == ("宋庄镇", 50.0, 0.0, 1)  # (50 − 50)/50
    d = imp.as_dict()
    assert d["period"]["label"] == "2024年3月" and d["last_period"]["start"] == "2023-03-01"


def test_settings_bottom_n_and_unknown_input(towns):
    RankingSettings.objects.create(district=towns["district"], bottom_n=0)
    r = services.rank_towns(towns["district"], "2024-03", "pm25")
    assert not r.flagged and r.rule.bottom_n == 0
    with pytest.raises(services.IndicatorError):
        services.town_figures(towns["district"], "2024-03", "no2")
    with pytest.raises(services.PeriodError):
        services.town_figures(towns["district"], "2024-10", "pm25")  # after the pinned today


def test_measures(towns):
    d = towns["district"]
    for town, values in ((towns["a"], ("5.2", "6.1", "7.0")), (towns["b"], ("4.1", None, "5.0"))):
        for m, v in zip((1, 2, 3), values):
            if v is not None:
                TownMeasure.objects.create(district=d, town=town, indicator="dustfall", month=dt.date(2024, m, 1),
                                           value=Decimal(v), digits=1)
    figs = {f.town: f for f in services.town_figures(d, "2024-Q1", "dustfall")}
    assert figs["宋庄镇"].value == 6.1 and figs["宋庄镇"].basis == "month"  # (5.2 + 6.1 + 7.0)/3
    assert figs["张家湾镇"].value is None and figs["张家湾镇"].note == "已录入 2 个月，应有 3 个月"


# ------------------------------------------------------------------ pages

def _client(user):  # noqa: ANN001, ANN202
    from django.test import Client

    c = Client()
    c.force_login(user)
    return c


def test_pages_render_for_a_reporter_and_a_coordinator(towns, world):
    for who in ("town_a", "coordinator", "auditor"):
        c = _client(world[who])
        for url in ("/rankings/?period=2024-03&indicator=pm25", "/rankings/?period=2024-03&indicator=pm25&by=improvement",
                    "/rankings/?period=2024-Q1&indicator=dustfall&by=composite", "/rankings/figures/?period=2024-03",
                    f"/rankings/towns/{towns['a'].pk}/", "/rankings/measures/", "/rankings/settings/"):
            r = c.get(url)
            assert r.status_code == 200, (who, url, r.content[:300])
    page = _client(world["coordinator"]).get("/rankings/?period=2024-03&indicator=pm25").content.decode()
    assert "宋庄镇" in page and "时段内无有效日均值" in page and "排名靠后" in page and "发起督办" in page
    assert "发起督办" not in _client(world["town_a"]).get("/rankings/?period=2024-03&indicator=pm25").content.decode()


def test_bad_period_or_indicator_is_a_located_400(towns, world):
    c = _client(world["coordinator"])
    r = c.get("/rankings/?period=2024-13&indicator=pm25")
    assert r.status_code == 400 and "月份应为 1–12" in r.content.decode()
    r = c.get("/rankings/?period=三月&indicator=pm25")
    assert r.status_code == 400 and "无法识别的时段“三月”" in r.content.decode()
    r = c.get("/rankings/?period=2024-03&indicator=no2")
    assert r.status_code == 400 and "未知指标" in r.content.decode()


def test_xlsx_download(towns, world):
    import io

    from openpyxl import load_workbook

    r = _client(world["auditor"]).get("/rankings/?period=2024-03&indicator=pm25&format=xlsx")
    assert r.status_code == 200
    ws = load_workbook(io.BytesIO(r.content)).active
    values = [[c.value for c in row] for row in ws.iter_rows(min_row=4)]
    assert values[0][:4] == [1, "宋庄镇", 50, 31]


def test_open_supervision_for_the_bottom_towns_once(towns, world):
    from envgov.apps.supervision.models import SupervisionItem

    c = _client(world["coordinator"])
    form = {"period": "2024-03", "indicator": "pm25", "by": "concentration", "plan": world["plan"].pk}
    r = c.post("/rankings/supervise/", form)
    assert r.status_code == 302
    items = list(SupervisionItem.objects.filter(source="ranking"))
    assert [(i.addressee_town.name, i.cause_key) for i in items] == [("宋庄镇", "pm25:concentration:2024-03")]
    assert "第1名/共1名" in items[0].title and items[0].plan == world["plan"]
    c.post("/rankings/supervise/", form)  # again: nothing new
    assert SupervisionItem.objects.filter(source="ranking").count() == 1
    page = c.get("/rankings/?period=2024-03&indicator=pm25").content.decode()
    assert f"/supervision/{items[0].pk}/" in page
    # the town's reporter sees the item addressed to the town
    assert _client(world["town_a"]).get(f"/supervision/{items[0].pk}/").status_code == 200


def test_settings_save_and_audit(towns, world):
    from envgov.apps.audit.models import AuditLog

    c = _client(world["coordinator"])
    form = {"k_national": "2", "k_city": "1", "k_district": "1", "k_micro": "1", "weighting_mode": "site",
            "bottom_n": "1", "min_completeness": "0", "partial_month": "proportional", "change_digits": "1",
            "composite_digits": "2", "c_pm25": "on", "w_pm25": "1", "r_pm25": "", "reason": "区大气办会议纪要"}
    assert c.post("/rankings/settings/save/", form).status_code == 302
    s = services.settings_for(towns["district"])
    assert s.weights["national"] == 2.0 and s.bottom_n == 1 and s.user_set["bottom_n"]
    a = next(f for f in services.town_figures(towns["district"], "2024-03", "pm25") if f.town == "宋庄镇")
    assert a.value == 47.0  # (2·40 + 60)/3 = 46.67 → 47
    assert AuditLog.objects.filter(action="set_parameter").count() == 2
    bad = dict(form, bottom_n="-1")
    c.post("/rankings/settings/save/", bad)
    assert services.settings_for(towns["district"]).bottom_n == 1  # refused: nothing saved
    assert _client(world["town_a"]).post("/rankings/settings/save/", form).status_code == 403


def _upload(name: str, body: bytes):  # noqa: ANN202
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, body)


def test_measure_import_all_or_nothing_with_located_errors(towns, world):
    c = _client(world["coordinator"])
    good = "街乡镇,月份,降尘量（t/(km²·月)）,TSP（µg/m³）,道路尘负荷（g/m²）,数据来源\r\n宋庄镇,2024-01,5.2,,0.81,区监测站\r\n张家湾镇,2024年2月,4.10,150,,\r\n"
    bad = good + "不存在镇,2024-03,1,,,\r\n宋庄镇,2024-13,1,,,\r\n宋庄镇,2024-01,abc,,,\r\n宋庄镇,2024-01,5.3,,,\r\n宋庄镇,2024-10,1,,,\r\n"
    r = c.post("/rankings/measures/import/", {"file": _upload("月度.csv", bad.encode("utf-8"))})
    text = r.content.decode()
    assert r.status_code == 422 and TownMeasure.objects.count() == 0
    for expected in ("“不存在镇”不是本区的街乡镇", "月份“2024-13”无法识别", "应为数字", "与第2行重复", "尚未开始"):
        assert expected in text, expected
    r = c.post("/rankings/measures/import/", {"file": _upload("月度.csv", good.encode("utf-8"))})
    assert r.status_code == 302
    got = {(m.town.name, m.indicator, m.month.month): (format(m.value.normalize(), "f"), m.digits) for m in TownMeasure.objects.all()}
    assert got == {("宋庄镇", "dustfall", 1): ("5.2", 1), ("宋庄镇", "road_dust", 1): ("0.81", 2),
                   ("张家湾镇", "dustfall", 2): ("4.1", 2), ("张家湾镇", "tsp", 2): ("150", 0)}
    gbk = "街乡镇,月份,降尘量\r\n宋庄镇,2024-02,6.1\r\n".encode("gb18030")
    assert c.post("/rankings/measures/import/", {"file": _upload("gbk.csv", gbk)}).status_code == 302
    assert TownMeasure.objects.filter(town=towns["a"], month=dt.date(2024, 2, 1)).exists()
    assert c.post("/rankings/measures/import/", {"file": _upload("x.csv", b"\x00\x01garbage")}).status_code == 422


def test_measure_entry_on_the_page(towns, world):
    c = _client(world["coordinator"])
    form = {"town": towns["a"].pk, "month": "2024-03", "indicator": "tsp", "value": "123.0", "source": "手工"}
    assert c.post("/rankings/measures/save/", form).status_code == 302
    m = TownMeasure.objects.get()
    assert (m.value, m.digits) == (Decimal("123.0"), 1)
    c.post("/rankings/measures/save/", dict(form, value="-3"))
    c.post("/rankings/measures/save/", dict(form, value="NaN"))
    c.post("/rankings/measures/save/", dict(form, month="2024-10"))
    assert TownMeasure.objects.get().value == Decimal("123.0")
    assert _client(world["town_a"]).post("/rankings/measures/save/", form).status_code == 403


@pytest.mark.django_db(transaction=True)  # the aggregate is remembered on commit: commit for real
def test_the_aggregate_is_recomputed_when_the_rows_change(towns):
    d = towns["district"]
    before = next(f for f in services.town_figures(d, "2024-03", "pm25") if f.town == "宋庄镇")
    assert services._AGGREGATES  # remembered (autocommit: at once)
    AirDaily.objects.filter(station__code="M1", day__gte=dt.date(2024, 3, 10)).delete()  # only deletions
    after = next(f for f in services.town_figures(d, "2024-03", "pm25") if f.town == "宋庄镇")
    # days 1–9: (40 + 60)/2 = 50; days 10–31: 40 → (9·50 + 22·40)/31 = 42.9 → 43
    assert (before.value, after.value) == (50.0, 43.0)
    Station.objects.filter(code="M1").update(town=towns["b"])  # a station moved to another town
    moved = {f.town: f for f in services.town_figures(d, "2024-03", "pm25")}
    assert moved["宋庄镇"].value == 40.0 and moved["宋庄镇"].sites == 1
    services._AGGREGATES.clear()  # nothing of this test's committed rows is remembered for the next ones


# ------------------------------------------------------------------ API

def test_api_ranking_figures_settings_and_measure(towns, world):
    import json

    c = _client(world["auditor"])
    r = c.get("/api/rankings?period=2024-03&indicator=pm25&by=improvement")
    assert r.status_code == 200, r.content
    body = r.json()
    assert body["rule"]["id"] == "town-rank-improvement" and body["period"]["label"] == "2024年3月"
    assert [(x["town"], x["rank"], x["change_pct"]) for x in body["rows"]][0] == ("宋庄镇", 1, 0.0)
    assert c.get("/api/rankings?period=2024-13").status_code == 422
    assert c.get("/api/rankings?period=2024-03&indicator=no2").status_code == 422
    figs = c.get("/api/rankings/figures?period=2024-03&indicator=pm25").json()
    assert {t["town"]: t["valid_days"] for t in figs["towns"]}["张家湾镇"] == 26
    assert c.get("/api/rankings/settings").json()["bottom_n"] == 3
    url = f"/api/rankings/towns/{towns['a'].pk}/measures"
    body = json.dumps({"indicator": "road_dust", "month": "2024-03", "value": "0.35"})
    assert c.post(url, body, content_type="application/json").status_code == 403  # auditors read only
    w = _client(world["coordinator"])
    assert w.post(url, body, content_type="application/json").json() == {"result": "added"}
    bad = json.dumps({"indicator": "road_dust", "month": "2024-03", "value": "-1"})
    assert w.post(url, bad, content_type="application/json").status_code == 422
    assert TownMeasure.objects.get().value == Decimal("0.35")


# ------------------------------------------------------------------ named checks

def test_named_checks_matrix(world):
    """Who may do what, written out from the design: everyone of the district reads; its administrator and
    coordinators set, enter, import and open 督办; nobody of another district does anything here."""
    from envgov.apps.rankings import permissions as p

    d = world["district"]
    checks = (p.can_view_rankings, p.can_set_ranking_settings, p.can_enter_measures, p.can_import_measures,
              p.can_open_ranking_supervision)
    Y, N = True, False
    expected = {
        "admin": (Y, Y, Y, Y, Y), "coordinator": (Y, Y, Y, Y, Y), "unit_a": (Y, N, N, N, N),
        "town_a": (Y, N, N, N, N), "leader_a": (Y, N, N, N, N), "auditor": (Y, N, N, N, N),
        "other_coordinator": (N, N, N, N, N),
    }
    got = {who: tuple(c(world[who], d) for c in checks) for who in expected}
    assert got == expected
