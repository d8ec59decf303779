"""Town boundaries (decision 0018): derived 示意边界 from centre points, imported real polygons, and placing
monitoring stations in towns by point-in-polygon. The geometry work is `envgov.geo` (no Django); this module
reads and writes the rows, checks the permission and audits.

Audit entries carry the source and a SHA-256 of the stored geometry (under `boundary`), not the geometry itself (a town polygon
is tens of kilobytes); the geometry is on the row.
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from envgov.apps.accounts import permissions
from envgov.apps.accounts.models import User
from envgov.apps.accounts.scope import require
from envgov.apps.audit import log as audit
from envgov.apps.geo.models import District, Town
from envgov.geo import boundary_file, towns as geo_towns

MAX_UPLOAD_BYTES = 20 * 1024 * 1024


def geometry_digest(geometry: dict | None) -> str:
    if geometry is None:
        return ""
    digest = hashlib.sha256(json.dumps(geometry, sort_keys=True, separators=(",", ":")).encode()).hexdigest()
    return f"SHA-256 {digest}"


def _state(town: Town) -> dict:
    # under the field's own name, so the audit page labels it 边界(WGS84); the value is the digest
    return {"boundary_source": town.boundary_source, "boundary": geometry_digest(town.boundary)}


def _areas(district: District) -> dict:
    """Town pk → shapely area, imported boundaries first (they win over a derived neighbour on overlap)."""
    rows = Town.objects.filter(district=district, active=True, boundary__isnull=False)
    rows = sorted(rows, key=lambda t: (t.boundary_source != Town.BoundarySource.IMPORTED, t.code))
    return {t.pk: geo_towns.as_area(t.boundary) for t in rows}


@dataclass(frozen=True)
class Derivation:
    derived: list[str]  # town names given a derived boundary
    no_centre: list[str]  # active towns without a centre point: no boundary
    outside: list[str]  # centre point outside the district polygon: no boundary
    kept_imported: list[str]  # towns whose imported boundary was left as it is


@transaction.atomic
def derive_town_boundaries(district: District, *, acting_user: User | None, district_boundary: dict | None = None,
                           note: str = "") -> Derivation:
    """Give every active town that has no imported boundary the Voronoi cell of its centre point, clipped to
    the district polygon (示意边界). `district_boundary` (GeoJSON, WGS84) replaces the district's own first.
    `acting_user` None is the demo loader (a system action)."""
    if acting_user is not None:
        require(permissions.can_manage_towns(acting_user, district.pk), _("您不能管理本区以外的街乡镇"))
    if district_boundary is not None:
        district.boundary = district_boundary
        district.save(update_fields=["boundary"])
    if district.boundary is None:
        raise ValidationError(_("本区还没有区界，无法生成示意边界"))
    active = list(Town.objects.filter(district=district, active=True).order_by("code"))
    with_centre = {t.pk: (t.lon, t.lat) for t in active if t.lon is not None and t.lat is not None}
    result = geo_towns.derive_cells(district.boundary, with_centre)
    by_pk = {t.pk: t for t in active}
    derived, kept = [], []
    for pk, cell in result.cells.items():
        town = by_pk[pk]
        if town.boundary_source == Town.BoundarySource.IMPORTED:
            kept.append(town.name)
            continue
        before = _state(town)
        town.boundary = geo_towns.mapping(cell)
        town.boundary_source = Town.BoundarySource.DERIVED
        town.save(update_fields=["boundary", "boundary_source"])
        if before != _state(town):
            audit.record(actor=acting_user, action="town_boundary_derive", obj=town, before=before,
                         after=_state(town), note=note or _("由中心点生成示意边界（泰森多边形，按区界裁剪）"))
        derived.append(town.name)
    place_stations(district, acting_user=acting_user)
    return Derivation(derived, [t.name for t in active if t.pk not in with_centre],
                      [by_pk[pk].name for pk in result.outside], kept)


def town_refs(district: District) -> list[boundary_file.TownRef]:
    return [boundary_file.TownRef(t.pk, t.code, (t.name, t.official_name))
            for t in Town.objects.filter(district=district).order_by("code")]


@transaction.atomic
def import_town_boundaries(district: District, raw: bytes, *, crs: str, acting_user: User,
                           file_name: str = "") -> boundary_file.Reading:
    """Replace the boundaries of the towns named in a GeoJSON file. All or nothing: the reading's errors, if
    any, and nothing changed. Towns not in the file keep the boundary they had."""
    require(permissions.can_manage_towns(acting_user, district.pk), _("您不能管理本区以外的街乡镇"))
    area = geo_towns.as_area(district.boundary) if district.boundary else None
    reading = boundary_file.read_boundaries(raw, crs=crs, towns=town_refs(district), district=area,
                                            max_bytes=MAX_UPLOAD_BYTES)
    if reading.errors:
        return reading
    label = {boundary_file.WGS84: "WGS84", boundary_file.GCJ02: "GCJ-02"}[crs]
    note = _("导入边界文件 %(file)s（%(crs)s）") % {"file": file_name or "—", "crs": label}
    for town in Town.objects.select_for_update().filter(pk__in=list(reading.boundaries)).order_by("code"):
        before = _state(town)
        town.boundary = reading.boundaries[town.pk]
        town.boundary_source = Town.BoundarySource.IMPORTED
        town.save(update_fields=["boundary", "boundary_source"])
        audit.record(actor=acting_user, action="town_boundary_import", obj=town, before=before,
                     after=_state(town), note=note)
    place_stations(district, acting_user=acting_user)
    return reading


def place_stations(district: District, *, acting_user: User | None) -> int:
    """Put every located station of the district whose town no person chose into the town whose boundary
    contains it (or none). Returns how many changed; each change is audited."""
    from envgov.apps.air.models import Station

    areas = _areas(district)
    stations = [s for s in Station.objects.filter(district=district, town_manual=False)
                if s.lon is not None and s.lat is not None]
    if not stations:
        return 0
    where = geo_towns.place({s.pk: (s.lon, s.lat) for s in stations}, areas)
    changed = 0
    for s in stations:
        if s.town_id != where[s.pk]:
            before = {"town": s.town_id}
            s.town_id = where[s.pk]
            s.save(update_fields=["town"])
            audit.record(actor=acting_user, action="station_placed", obj=s, before=before, after={"town": s.town_id},
                         note=_("按街乡镇边界自动归属"))
            changed += 1
    return changed


def town_of_point(district_id: int, lon: float, lat: float) -> int | None:
    """The town (pk) whose boundary contains the point, by the same rule as `place_stations`."""
    district = District.objects.filter(pk=district_id).first()
    if district is None:
        return None
    return geo_towns.place({0: (lon, lat)}, _areas(district))[0]
