"""A ranking as a table: the .xlsx of the ranking page and of `envgov rank towns --format xlsx`, and the
JSON list of the CLI. One writer (envgov.reports.xlsx.build_table), one shape."""
from __future__ import annotations

from urllib.parse import quote

from django.utils.translation import gettext

from envgov.engine.towns import Ranking
from envgov.reports.xlsx import build_table
from envgov.rules import ranking as rules


def ranked_value(ranking: Ranking, row) -> float | None:  # noqa: ANN001 - a RankedTown
    """What the ranking ranked: the value (concentration), the change rate (%) or the composite score."""
    return row.score if ranking.by != rules.CONCENTRATION else row.value


def as_list(ranking: Ranking) -> list[dict]:
    """The CLI's JSON: [{"town", "value", "rank", "valid_days"}], sports ranks, unranked towns last."""
    return [{"town": r.town, "value": ranked_value(ranking, r), "rank": r.rank, "valid_days": r.valid_days}
            for r in ranking.rows]


def _title(ranking: Ranking, district: str) -> str:
    ind = rules.INDICATORS[ranking.indicator]
    return gettext("%(district)s%(period)s街乡镇%(indicator)s排名（%(method)s）") % {
        "district": district, "period": ranking.period.label, "indicator": gettext(ind.label),
        "method": gettext(rules.RULES[ranking.by].label)}


def file_name(ranking: Ranking, district: str) -> str:
    return quote(f"{_title(ranking, district)}.xlsx")


def _fmt(v: float | None) -> object:
    if v is None:
        return "—"
    return int(v) if float(v).is_integer() else v


def ranking_xlsx(ranking: Ranking, district: str) -> bytes:
    ind = rules.INDICATORS[ranking.indicator]
    basis = gettext("有效月数") if ind.source == "measure" else gettext("有效天数")
    columns = [(gettext("名次"), 6), (gettext("街乡镇"), 16), (f"{gettext(ind.label)}（{ind.unit}）", 14),
               (basis, 9), (gettext("数据完整率"), 10), (gettext("去年同期"), 10), (gettext("同比变化率（%）"), 12)]
    if ranking.by == rules.COMPOSITE:
        columns.append((gettext("综合指数"), 10))
    columns += [(gettext("排名靠后"), 9), (gettext("说明"), 40)]
    rows = []
    for r in ranking.rows:
        line = [r.rank if r.rank is not None else "—", r.town, _fmt(r.value), r.valid_days,
                f"{r.completeness * 100:.0f}%", _fmt(r.last_year_value), _fmt(r.change_pct)]
        if ranking.by == rules.COMPOSITE:
            line.append(_fmt(r.score))
        line += [gettext("是") if r.flagged else "", r.reason]
        rows.append(line)
    note = gettext("规则：%(id)s 第%(version)s版 · %(citation)s · 有效性：%(validity)s · 去年同期：%(last)s") % {
        "id": ranking.rule.id, "version": ranking.rule.version, "citation": ranking.rule.citation,
        "validity": ranking.rule.validity, "last": ranking.last_period.label if ranking.last_period else "—"}
    return build_table(_title(ranking, district), columns, rows, note=note)
