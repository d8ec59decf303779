"""Imports that say the truth (issue 12, item 2): an observation import is 已入库 only when the lake write
and the daily refresh have both finished; one interrupted in between shows as 未完成, with finish / undo,
and the restart path (`finish_imports`) completes it. A year-9999 row is refused in validation.

Expected daily values come from HJ 633-2012's IAQI table: PM2.5 24-h 70 µg/m³ lies between the
breakpoints 35 (IAQI 50) and 75 (IAQI 100): 50 + 50·(70−35)/40 = 93.75 → AQI 94, 良 (level 2)."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.urls import reverse

from envgov.apps.audit.models import AuditLog
from envgov.apps.air import services
from envgov.apps.air.models import AirDaily, ObservationImport, Station
from envgov.apps.plans.models import Indicator, Target


@pytest.fixture
def air(world):
    Station.objects.create(code="TZ01", name="通州站", kind=Station.Kind.NATIONAL, district=world["district"])
    Target.objects.create(plan=world["plan"], area=world["plan"].areas.get(code="air"),
                          indicator=Indicator.objects.get(code="pm25_mean"), comparator="<=", value=Decimal(35),
                          unit="μg/m³", period_label="全年")
    return world


def _file(rows: list[str]):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile("tz.csv", ("site,time,pm25,pm10,so2,no2,co,o3\n" + "\n".join(rows) + "\n").encode())


def _day(day: str, pm25: float) -> list[str]:
    return [f"TZ01,{day}T{h:02d}:00,{pm25:g},20,5,10,0.3,30" for h in range(24)]


class Killed(BaseException):
    """Stands for kill -9 between the lake write and the daily refresh: nothing after it runs, no handler
    catches it (a BaseException, like the signal that ends the process)."""


def _kill_before_refresh(monkeypatch) -> None:
    def killed(*args, **kwargs):  # noqa: ANN002, ANN003
        raise Killed

    monkeypatch.setattr(services, "refresh_daily", killed)


def test_killed_between_lake_write_and_daily_refresh_is_unfinished_then_finished_on_restart(air, client, monkeypatch):
    _kill_before_refresh(monkeypatch)
    with pytest.raises(Killed):
        services.import_air_file(_file(_day("2024-01-01", 70)), district=air["district"],
                                 acting_user=air["coordinator"])
    monkeypatch.undo()  # the process is gone; what follows is the restarted site
    record = ObservationImport.objects.get()
    assert record.state == ObservationImport.State.PENDING and not record.accepted
    assert services.lake().to_arrow("air").num_rows == 24 * 6  # the lake write had finished
    assert AirDaily.objects.count() == 0

    client.force_login(air["coordinator"])
    page = client.get(reverse("air_import")).content.decode()
    assert "未完成" in page and "已入库" not in page.split("导入记录", 1)[1]
    assert reverse("air_import_finish", args=[record.pk]) in page and reverse("air_import_undo", args=[record.pk]) in page

    call_command("finish_imports")  # the restart path (make run)
    record.refresh_from_db()
    assert record.state == ObservationImport.State.ACCEPTED and record.accepted and record.finished_at
    day = AirDaily.objects.get(station__code="TZ01", day=dt.date(2024, 1, 1))
    assert (day.aqi, day.level) == (94, 2)
    assert AirDaily.objects.get(station__isnull=True, day=dt.date(2024, 1, 1)).aqi == 94
    assert Target.objects.get(indicator__code="pm25_mean").actual_value == Decimal(70)
    page = client.get(reverse("air_import")).content.decode()
    assert reverse("air_import_finish", args=[record.pk]) not in page


def test_a_refresh_that_fails_leaves_the_import_unfinished_and_the_page_says_so(air, client, monkeypatch):
    def broken(*args, **kwargs):  # noqa: ANN002, ANN003
        raise RuntimeError("engine failure")

    monkeypatch.setattr(services, "refresh_daily", broken)
    client.force_login(air["coordinator"])
    response = client.post(reverse("air_import"), {"file": _file(_day("2024-01-01", 70))})
    assert response.status_code == 200
    assert "未完成" in response.content.decode() and "导入成功" not in response.content.decode()
    record = ObservationImport.objects.get()
    assert record.state == ObservationImport.State.PENDING
    monkeypatch.undo()
    response = client.post(reverse("air_import_finish", args=[record.pk]), follow=True)
    assert "导入成功" in response.content.decode()
    record.refresh_from_db()
    assert record.state == ObservationImport.State.ACCEPTED
    assert AirDaily.objects.filter(day=dt.date(2024, 1, 1)).count() == 2  # the station and the district
    assert AuditLog.objects.filter(action="import_finish", actor=air["coordinator"]).count() == 1


def test_undo_removes_the_lake_data_and_the_days(air, client, monkeypatch):
    services.import_air_file(_file(_day("2024-01-01", 30)), district=air["district"], acting_user=air["coordinator"])
    _kill_before_refresh(monkeypatch)
    with pytest.raises(Killed):
        services.import_air_file(_file(_day("2024-01-02", 70)), district=air["district"],
                                 acting_user=air["coordinator"])
    monkeypatch.undo()
    record = ObservationImport.objects.get(state=ObservationImport.State.PENDING)
    client.force_login(air["coordinator"])
    response = client.post(reverse("air_import_undo", args=[record.pk]), follow=True)
    assert "已撤销" in response.content.decode()
    record.refresh_from_db()
    assert record.state == ObservationImport.State.UNDONE and not record.accepted
    lake = services.lake().to_arrow("air")
    assert lake.num_rows == 24 * 6 and {t.date() for t in lake["time"].to_pylist()} == {dt.date(2024, 1, 1)}
    assert set(AirDaily.objects.values_list("day", flat=True)) == {dt.date(2024, 1, 1)}
    assert AuditLog.objects.filter(action="import_undo").count() == 1
    # done is done: a second click changes nothing
    response = client.post(reverse("air_import_finish", args=[record.pk]), follow=True)
    assert "已经完成或撤销" in response.content.decode()


def test_killed_before_the_lake_commit_is_rolled_back_on_restart(air, monkeypatch):
    from envgov.engine import lake as lake_module

    def killed(self, *args, **kwargs):  # noqa: ANN001, ANN002, ANN003
        raise Killed

    monkeypatch.setattr(lake_module.Lake, "append", killed)
    with pytest.raises(Killed):
        services.import_air_file(_file(_day("2024-01-01", 70)), district=air["district"],
                                 acting_user=air["coordinator"])
    monkeypatch.undo()
    call_command("finish_imports")
    record = ObservationImport.objects.get()
    assert record.state == ObservationImport.State.UNDONE
    assert services.lake().to_arrow("air").num_rows == 0 and AirDaily.objects.count() == 0


def test_an_import_still_running_elsewhere_is_left_alone(air):
    record = ObservationImport.objects.create(district=air["district"], file_name="x.csv",
                                              uploaded_by=air["coordinator"])
    held = services.lake().job(f"import-{record.pk}")
    assert held.acquire()  # another worker is on it (a separate open file: flock says no to us)
    try:
        assert not services.is_interrupted(record)
        call_command("finish_imports")
        record.refresh_from_db()
        assert record.state == ObservationImport.State.PENDING
        with pytest.raises(services.ImportRefused):
            services.undo_import(record, acting_user=air["coordinator"])
    finally:
        held.release()
    assert services.is_interrupted(record)


def test_finish_and_undo_are_for_the_districts_reviewers(air, client):
    record = ObservationImport.objects.create(district=air["district"], file_name="x.csv",
                                              uploaded_by=air["coordinator"])
    for who, status in (("unit_a", 403), ("auditor", 403), ("other_coordinator", 404)):
        client.force_login(air[who])
        assert client.post(reverse("air_import_undo", args=[record.pk])).status_code == status
        assert client.post(reverse("air_import_finish", args=[record.pk])).status_code == status
    record.refresh_from_db()
    assert record.state == ObservationImport.State.PENDING


def test_year_9999_row_is_refused_with_its_location_and_nothing_is_written(air, client):
    rows = _day("2024-01-01", 70)
    rows[5] = rows[5].replace("2024-01-01T05:00", "9999-01-01T05:00")  # file line 7
    client.force_login(air["coordinator"])
    response = client.post(reverse("air_import"), {"file": _file(rows)})
    assert response.status_code == 422
    page = response.content.decode()
    assert "9999-01-01T05:00" in page and "1990–2100" in page and "没有写入任何数据" in page
    record = ObservationImport.objects.get()
    assert record.state == ObservationImport.State.REFUSED and not record.accepted
    assert [(e["row"], e["column"]) for e in record.report["errors"]] == [(7, "time")]
    assert services.lake().commits() == [] and services.lake().to_arrow("air").num_rows == 0
    assert AirDaily.objects.count() == 0
    assert Target.objects.get(indicator__code="pm25_mean").actual_value is None
    assert client.get(reverse("air_dashboard")).status_code == 200
    assert client.get(reverse("air_import")).status_code == 200
