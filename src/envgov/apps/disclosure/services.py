"""What this app adds to the district's public page (decisions 0022, 0039): the published drinking-water safety
entries. Air quality by town and the published circulars on that page come from `dashboard.services`
(`public_air`, `published_circulars`), one path for each figure. Nothing internal is shown there: no people,
no tasks, no units' progress, no drafts."""
from __future__ import annotations

from envgov.apps.disclosure.models import DrinkingWaterNotice


def drinking_water(district) -> list[DrinkingWaterNotice]:  # noqa: ANN001
    return list(DrinkingWaterNotice.objects.filter(district=district, published=True))
