"""Beijing 2015, 12 national sites (UCI multi-site data) against the officially published city figures.

Published figures (Beijing Municipal Environmental Protection Bureau, 2016-01-04, as reported by
China Radio International: http://news.cri.cn/201614/ffdac740-63e3-345b-7c95-546d371c6d42.html ;
good days and heavy-pollution days also in the MEE briefing of 2016-02-04 reported by China News:
http://www.mnw.cn/news/shehui/1100527.html). Full comparison and discussion: docs/validation.md (§A).
Acceptance (issue 4): annual means within 2 µg/m³, good days within 8.
"""
from __future__ import annotations

from datetime import date

import pyarrow as pa
import pytest

from envgov.engine import air
from envgov.engine.lake import pivot_wide
from envgov.ingest.hourly import read_hourly

from .conftest import shared_data

PUBLISHED_2015 = {"pm25": 80.6, "pm10": 101.5, "so2": 13.5, "no2": 50.0, "good_days": 186, "heavy_days": 46}


@pytest.fixture(scope="module")
def result_2015():
    files = sorted(shared_data("beijing_multisite").glob("PRSA_Data_*.csv.gz"))
    if len(files) != 12:
        pytest.fail(f"expected the 12 UCI station files, found {len(files)}")
    reports = [read_hourly(f, profile="uci-beijing") for f in files]
    assert all(r.ok for r in reports)
    wide = pivot_wide(pa.concat_tables([r.table for r in reports]))
    return air.evaluate(wide, date(2015, 1, 1), date(2015, 12, 31), scope="all", set_name="北京市（12站）",
                        compare_years=None)["北京市（12站）"]


@pytest.mark.parametrize("pollutant", ["pm25", "pm10", "so2", "no2"])
def test_annual_means_within_2(result_2015, pollutant):
    # The engine reports concentrations rounded per GB/T 8170 (integers), the bulletin to 0.1.
    assert abs(result_2015[pollutant] - PUBLISHED_2015[pollutant]) <= 2.0


def test_good_and_heavy_days(result_2015):
    assert abs(result_2015["good_days"] - PUBLISHED_2015["good_days"]) <= 8
    assert abs(result_2015["heavy_days"] - PUBLISHED_2015["heavy_days"]) <= 3
    assert result_2015["valid_days"] >= 360
