"""Town figures and rankings through the app (envgov.apps.rankings.services): the database aggregate
over monitoring.AirDaily, the district's weighting and settings, monthly measures. Expected values are
computed by hand in the comments."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from envgov.apps.monitoring.models import AirDaily, Station
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
