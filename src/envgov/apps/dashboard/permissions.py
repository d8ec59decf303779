"""Named checks of the dashboard (驾驶舱) and its public page.

Everyone signed in to a district opens its dashboard; the ledger parts on it (task completion, open 督办)
are narrowed to what the viewer may see by the scope querysets, as on the plan overview. The public page
needs no login and carries no internal data (decision 0022): what it may show is `PUBLIC_PARTS`.
"""
from __future__ import annotations

from envgov.apps.accounts.models import User

# the only parts of the public page; people, tasks and 督办 are never among them
PUBLIC_PARTS = ("town_air", "circulars", "drinking_water")  # drinking water: the disclosure app's entries


def can_view_dashboard(user: User | None, district) -> bool:  # noqa: ANN001 - a District or its id
    district_id = getattr(district, "pk", district)
    return bool(user and user.is_authenticated and user.is_active and district_id is not None
                and user.district_id == district_id)


def can_open_town_page(user: User | None, page: str) -> bool:
    """Whether the map links a town to `page` ("rankings": the town's ranking page, open to the district;
    "manage": the town's management page, the district administrator's)."""
    if not (user and user.is_authenticated and user.is_active):
        return False
    return page == "rankings" or (page == "manage" and user.role == User.Role.ADMIN)
