"""Demo district water (模拟数据): 通州's 8 national/municipal sections (1 × Ⅲ, 7 × Ⅳ as the 2024 plan
says) and 3 town-border sections, with SIMULATED monthly samples from January 2024 to the demo date.

Sections TZ-W01…W04 and TZ-T01…T03, their targets, payers, receivers and inflows are the compensation
demo tables (demo/data/water_compensation_*_sections.csv, read by the compensation reader), and their
March 2024 COD, NH3-N and TP are exactly the compensation demo values (water_compensation_*_2024.csv),
so the ledger page shows the month docs/water.md works by hand. Every other value is simulated here with a
fixed seed. Names are 示意; no value describes a real section. One file, one import through the import path
everyone uses (`services.import_file`).
"""
from __future__ import annotations

import csv
import datetime as dt
import random
import tempfile
from pathlib import Path

import envgov.demo
from envgov.apps.geo.models import District, Town

DATA = Path(envgov.demo.__file__).with_name("data")
AS_OF = dt.date(2024, 9, 16)
IMPORT_NAME = "演示水质数据2024（模拟数据）.csv"

# code → (level, town whose centre point places it, [name, river, target] for sections not in the CSVs)
SECTIONS: dict[str, tuple[str, str, tuple[str, str, int] | None]] = {
    "TZ-W01": ("municipal", "宋庄镇", None),
    "TZ-W02": ("municipal", "马驹桥镇", None),
    "TZ-W03": ("national", "西集镇", None),
    "TZ-W04": ("municipal", "台湖镇", None),
    "TZ-W05": ("national", "潞城镇", ("潮白河断面（示意）", "潮白河", 3)),
    "TZ-W06": ("municipal", "张家湾镇", ("凉水河出境（示意）", "凉水河", 4)),
    "TZ-W07": ("municipal", "永乐店镇", ("凤港减河（示意）", "凤港减河", 4)),
    "TZ-W08": ("municipal", "于家务回族乡", ("港沟河（示意）", "港沟河", 4)),
    "TZ-T01": ("town", "台湖镇", None),
    "TZ-T02": ("town", "张家湾镇", None),
    "TZ-T03": ("town", "西集镇", None),
}
# simulated monthly level of each item (mg/L; pH none): Ⅲ-target sections cleaner, town sections dirtier
BASE = {
    3: {"cod": 16.0, "nh3n": 0.6, "tp": 0.14, "codmn": 4.6, "do": 7.2, "ph": 7.8},
    4: {"cod": 24.0, "nh3n": 1.05, "tp": 0.23, "codmn": 7.4, "do": 6.0, "ph": 7.9},
    "town": {"cod": 27.0, "nh3n": 1.55, "tp": 0.26, "codmn": 8.6, "do": 5.2, "ph": 7.9},
}
UNITS = {"ph": "无量纲"}
# September, the demo's latest month: a national/municipal section and a town section slip (预警 on the
# targets), and a district-border section fails its TP class (the ledger's default month is not all zero)
SEPTEMBER = {("TZ-W06", "nh3n"): 1.72, ("TZ-T01", "nh3n"): 2.15, ("TZ-W04", "tp"): 0.33}


def _months() -> list[dt.date]:
    return [dt.date(2024, m, 7) for m in range(1, AS_OF.month + 1) if dt.date(2024, m, 7) <= AS_OF]


def load(district: District, acting_user=None) -> int:
    """Create the demo sections and import their simulated samples; returns the number of samples."""
    from envgov.apps.water import actions, services
    from envgov.apps.water.models import Section
    from envgov.ingest.compensation import read_sections

    if Section.objects.filter(district=district).exists():
        return 0
    given = {}
    for level in ("district", "town"):
        table, report = read_sections(DATA / f"water_compensation_{level}_sections.csv")
        if table is None:
            raise RuntimeError(report.summary())
        given |= {code: (level, s) for code, s in table.items()}
    towns = {t.name: t for t in Town.objects.filter(district=district)}
    made: dict[str, Section] = {}
    for code, (level, town_name, own) in SECTIONS.items():
        town = towns.get(town_name)
        point = {"lon": town.lon, "lat": town.lat} if town and town.lon is not None else {"lon": None, "lat": None}
        if code in given:
            boundary, s = given[code]
            data = {"code": code, "name": s.name, "river": s.river, "kind": s.kind, "target": s.target,
                    "boundary": boundary, "upstream": s.payer, "downstream": s.receiver}
        else:
            name, river, target = own  # type: ignore[misc]
            data = {"code": code, "name": name, "river": river, "kind": "river", "target": target}
        made[code] = actions.create_section(district, acting_user=None, is_simulated=True,
                                            data={**data, "level": level, "town": None, **point})
    for code, (_level, s) in given.items():  # inflows once every section exists
        if s.inflow:
            Section.objects.filter(pk=made[code].pk).update(inflow=made[s.inflow])
    rows = _rows(made)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / IMPORT_NAME
        with path.open("w", encoding="utf-8", newline="") as fh:
            w = csv.writer(fh)
            w.writerow(services.TEMPLATE_HEADER)
            w.writerows(rows)
        outcome = services.import_file(path, district=district, acting_user=None, profile=services.TEMPLATE)
    if outcome.record.state != outcome.record.State.ACCEPTED:
        raise RuntimeError(f"演示水质数据未通过校验：{outcome.record.report.get('errors', [])[:3]}")
    return outcome.record.samples


def _rows(sections) -> list[tuple[str, str, str, str, str]]:
    """The template rows: the compensation demo's March values as they are, the rest simulated."""
    march: dict[tuple[str, str], list[tuple[str, str]]] = {}
    for level in ("district", "town"):
        with (DATA / f"water_compensation_{level}_2024.csv").open(encoding="utf-8") as fh:
            for r in csv.DictReader(fh):
                march.setdefault((r["site"], r["parameter"]), []).append((r["time"], r["value"]))
    rng = random.Random(20240916)
    out = []
    for code, section in sections.items():
        base = BASE["town" if section.level == "town" else section.target]
        for day in _months():
            season = 1.12 if day.month in (7, 8) else 1.0  # flood-season runoff
            for item, level in base.items():
                if day.month == 3 and (code, item) in march:
                    out += [(code, t, item, v, UNITS.get(item, "mg/L")) for t, v in march[(code, item)]]
                    continue
                if day.month == 9 and (code, item) in SEPTEMBER:
                    value = SEPTEMBER[(code, item)]
                elif item == "ph":
                    value = round(level + rng.uniform(-0.3, 0.3), 2)
                elif item == "do":
                    value = round(level * rng.uniform(0.9, 1.15) / season, 2)
                else:
                    value = round(level * rng.uniform(0.85, 1.1) * season, 3 if item == "tp" else 2)
                out.append((code, day.isoformat(), item, str(value), UNITS.get(item, "mg/L")))
    return out
