"""What a 通报 says, from the rankings; the published ones for the public page; the PDF preview.

PUBLIC INTERFACE (the dashboard's public page builds on it):
    published(district) -> QuerySet[Circular]  — newest first; each has .number, .title, .period_label,
        .signed_on and the public downloads `circular_public_pdf` / `circular_public_docx` (URL kwarg
        published_id).

The figures are rank's (envgov.apps.rankings.services.rank_towns): this module only puts them into the
plain content of envgov.reports.circular. The document is Chinese whatever the reader's language
(an official document, decision 0021), so the content is built under the zh-hans catalogue.
"""
from __future__ import annotations

import datetime as dt
import hashlib

from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import QuerySet
from django.utils import translation
from django.utils.translation import gettext

from envgov.apps.circulars.models import Circular, CircularSettings
from envgov.reports import circular as report

BY_LABELS = {"concentration": "浓度", "improvement": "改善幅度", "composite": "综合得分"}
AIR = ("pm25", "pm10")  # always in a circular: their towns without data are named as such


def published(district) -> QuerySet:  # noqa: ANN001
    """The district's published circulars, newest first (what the public page lists)."""
    return (Circular.objects.filter(district=district, status=Circular.Status.PUBLISHED)
            .order_by("-signed_on", "-sequence", "-pk"))


def settings_of(district) -> CircularSettings:  # noqa: ANN001
    return CircularSettings.objects.filter(district=district).first() or CircularSettings(district=district)


def organ_of(district, setting: CircularSettings | None = None) -> str:  # noqa: ANN001
    setting = setting or settings_of(district)
    return setting.organ or gettext("%(district)s生态环境局") % {"district": district.name}


def _decimals(values: list[float]) -> int:
    """Digits to print so that every value shows exactly as the ranking rounded it (at most 3)."""
    digits = 0
    for v in values:
        for d in range(4):
            if abs(round(v, d) - v) < 1e-9:
                digits = max(digits, d)
                break
        else:
            digits = 3
    return digits


def section_of(ranking, *, indicator_label: str, monthly: bool = False) -> report.RankingSection:  # noqa: ANN001
    """A rankings.Ranking as the plain section of a circular; `monthly` measures (降尘量…) have no valid days."""
    by = ranking.by
    composite = by == "composite"
    rows = tuple(report.RankRow(
        town=r.town, value=(r.score if composite else r.value), rank=r.rank,
        valid_days=None if monthly else r.valid_days,
        completeness=r.completeness, last_year_value=None if composite else r.last_year_value,
        change_pct=None if composite else r.change_pct, flagged=r.flagged, reason=r.reason or "",
    ) for r in ranking.rows)
    values = [r.value for r in rows if r.value is not None]
    return report.RankingSection(
        indicator=indicator_label, unit="" if composite else (ranking.unit or ""), by=BY_LABELS.get(by, by),
        rows=rows, bottom_n=ranking.rule.bottom_n, rule=f"{ranking.rule.id} v{ranking.rule.version}",
        decimals=_decimals(values), value_label=gettext("综合得分") if composite else "")


def build_content(district, period, *, by: str = "concentration", number: str = "",  # noqa: ANN001
                  signed_on: dt.date | None = None) -> tuple[report.CircularContent, object]:
    """The content of a circular for `period` (a rankings TownPeriod) and that period. PM2.5 and PM10 are
    always ranked; the monthly measures (降尘量, TSP, 道路尘负荷) where any town has a value."""
    from envgov.apps.air.models import Station
    from envgov.apps.rankings import services as rankings
    from envgov.rules import ranking as rules

    with translation.override("zh-hans"):
        sections = []
        codes = ["pm25"] if by == "composite" else list(rules.INDICATORS)
        for code in codes:
            ranking = rankings.rank_towns(district, period, code, by)
            if code not in AIR and not any(r.value is not None for r in ranking.rows):
                continue
            label = gettext("综合") if by == "composite" else gettext(rules.INDICATORS[code].label)
            sections.append(section_of(ranking, indicator_label=label,
                                       monthly=rules.INDICATORS[code].source == "measure"))
            period = ranking.period
        setting = settings_of(district)
        content = report.CircularContent(
            organ=organ_of(district, setting), number=number, signed_on=signed_on,
            title=report.default_title(period.label), period_label=period.label, sections=sections,
            recipients=setting.recipients or report.DEFAULT_RECIPIENTS,
            simulated=Station.objects.filter(district=district, is_simulated=True).exists(),
        )
    return content, period


def has_ranked_towns(content: report.CircularContent) -> bool:
    return any(r.rank is not None for s in content.sections for r in s.rows)


def render_files(circular: Circular, content: report.CircularContent) -> list[str]:
    """Write the .docx and .xlsx of `content` into the circular's files; returns warnings to show (a chart
    that could not be drawn)."""
    warnings = []
    try:
        body = report.build_docx(content)
    except report.FontMissing:
        body = report.build_docx(content, charts=False)
        warnings.append(gettext(report.FontMissing.message) + gettext("（本次生成的通报不含图表）"))
    base = f"{circular.district.adcode}-{circular.period}-{circular.pk}"
    for field, data, ext in (("docx", body, "docx"), ("xlsx", report.build_xlsx(content), "xlsx")):
        old = getattr(circular, field)
        if old:  # removed once the new one is committed: a rolled-back regeneration keeps its old file
            storage, name = old.storage, old.name
            transaction.on_commit(lambda storage=storage, name=name: storage.delete(name))
        getattr(circular, field).save(f"{base}.{ext}", ContentFile(data), save=False)
    return warnings


def preview_pdf(circular: Circular) -> bytes:
    """The .docx through LibreOffice, kept by the document's SHA-256 (one conversion per version of the
    file). Raises report.PdfUnavailable."""
    with circular.docx.open("rb") as f:
        body = f.read()
    storage = circular.docx.storage
    name = f"circulars/preview/{hashlib.sha256(body).hexdigest()}.pdf"
    if storage.exists(name):
        with storage.open(name, "rb") as f:
            return f.read()
    pdf = report.to_pdf(body)
    storage.save(name, ContentFile(pdf))
    return pdf


def previous_month(today: dt.date) -> str:
    first = today.replace(day=1) - dt.timedelta(days=1)
    return f"{first.year}-{first.month:02d}"
