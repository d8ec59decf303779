"""What the public page shows (decision 0039), each figure from where it is computed:

* air quality by town for the latest complete month: `dashboard.services.public_air` — the rankings' town
  figures (`rankings.services.town_figures`), the same path the 驾驶舱 map, the rankings and the circulars use;
* the published circulars with their public downloads: `dashboard.services.published_circulars`
  (`circulars.services.published`: status 已发布 only);
* the district's published drinking-water safety entries.
Nothing else: no people, no tasks, no units' progress, no drafts."""
from __future__ import annotations

import datetime as dt

from envgov.apps.disclosure.models import DrinkingWaterNotice


def latest_month_key(today: dt.date) -> str:
    """The latest complete month before `today` ("2024-08" on 2024-09-16)."""
    last = dt.date(today.year, today.month, 1) - dt.timedelta(days=1)
    return f"{last.year}-{last.month:02d}"


def town_air(district, today: dt.date):  # noqa: ANN001, ANN201 - (period, rows)
    from envgov.apps.dashboard import services as dash

    period, _warning = dash.parse_period(latest_month_key(today), today)
    return period, dash.public_air(district, period)


def circulars(district) -> list[dict]:  # noqa: ANN001
    from envgov.apps.dashboard import services as dash

    return dash.published_circulars(district)


def drinking_water(district) -> list[DrinkingWaterNotice]:  # noqa: ANN001
    return list(DrinkingWaterNotice.objects.filter(district=district, published=True))
