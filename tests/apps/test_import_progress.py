"""A long monitoring file shows its progress on the import page: the reader's progress goes to the import
record (rows read, fraction of the bytes), and the page polls it — rows, per cent, time left."""
from __future__ import annotations

import datetime as dt
import uuid

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from envgov.apps.air import services
from envgov.apps.air.models import ObservationImport, Station


@pytest.fixture
def air(world, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    Station.objects.create(code="TZ01", name="通州站", kind=Station.Kind.NATIONAL, district=world["district"])
    return world


def _csv(days: int) -> SimpleUploadedFile:
    start = dt.datetime(2024, 1, 1)
    rows = [f"TZ01,{(start + dt.timedelta(hours=h)):%Y-%m-%dT%H:00},35,60,5,20,0.5,40" for h in range(24 * days)]
    return SimpleUploadedFile("tz.csv", ("site,time,pm25,pm10,so2,no2,co,o3\n" + "\n".join(rows) + "\n").encode())


@pytest.mark.django_db(transaction=True)
def test_the_reader_reports_its_rows_to_the_record_the_page_polls(air, monkeypatch):
    monkeypatch.setenv("ENVGOV_INGEST_STREAM_MB", "0.001")  # read in batches, as a long file is
    token = uuid.uuid4().hex
    seen: list[tuple[int, float]] = []
    writer = services.ProgressWriter

    class Spy(writer):  # the same writer, remembering each call it was given
        def __call__(self, rows_read, fraction):  # noqa: ANN001
            seen.append((rows_read, fraction))
            super().__call__(rows_read, fraction)

    services.ProgressWriter = Spy
    try:
        outcome = services.import_air_file(_csv(10), district=air["district"], acting_user=air["coordinator"],
                                           progress_token=token)
    finally:
        services.ProgressWriter = writer
    assert outcome.record.state == ObservationImport.State.ACCEPTED
    assert seen and seen[-1][1] == pytest.approx(1.0)
    record = ObservationImport.objects.get(pk=outcome.record.pk)
    assert record.progress_token == token and record.rows_read == 240
    c = Client()
    c.force_login(air["coordinator"])
    p = c.get(reverse("air_import_progress"), {"token": token}).json()
    assert p == {"state": "accepted", "rows_read": 240, "percent": 100, "seconds_left": 0}


@pytest.mark.django_db
def test_half_way_shows_per_cent_and_time_left_from_the_elapsed_time(air):
    token = uuid.uuid4().hex
    record = ObservationImport.objects.create(district=air["district"], file_name="大文件.csv",
                                              uploaded_by=air["coordinator"], progress_token=token,
                                              rows_read=1_500_000, progress=0.25)
    ObservationImport.objects.filter(pk=record.pk).update(uploaded_at=timezone.now() - dt.timedelta(seconds=30))
    p = services.import_progress(air["district"], token)
    # 25 % in 30 s: 75 % left at the same pace is 90 s
    assert p["state"] == "pending" and p["percent"] == 25 and p["rows_read"] == 1_500_000
    assert 89 <= p["seconds_left"] <= 91


@pytest.mark.django_db
def test_another_districts_or_a_malformed_token_shows_nothing(air):
    token = uuid.uuid4().hex
    ObservationImport.objects.create(district=air["district"], file_name="x.csv", uploaded_by=air["coordinator"],
                                     progress_token=token, progress=0.5)
    assert services.import_progress(air["other_plan"].district, token)["state"] == "waiting"
    assert services.import_progress(air["district"], "../../etc")["state"] == "waiting"
    page = Client()
    page.force_login(air["coordinator"])
    html = page.get(reverse("air_import")).content.decode()
    assert 'name="progress_token"' in html and 'id="import-progress"' in html
